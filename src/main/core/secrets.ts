/**
 * Where the platform token lives. The Electron shell supplies a safeStorage-backed store (OS keychain);
 * the browser host uses a file readable only by the user (0600) in the data dir. Never SQLite, never logs.
 */
import fs from 'node:fs';
import path from 'node:path';

export interface SecretStore {
  get(name: string): Promise<string | null>;
  set(name: string, value: string | null): Promise<void>;
  /** a short description for the Settings view: where the secret is kept */
  readonly kind: 'os-keychain' | 'file-0600' | 'memory';
}

export class FileSecretStore implements SecretStore {
  readonly kind = 'file-0600' as const;
  private readonly file: string;
  constructor(dataDir: string) {
    this.file = path.join(dataDir, 'secrets.json');
  }
  private read(): Record<string, string> {
    try {
      return JSON.parse(fs.readFileSync(this.file, 'utf8')) as Record<string, string>;
    } catch {
      return {};
    }
  }
  async get(name: string): Promise<string | null> {
    return this.read()[name] ?? null;
  }
  async set(name: string, value: string | null): Promise<void> {
    const all = this.read();
    if (value === null) delete all[name];
    else all[name] = value;
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    const tmp = `${this.file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(all), { mode: 0o600 });
    fs.chmodSync(tmp, 0o600);
    fs.renameSync(tmp, this.file);
  }
}

export class MemorySecretStore implements SecretStore {
  readonly kind = 'memory' as const;
  private readonly m = new Map<string, string>();
  async get(name: string) {
    return this.m.get(name) ?? null;
  }
  async set(name: string, value: string | null) {
    if (value === null) this.m.delete(name);
    else this.m.set(name, value);
  }
}
