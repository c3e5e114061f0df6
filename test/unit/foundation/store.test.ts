import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { checksum, moveAside, openDatabase, StoreError } from '@node/sqlite';
import { openCoreDatabase } from '@core/store/open';
import { migrations } from '@core/store/migrations';
import { tempDir } from '@test/helpers/tmp';

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));
function dbFile() {
  const t = tempDir();
  cleanups.push(t.cleanup);
  return path.join(t.dir, 'vigil.db');
}
const applied = (file: string) =>
  new Database(file).prepare('SELECT version, name, checksum FROM schema_migrations ORDER BY version').all() as {
    version: number;
    name: string;
    checksum: string;
  }[];

describe('store migrations', () => {
  it('creates the whole schema on a fresh database, in WAL with foreign keys on', () => {
    const file = dbFile();
    const db = openCoreDatabase(file);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type IN ('table')").all() as { name: string }[]).map((r) => r.name);
    for (const t of ['alerts', 'alert_events', 'silences', 'runbooks', 'runbooks_fts', 'dashboards', 'panels', 'series_snapshots', 'rosters', 'people', 'escalation_levels', 'checklist_templates', 'checklist_runs', 'checklist_steps', 'incidents', 'incident_timeline', 'handovers', 'outbox', 'audit_log', 'sync_cursor', 'settings'])
      expect(tables).toContain(t);
    db.close();
    expect(applied(file).map((r) => r.version)).toEqual(migrations.map((m) => m.version));
    expect(applied(file)[0].checksum).toBe(checksum(migrations[0].sql));
  });

  it('reopens an existing database without applying anything twice and keeps its data', () => {
    const file = dbFile();
    const db = openCoreDatabase(file);
    db.prepare('INSERT INTO settings (key, value) VALUES (?, ?)').run('operator', '"Li Wei"');
    const before = applied(file);
    db.close();
    const again = openCoreDatabase(file);
    expect(applied(file)).toEqual(before);
    expect(again.prepare('SELECT value FROM settings WHERE key = ?').get('operator')).toEqual({ value: '"Li Wei"' });
    again.close();
  });

  it('applies only the migrations a database lacks', () => {
    const file = dbFile();
    openDatabase(file, { migrations: migrations.slice(0, 1) }).close();
    const extra = { version: 99, name: 'extra', sql: 'CREATE TABLE extra (x INTEGER);' };
    const db = openDatabase(file, { migrations: [...migrations.slice(0, 1), extra] });
    expect(applied(file).map((r) => r.version)).toEqual([1, 99]);
    db.close();
  });

  it('refuses a database whose recorded migration differs from the code, with a clear message', () => {
    const file = dbFile();
    openDatabase(file, { migrations: [{ version: 1, name: 'initial', sql: 'CREATE TABLE a (x INTEGER);' }] }).close();
    const err = (() => {
      try {
        openDatabase(file, { migrations: [{ version: 1, name: 'initial', sql: 'CREATE TABLE a (y TEXT);' }] });
      } catch (e) {
        return e as StoreError;
      }
    })();
    expect(err).toBeInstanceOf(StoreError);
    expect(err!.code).toBe('migration_mismatch');
    expect(err!.message).toMatch(/migration 1 "initial".*different content/);
  });

  it('refuses a database written by a newer version', () => {
    const file = dbFile();
    openDatabase(file, { migrations: [...migrations, { version: 500, name: 'future', sql: 'CREATE TABLE f (x);' }] }).close();
    expect(() => openCoreDatabase(file)).toThrowError(/newer Vigil.*migration 500 "future"/);
  });

  it('rolls back a failing migration completely', () => {
    const file = dbFile();
    const bad = { version: 2, name: 'bad', sql: 'CREATE TABLE ok1 (x); CREATE TABLE broken (;' };
    expect(() => openDatabase(file, { migrations: [migrations[0], bad] })).toThrow(StoreError);
    const db = new Database(file);
    expect(db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 'ok1'").get()).toEqual({ n: 0 });
    expect(applied(file).map((r) => r.version)).toEqual([1]);
  });
});

describe('store errors', () => {
  it('reports a damaged file as corrupt, and moveAside keeps it next to a fresh one', () => {
    const file = dbFile();
    fs.writeFileSync(file, 'definitely not sqlite '.repeat(300));
    let err: StoreError | undefined;
    try {
      openCoreDatabase(file);
    } catch (e) {
      err = e as StoreError;
    }
    expect(err?.code).toBe('corrupt');
    expect(err?.message).toContain(file);
    const moved = moveAside(file, Date.UTC(2026, 10, 21, 3, 0, 0));
    expect(fs.existsSync(moved)).toBe(true);
    expect(moved).toMatch(/vigil\.db\.broken-2026-11-21T03-00-00-000Z$/);
    openCoreDatabase(file).close();
  });

  it('reports a data folder that cannot be created as unwritable, also for root', () => {
    // root ignores file permissions, but nobody can create a folder where a regular file stands
    const t = tempDir();
    cleanups.push(t.cleanup);
    const blocker = path.join(t.dir, 'file');
    fs.writeFileSync(blocker, 'x');
    let err: StoreError | undefined;
    try {
      openCoreDatabase(path.join(blocker, 'data', 'vigil.db')).close();
    } catch (e) {
      err = e as StoreError;
    }
    expect(err).toBeInstanceOf(StoreError);
    expect(err?.code).toBe('unwritable');
  });

  it.skipIf(process.getuid?.() === 0)('reports a directory it cannot write as unwritable (permissions; root ignores them)', () => {
    const t = tempDir();
    cleanups.push(t.cleanup);
    fs.chmodSync(t.dir, 0o500);
    let err: StoreError | undefined;
    try {
      openCoreDatabase(path.join(t.dir, 'vigil.db'));
    } catch (e) {
      err = e as StoreError;
    }
    expect(err?.code).toBe('unwritable');
  });
});
