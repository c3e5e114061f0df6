/** The platform token encrypted with Electron safeStorage (OS keychain) and kept in a 0600 file. */
import { safeStorage } from 'electron';
import path from 'node:path';
import { readSecretFile, writeSecretFile, type SecretStore } from '@core/secrets';

export class SafeStorageSecretStore implements SecretStore {
  readonly kind = 'os-keychain' as const;
  private readonly file: string;
  constructor(dataDir: string) {
    this.file = path.join(dataDir, 'secrets.enc.json');
  }
  async get(name: string): Promise<string | null> {
    const enc = readSecretFile(this.file)[name];
    if (!enc || !safeStorage.isEncryptionAvailable()) return null;
    return safeStorage.decryptString(Buffer.from(enc, 'base64'));
  }
  async set(name: string, value: string | null): Promise<void> {
    if (value !== null && !safeStorage.isEncryptionAvailable())
      throw new Error('The OS keychain is not available; the token cannot be stored safely.');
    const all = readSecretFile(this.file);
    if (value === null) delete all[name];
    else all[name] = safeStorage.encryptString(value).toString('base64');
    writeSecretFile(this.file, all);
  }
}
