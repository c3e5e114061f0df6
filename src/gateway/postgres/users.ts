/**
 * The UserStore on PostgreSQL: the same code as on SQLite (sqlite/users.ts, standard SQL over a
 * SqlConnection) on a connection of its own, so every replica and the `users` command see the same people
 * and tokens, and the revision every change moves is the database's (each replica polls it).
 */
import { PgSync } from '@node/pg-sync';
import { createUserStore } from '../sqlite/users';
import type { UserStore } from '../users';
import { migratePostgres } from './migrate';
import { pgGatewayMigrations } from './schema';
import { describePgUrl, type PgStoreOptions } from './store';

export function openPgUserStore(o: PgStoreOptions): UserStore {
  const db = new PgSync({ ...o, applicationName: `${o.applicationName ?? 'vigil-gateway'} (users)` });
  try {
    migratePostgres(db, describePgUrl(o.connectionString), pgGatewayMigrations, (o.now ?? Date.now)());
  } catch (err) {
    db.close();
    throw err;
  }
  return createUserStore(db, () => db.close());
}
