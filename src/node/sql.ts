/**
 * The part of a SQL connection that store code written once for SQLite and PostgreSQL needs: prepared
 * statements with `?` placeholders (get/all/run) and `transaction(fn)`, which wraps fn in a transaction (a
 * savepoint when nested) and rolls back when fn throws. better-sqlite3's Database has this shape, and so has
 * the synchronous PostgreSQL connection (pg-sync.ts). Only standard SQL both engines accept goes through it
 * (upserts with ON CONFLICT, RETURNING); engine-specific code stays in the engine's own files.
 */
export interface SqlStatement {
  get(...params: unknown[]): unknown;
  all(...params: unknown[]): unknown[];
  run(...params: unknown[]): { changes: number };
}

export interface SqlConnection {
  prepare(sql: string): SqlStatement;
  transaction<A extends unknown[], R>(fn: (...args: A) => R): (...args: A) => R;
}
