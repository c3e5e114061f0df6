/**
 * The desktop app's token store (src/main/shell/safe-storage-secrets.ts) refuses to store without a real
 * keychain: safeStorage unavailable, or Linux's "basic_text" fallback (a key hard-coded in Chromium). With a
 * keychain it stores only ciphertext, in a file only the user can read. `electron` is a recorder whose
 * safeStorage "encrypts" by a reversible transform, so the file can be checked for the clear token.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { tempDir } from '@test/helpers/tmp';

const ss = vi.hoisted(() => ({ available: true, backend: 'gnome_libsecret' as string, encrypted: 0 }));
vi.mock('electron', () => ({
  safeStorage: {
    isEncryptionAvailable: () => ss.available,
    getSelectedStorageBackend: () => ss.backend,
    encryptString: (s: string) => (ss.encrypted++, Buffer.from(`enc:${Buffer.from(s).toString('hex')}`)),
    decryptString: (b: Buffer) => {
      const s = b.toString();
      if (!s.startsWith('enc:'))
        throw new Error('Error while decrypting the ciphertext provided to safeStorage.decryptString.');
      return Buffer.from(s.slice(4), 'hex').toString();
    },
  },
}));

const { SafeStorageSecretStore } = await import('@main/shell/safe-storage-secrets');
const TOKEN = 'tok-3f9a-very-secret';
let t: ReturnType<typeof tempDir>;
const file = () => path.join(t.dir, 'secrets.enc.json');

beforeEach(() => {
  t = tempDir('vigil-safe-storage-');
  Object.assign(ss, { available: true, backend: 'gnome_libsecret', encrypted: 0 });
});
afterEach(() => t.cleanup());

describe('SafeStorageSecretStore', () => {
  it('stores only ciphertext, in a 0600 file, and reads it back', async () => {
    const s = new SafeStorageSecretStore(t.dir, 'linux');
    await s.set('platformToken', TOKEN);
    expect(fs.readFileSync(file(), 'utf8')).not.toContain(TOKEN);
    expect(fs.statSync(file()).mode & 0o777).toBe(0o600);
    expect(await s.get('platformToken')).toBe(TOKEN);
    await s.set('platformToken', null);
    expect(await s.get('platformToken')).toBeNull();
  });

  it('refuses to store when the OS keychain is not available, and writes nothing', async () => {
    ss.available = false;
    const s = new SafeStorageSecretStore(t.dir, 'darwin');
    await expect(s.set('platformToken', TOKEN)).rejects.toThrow(/keychain is not available.*VIGIL_PLATFORM_TOKEN/);
    expect(fs.existsSync(file())).toBe(false);
    expect(ss.encrypted).toBe(0);
  });

  it.each(['basic_text', 'unknown'])(
    'refuses to store on Linux with the "%s" backend (no keychain behind it)',
    async (backend) => {
      ss.backend = backend;
      const s = new SafeStorageSecretStore(t.dir, 'linux');
      expect(s.unavailableReason()).toMatch(/No keychain/);
      await expect(s.set('platformToken', TOKEN)).rejects.toThrow(/cannot be stored safely/);
      expect(fs.existsSync(file())).toBe(false);
      expect(ss.encrypted).toBe(0);
    },
  );

  it.each(['gnome_libsecret', 'kwallet5', 'kwallet6'])('stores on Linux with the "%s" keychain', async (backend) => {
    ss.backend = backend;
    const s = new SafeStorageSecretStore(t.dir, 'linux');
    await s.set('platformToken', TOKEN);
    expect(await s.get('platformToken')).toBe(TOKEN);
  });

  it('still lets the person remove a stored token when the keychain has gone', async () => {
    const s = new SafeStorageSecretStore(t.dir, 'linux');
    await s.set('platformToken', TOKEN);
    ss.available = false;
    expect(await s.get('platformToken')).toBeNull();
    await s.set('platformToken', null);
    expect(JSON.parse(fs.readFileSync(file(), 'utf8'))).toEqual({});
  });

  it('treats a token it cannot decrypt (another keychain, another user) as absent', async () => {
    fs.writeFileSync(file(), JSON.stringify({ platformToken: Buffer.from('garbage').toString('base64') }), {
      mode: 0o600,
    });
    expect(await new SafeStorageSecretStore(t.dir, 'linux').get('platformToken')).toBeNull();
  });
});
