/** The ordered list of migrations. Append only; the store refuses a database whose history differs. */
import type { Migration } from '@node/sqlite';
import initial from './001_initial';
import link from './002_link';
import knowledge from './003_knowledge';
import processMigration from './004_process';
import roster from './005_roster';
import alerts from './006_alerts';
import search from './007_search';
import historyParams from './008_history_params';
import identity from './009_identity';
import clusters from './010_clusters';
import performance from './013_performance';


const all: Migration[] = [
  { version: 1, name: 'initial', sql: initial },
  { version: 2, name: 'link', sql: link },
  { version: 3, name: 'knowledge', sql: knowledge },
  { version: 4, name: 'process', sql: processMigration },
  { version: 5, name: 'roster', sql: roster },
  { version: 6, name: 'alerts', sql: alerts },
  { version: 7, name: 'search', sql: search },
  { version: 8, name: 'history_params', sql: historyParams },
  { version: 9, name: 'identity', sql: identity },
  { version: 10, name: 'clusters', sql: clusters },
  { version: 13, name: 'performance', sql: performance },
];

/** A reserved number stays out of the list until it has SQL in it. */
export const migrations: readonly Migration[] = all.filter((m) => m.sql.trim() !== '');
