/**
 * Whether the console can write its data: a full disk or an unwritable data folder is noticed where a
 * write fails (storing platform data in the link, a method's write through dispatch), told to the console
 * as one clear problem (`storageHealth` event: what happened, where, what to do) and cleared by the next
 * write that works (the link storing a batch or snapshot). Nothing here retries: the link backs off.
 */
import type { StorageProblem } from '@shared/domain';
import type { Clock } from '@node/clock';
import type { Logger } from '@node/log';
import type { CoreBus } from './bus';

export interface StorageWatch {
  /** a write failed: true (and reported) when it is a storage problem, false for any other error */
  failed(err: unknown): boolean;
  /** a write worked: a reported problem is over */
  ok(): void;
  current(): StorageProblem | null;
}

/** The storage problem an error is, or null when it is something else (a bug, a constraint, bad data). */
export function storageProblemOf(err: unknown): StorageProblem['code'] | null {
  const e = err as { code?: unknown; message?: unknown } | null;
  const code = typeof e?.code === 'string' ? e.code : '';
  const msg = typeof e?.message === 'string' ? e.message : String(err);
  if (code === 'SQLITE_FULL' || code === 'ENOSPC' || /disk is full|no space left/i.test(msg)) return 'disk_full';
  if (/^SQLITE_(READONLY|CANTOPEN|PERM|AUTH)/.test(code) || ['EACCES', 'EROFS', 'EPERM'].includes(code) || /readonly database/i.test(msg))
    return 'read_only';
  if (code.startsWith('SQLITE_IOERR') || code === 'EIO') return 'io_error';
  return null;
}

export function createStorageWatch(o: { bus: Pick<CoreBus, 'emit'>; clock: Pick<Clock, 'now'>; log: Logger; dataDir: string }): StorageWatch {
  let problem: StorageProblem | null = null;
  return {
    failed(err) {
      const code = storageProblemOf(err);
      if (!code) return false;
      const message = (err instanceof Error ? err.message : String(err)).slice(0, 500);
      if (problem?.code === code) return true;
      problem = { code, message, since: o.clock.now(), dataDir: o.dataDir };
      o.log.log('error', 'storage.failed', { code, err: message, dataDir: o.dataDir });
      o.bus.emit('storageHealth', { problem });
      return true;
    },
    ok() {
      if (!problem) return;
      o.log.log('info', 'storage.recovered', { code: problem.code });
      problem = null;
      o.bus.emit('storageHealth', { problem: null });
    },
    current: () => problem,
  };
}
