/**
 * Where a replica's PostgreSQL store is, from the flags both the gateway and its `users` command take:
 * `--store postgres://USER@HOST:PORT/DB` (or VIGIL_GATEWAY_STORE), `--store-password-file FILE` and
 * `--replica-name NAME`. The password never comes from a URL on the command line (the process list shows
 * it): PGPASSWORD, ~/.pgpass (PGPASSFILE, read by the driver) or the password file.
 */
import fs from 'node:fs';
import os from 'node:os';

export interface StoreConfig {
  url: string;
  /** from --store-password-file (else PGPASSWORD or ~/.pgpass, read by the driver) */
  password?: string;
  replicaName: string;
}

/** --store and its companions: a postgres URL without a password in it (unless it came from the environment) */
export function parseStore(flag: string | undefined, passwordFile: string | undefined, name: string | undefined, env: NodeJS.ProcessEnv): StoreConfig | undefined {
  const url = flag ?? env.VIGIL_GATEWAY_STORE;
  if (url === undefined) {
    if (passwordFile !== undefined || name !== undefined) throw new Error('--store-password-file and --replica-name go with --store postgres://…');
    return undefined;
  }
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new Error(`--store must be a postgres://USER@HOST:PORT/DB URL, got "${url.replace(/:[^:@/]*@/, ':***@')}"`);
  }
  if (u.protocol !== 'postgres:' && u.protocol !== 'postgresql:')
    throw new Error(`--store must be a postgres://USER@HOST:PORT/DB URL (without --store the gateway uses SQLite in --data-dir), got "${u.protocol}//…"`);
  if (flag !== undefined && u.password)
    throw new Error('--store must not carry the password (the process list shows it): use PGPASSWORD, ~/.pgpass or --store-password-file');
  let password: string | undefined;
  if (passwordFile !== undefined) {
    try {
      password = fs.readFileSync(passwordFile, 'utf8').replace(/\r?\n$/, '');
    } catch (err) {
      throw new Error(`--store-password-file ${passwordFile} cannot be read: ${(err as Error).message}`);
    }
    if (!password) throw new Error(`--store-password-file ${passwordFile} is empty`);
  }
  const replicaName = name ?? `${os.hostname()}-${process.pid}`;
  if (!/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,62}$/.test(replicaName))
    throw new Error(`--replica-name must be 1–63 letters, digits, "_.:-", got "${replicaName}"`);
  return { url, password, replicaName };
}

