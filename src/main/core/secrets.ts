/**
 * Where the platform token lives. The Electron shell supplies a safeStorage-backed store (OS keychain);
 * the browser host uses a file readable only by the user (0600) in the data dir. Never SQLite, never logs.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseJson } from '@shared/json';

export interface SecretStore {
  get(name: string): Promise<string | null>;
  set(name: string, value: string | null): Promise<void>;
  /** a short description for the Settings view: where the secret is kept */
  readonly kind: 'os-keychain' | 'file-0600' | 'memory';
}

/** Reads a 0600 secrets file as name → stored text; a missing or damaged file reads as empty. */
export function readSecretFile(file: string): Record<string, string> {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return {};
  }
  const all = parseJson<Record<string, string>>(text).value;
  return all && typeof all === 'object' && !Array.isArray(all) ? all : {};
}

/** Writes the secrets file readable only by the user (0600), atomically: a crash leaves the old or the new file. */
export function writeSecretFile(file: string, all: Record<string, string>): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(all), { mode: 0o600 });
  fs.chmodSync(tmp, 0o600);
  fs.renameSync(tmp, file);
}

export class FileSecretStore implements SecretStore {
  readonly kind = 'file-0600' as const;
  private readonly file: string;
  constructor(dataDir: string) {
    this.file = path.join(dataDir, 'secrets.json');
  }
  async get(name: string): Promise<string | null> {
    return readSecretFile(this.file)[name] ?? null;
  }
  async set(name: string, value: string | null): Promise<void> {
    const all = readSecretFile(this.file);
    if (value === null) delete all[name];
    else all[name] = value;
    writeSecretFile(this.file, all);
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
