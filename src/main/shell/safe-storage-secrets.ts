/**
 * The platform token encrypted with Electron safeStorage (the OS keychain) and kept in a 0600 file.
 *
 * Without a real keychain it refuses to store: on Linux, safeStorage falls back to the "basic_text" backend
 * when no Secret Service or KWallet is running, which encrypts with a key hard-coded in Chromium — that is
 * obfuscation, not protection, so it counts as "no keychain" here. The token can then be handed to the app
 * in VIGIL_PLATFORM_TOKEN (kept in memory only, see shell/index.ts), and the error says so.
 */
import { safeStorage } from 'electron';
import path from 'node:path';
import { readSecretFile, writeSecretFile, type SecretStore } from '@core/secrets';

/** Linux backends that are not a keychain (see above); 'unknown' means asked before the app was ready. */
const NOT_A_KEYCHAIN = new Set(['basic_text', 'unknown']);

export class SafeStorageSecretStore implements SecretStore {
  readonly kind = 'os-keychain' as const;
  private readonly file: string;
  constructor(
    dataDir: string,
    private readonly platform: NodeJS.Platform = process.platform,
  ) {
    this.file = path.join(dataDir, 'secrets.enc.json');
  }
  /** null when a keychain protects what we store, else why not */
  unavailableReason(): string | null {
    if (!safeStorage.isEncryptionAvailable()) return 'The OS keychain is not available';
    if (this.platform === 'linux') {
      const backend = safeStorage.getSelectedStorageBackend();
      if (NOT_A_KEYCHAIN.has(backend))
        return `No keychain is running (Secret Service or KWallet); the "${backend}" fallback is not safe`;
    }
    return null;
  }
  async get(name: string): Promise<string | null> {
    const enc = readSecretFile(this.file)[name];
    if (!enc || !safeStorage.isEncryptionAvailable()) return null;
    try {
      return safeStorage.decryptString(Buffer.from(enc, 'base64'));
    } catch {
      // encrypted under another keychain or user: as good as absent
      return null;
    }
  }
  async set(name: string, value: string | null): Promise<void> {
    if (value !== null) {
      const why = this.unavailableReason();
      if (why)
        throw new Error(
          `${why}; the token cannot be stored safely. Start Vigil with the token in VIGIL_PLATFORM_TOKEN instead (kept in memory only).`,
        );
    }
    const all = readSecretFile(this.file);
    if (value === null) delete all[name];
    else all[name] = safeStorage.encryptString(value).toString('base64');
    writeSecretFile(this.file, all);
  }
}
