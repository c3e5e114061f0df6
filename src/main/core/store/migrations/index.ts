/** The ordered list of migrations. Append only; the store refuses a database whose history differs. */
import initial from './001_initial';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const migrations: readonly Migration[] = [{ version: 1, name: 'initial', sql: initial }];
