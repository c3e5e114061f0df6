/**
 * Opening a SQLite file the way both the console and the gateway do: WAL, foreign keys on, numbered
 * migrations recorded with a checksum. Opening a database whose recorded migrations differ from the
 * caller's is refused with a clear message; a corrupt or unwritable file raises a StoreError the caller can
 * offer to recover from. Feature-free: each side passes its own migration list.
 */
import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export type DB = Database.Database;

/** One numbered schema step. Append only: the store refuses a database whose history differs. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}
export type StoreErrorCode = 'corrupt' | 'unwritable' | 'disk_full' | 'migration_mismatch' | 'unknown';

export class StoreError extends Error {
  readonly code: StoreErrorCode;
  readonly file: string;
  constructor(code: StoreErrorCode, file: string, message: string) {
    super(message);
    this.name = 'StoreError';
    this.code = code;
    this.file = file;
  }
}

export interface OpenOptions {
  /** path to a better_sqlite3.node built for the running ABI (Electron); default: the package's own */
  nativeBinding?: string;
  migrations: readonly Migration[];
  readonly?: boolean;
}

export const checksum = (sql: string): string => createHash('sha256').update(sql.replace(/\r\n/g, '\n')).digest('hex');

function classify(err: unknown, file: string): StoreError {
  if (err instanceof StoreError) return err;
  const e = err as { code?: string; message?: string };
  const code = e?.code ?? '';
  const msg = e?.message ?? String(err);
  if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT' || /not a database|malformed/i.test(msg))
    return new StoreError('corrupt', file, `The database file ${file} is damaged (${msg}).`);
  if (code === 'SQLITE_FULL' || code === 'ENOSPC' || /disk is full|no space left/i.test(msg))
    return new StoreError('disk_full', file, `The disk holding ${file} is full (${msg}).`);
  // EEXIST/ENOTDIR: creating the data folder failed because a file stands where a folder must be
  if (
    ['SQLITE_READONLY', 'SQLITE_CANTOPEN', 'SQLITE_PERM', 'SQLITE_IOERR', 'EACCES', 'EROFS', 'EPERM', 'ENOTDIR', 'EISDIR', 'EEXIST'].some((c) =>
      code.startsWith(c),
    ) ||
    /readonly|unable to open|permission/i.test(msg)
  )
    return new StoreError('unwritable', file, `The database file ${file} cannot be written (${msg}).`);
  return new StoreError('unknown', file, `The database file ${file} could not be opened (${msg}).`);
}

function applyMigrations(db: DB, file: string, list: readonly Migration[]): void {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY, name TEXT NOT NULL, checksum TEXT NOT NULL, applied_at INTEGER NOT NULL)`);
  const applied = db
    .prepare('SELECT version, name, checksum FROM schema_migrations ORDER BY version')
    .all() as { version: number; name: string; checksum: string }[];
  const known = new Map(list.map((m) => [m.version, m]));
  for (const row of applied) {
    const m = known.get(row.version);
    if (!m)
      throw new StoreError(
        'migration_mismatch',
        file,
        `The database ${file} was written by a newer Vigil (it has migration ${row.version} "${row.name}" which this version does not know). Update Vigil or start with a fresh database.`,
      );
    if (m.name !== row.name || checksum(m.sql) !== row.checksum)
      throw new StoreError(
        'migration_mismatch',
        file,
        `The database ${file} records migration ${row.version} "${row.name}" with a different content than this Vigil's "${m.name}". Refusing to open it.`,
      );
  }
  const done = new Set(applied.map((r) => r.version));
  const record = db.prepare('INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES (?, ?, ?, ?)');
  const pending = [...list].sort((a, b) => a.version - b.version).filter((m) => !done.has(m.version));
  for (const m of pending) {
    db.transaction(() => {
      db.exec(m.sql);
      record.run(m.version, m.name, checksum(m.sql), Date.now());
    })();
  }
}

export function openDatabase(file: string, opts: OpenOptions): DB {
  let db: DB | undefined;
  try {
    if (file !== ':memory:') fs.mkdirSync(path.dirname(file), { recursive: true });
    db = new Database(file, {
      nativeBinding: opts.nativeBinding,
      readonly: opts.readonly ?? false,
      fileMustExist: opts.readonly ?? false,
    });
    db.pragma('journal_mode = WAL');
    db.pragma('foreign_keys = ON');
    db.pragma('synchronous = NORMAL');
    db.pragma('busy_timeout = 5000');
    const quick = db.pragma('quick_check', { simple: true });
    if (quick !== 'ok') throw new StoreError('corrupt', file, `The database file ${file} failed its integrity check (${String(quick)}).`);
    applyMigrations(db, file, opts.migrations);
    return db;
  } catch (err) {
    try {
      db?.close();
    } catch {
      /* already unusable */
    }
    throw classify(err, file);
  }
}

/** Renames an unusable database (and its WAL/SHM) aside; returns the new name. */
export function moveAside(file: string, now: number): string {
  const stamp = new Date(now).toISOString().replace(/[:.]/g, '-');
  const target = `${file}.broken-${stamp}`;
  for (const suffix of ['', '-wal', '-shm']) {
    if (fs.existsSync(file + suffix)) fs.renameSync(file + suffix, target + suffix);
  }
  return target;
}
