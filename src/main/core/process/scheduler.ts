/**
 * One timer for a set of deadlines kept in the database. `next()` reads the earliest pending deadline;
 * `fire(now)` handles everything due and marks it done, so waking early or twice is harmless. Deadlines
 * are recomputed from stored timestamps, which is what makes them survive a restart.
 */
import type { Clock, TimerHandle } from '@node/clock';

/** Long waits are cut into slices: setTimeout overflows past ~24.8 days, and a laptop may sleep through one. */
const MAX_WAIT_MS = 60 * 60 * 1000;

const RETRY_MS = 60 * 1000;

export interface DeadlineScheduler {
  start(): void;
  stop(): void;
  /** call after any change that may move the earliest deadline */
  rearm(): void;
}

export function createDeadlineScheduler(
  clock: Clock,
  next: () => number | null,
  fire: (now: number) => void,
  onError: (err: unknown) => void,
): DeadlineScheduler {
  let handle: TimerHandle | null = null;
  let running = false;
  /** after a failed fire, wait before trying the same deadline again rather than spinning */
  let notBefore = 0;

  function arm(): void {
    clock.clearTimeout(handle);
    handle = null;
    if (!running) return;
    const at = next();
    if (at === null) return;
    const wait = Math.min(MAX_WAIT_MS, Math.max(0, at - clock.now(), notBefore - clock.now()));
    handle = clock.setTimeout(() => {
      handle = null;
      try {
        if (clock.now() >= at) fire(clock.now());
      } catch (err) {
        notBefore = clock.now() + RETRY_MS;
        onError(err);
      }
      arm();
    }, wait);
  }

  return {
    start() {
      running = true;
      arm();
    },
    stop() {
      running = false;
      clock.clearTimeout(handle);
      handle = null;
    },
    rearm: arm,
  };
}
