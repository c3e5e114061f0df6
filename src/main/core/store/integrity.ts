/**
 * The store's integrity check, deferred from opening (phases.ts openStore) to the warm-up: a `PRAGMA
 * quick_check` on another thread with its own read-only connection, so the first screen never waits for
 * it (a few hundred ms on a 40 MiB cache). If no worker can run it, it runs on this thread, still after
 * the first screen. A damaged file is handed to `failed`, which takes the store down as an open would have.
 */
import type { Logger } from '@node/log';
import { integrityFailed, quickCheckOffThread, type DB, type StoreError } from '@node/sqlite';
import type { WarmupJob } from '../warmup';

export interface IntegrityDeps {
  file: string;
  nativeBinding?: string;
  log: Logger;
  /** the connection the check is for */
  db: DB;
  /** `db` is still the core's open store (not closed or recovered meanwhile) */
  current(): boolean;
  failed(err: StoreError): Promise<void>;
}

export function integrityJob(d: IntegrityDeps): WarmupJob {
  return {
    task: 'integrity',
    run: async () => {
      const r = await quickCheckOffThread(d.file, d.nativeBinding);
      let result = r.ok ? r.result : null;
      // the worker could not even open the file: damaged beyond what quick_check reports
      if (!r.ok && /CORRUPT|NOTADB/.test(r.code ?? '')) result = r.message;
      if (result === null) {
        d.log.log('warn', 'store.integrity_on_main_thread', { why: r.ok ? '' : r.message });
        if (!d.current()) return;
        result = String(d.db.pragma('quick_check', { simple: true }));
      }
      if (result !== 'ok' && d.current()) await d.failed(integrityFailed(d.file, result));
    },
  };
}
