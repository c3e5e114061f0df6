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
import { Worker } from 'node:worker_threads';

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
  /**
   * 'on-open' (default): `PRAGMA quick_check` before the file is used, a damaged file is refused at once.
   * 'deferred': the caller checks later with quickCheckOffThread() (on a 40 MiB cache the check takes a few
   * hundred ms; the console does it after its window is up, on another thread).
   */
  integrity?: 'on-open' | 'deferred';
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
    if (opts.integrity !== 'deferred') {
      const quick = db.pragma('quick_check', { simple: true });
      if (quick !== 'ok') throw integrityFailed(file, String(quick));
    }
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

/** the StoreError for a file whose quick_check did not answer "ok" */
export const integrityFailed = (file: string, result: string): StoreError =>
  new StoreError('corrupt', file, `The database file ${file} failed its integrity check (${result.slice(0, 500)}).`);

/** What quickCheckOffThread's worker runs: its own read-only connection, one quick_check, the answer posted. */
const QUICK_CHECK_WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
let answer;
try {
  const Database = require(workerData.module);
  const db = new Database(workerData.file, { readonly: true, fileMustExist: true, nativeBinding: workerData.nativeBinding });
  try {
    answer = { ok: true, result: String(db.pragma('quick_check', { simple: true })) };
  } finally {
    db.close();
  }
} catch (err) {
  answer = { ok: false, code: err && err.code, message: String(err && err.message || err) };
}
parentPort.postMessage(answer);
`;

export type QuickCheck = { ok: true; result: string } | { ok: false; code?: string; message: string };

/**
 * Runs `PRAGMA quick_check` on `file` in a worker thread with its own read-only connection (WAL lets it
 * read a consistent snapshot while the caller writes), so the caller's thread never waits for it. Resolves
 * with the pragma's answer ("ok" or the problems found) or, if the check could not run at all (no worker,
 * the file vanished), `{ ok: false }` with the reason; never rejects.
 */
export function quickCheckOffThread(file: string, nativeBinding?: string): Promise<QuickCheck> {
  return new Promise((resolve) => {
    let settled = false;
    const done = (a: QuickCheck) => {
      if (settled) return;
      settled = true;
      resolve(a);
    };
    try {
      const worker = new Worker(QUICK_CHECK_WORKER, {
        eval: true,
        workerData: { file, nativeBinding, module: require.resolve('better-sqlite3') },
      });
      worker.once('message', (a: QuickCheck) => done(a));
      worker.once('error', (err) => done({ ok: false, message: String(err) }));
      worker.once('exit', (code) => done({ ok: false, message: `the check's worker exited with ${code}` }));
      // a check under way must not keep a stopping process alive
      worker.unref();
    } catch (err) {
      done({ ok: false, message: String(err) });
    }
  });
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
