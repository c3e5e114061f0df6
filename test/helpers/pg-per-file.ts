/**
 * One throwaway PostgreSQL server per test file (test/services/postgres.ts), started before the file's tests
 * and removed after them, with a database per key (a test's temp dir): the fixture the store contracts run
 * their PostgreSQL implementation on.
 *
 *   const pg = postgresPerFile('contract');          // at the top level of the test file
 *   openPgGatewayStore({ connectionString: pg.urlFor(dir) });
 *   pg.psql('SELECT …', pg.databaseOf(dir));
 */
import { afterAll, beforeAll } from 'vitest';
import { startPostgres, type PostgresService } from '@test/services/postgres';

export interface PostgresPerFile {
  /** the URL of the database kept for `key`, created on first use */
  urlFor(key: string): string;
  /** the name of the database kept for `key` (for psql) */
  databaseOf(key: string): string;
  /** runs SQL with psql on a database of the server */
  psql(sql: string, database?: string): string;
}

export function postgresPerFile(prefix: string): PostgresPerFile {
  if (!/^[a-z_][a-z0-9_]*$/.test(prefix)) throw new Error(`not a plain database name prefix: ${prefix}`);
  let pg: PostgresService | null = null;
  const databases = new Map<string, string>();
  beforeAll(async () => {
    pg = await startPostgres();
  }, 120_000);
  afterAll(async () => {
    await pg?.stop();
  });
  const server = (): PostgresService => {
    if (!pg) throw new Error('the PostgreSQL of this file is not started (use it inside tests)');
    return pg;
  };
  const databaseOf = (key: string): string => {
    let name = databases.get(key);
    if (!name) {
      name = `${prefix}_${databases.size + 1}`;
      server().psql(`CREATE DATABASE ${name}`);
      databases.set(key, name);
    }
    return name;
  };
  return {
    databaseOf,
    urlFor: (key) => `postgres://postgres@127.0.0.1:${server().port}/${databaseOf(key)}`,
    psql: (sql, database) => server().psql(sql, database),
  };
}
