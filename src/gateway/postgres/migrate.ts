/**
 * Applies the PostgreSQL migrations (schema.ts) the way @node/sqlite does for SQLite: each applied version
 * is recorded in schema_migrations with the sha256 of its SQL, a database whose history differs from this
 * build's is refused with a clear message, and pending versions are applied in order. All of it runs in
 * one transaction under an advisory lock, so replicas starting together apply each migration once.
 */
import { checksum, StoreError } from '@node/sqlite';
import type { PgSync } from '@node/pg-sync';
import { LOCKS } from './locks';
import type { PgMigration } from './schema';

export function migratePostgres(db: PgSync, where: string, list: readonly PgMigration[], now: number): void {
  db.transaction(() => {
    db.query('SELECT pg_advisory_xact_lock($1, $2)', LOCKS.migrations);
    db.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version INTEGER PRIMARY KEY, name TEXT NOT NULL, checksum TEXT NOT NULL, applied_at BIGINT NOT NULL)`);
    const applied = db.query<{ version: number; name: string; checksum: string }>(
      'SELECT version, name, checksum FROM schema_migrations ORDER BY version',
    ).rows;
    const known = new Map(list.map((m) => [m.version, m]));
    for (const row of applied) {
      const m = known.get(row.version);
      if (!m)
        throw new StoreError(
          'migration_mismatch',
          where,
          `The database ${where} was written by a newer Vigil gateway (it has migration ${row.version} "${row.name}" which this version does not know). Upgrade every replica to the same version.`,
        );
      if (m.name !== row.name || checksum(m.sql) !== row.checksum)
        throw new StoreError(
          'migration_mismatch',
          where,
          `The database ${where} records migration ${row.version} "${row.name}" with a different content than this gateway's "${m.name}". Refusing to use it.`,
        );
    }
    const done = new Set(applied.map((r) => r.version));
    for (const m of [...list].sort((a, b) => a.version - b.version).filter((x) => !done.has(x.version))) {
      db.query(m.sql);
      db.query('INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES ($1, $2, $3, $4)', [
        m.version,
        m.name,
        checksum(m.sql),
        now,
      ]);
    }
  })();
}
