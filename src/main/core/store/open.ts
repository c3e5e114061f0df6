/** The console's own database: `vigil.db` in the data dir, with the console's migrations. */
import { openDatabase, type DB, type OpenOptions } from '@node/sqlite';
import { migrations } from './migrations';

export function openCoreDatabase(file: string, opts: Partial<OpenOptions> = {}): DB {
  return openDatabase(file, { ...opts, migrations: opts.migrations ?? migrations });
}
