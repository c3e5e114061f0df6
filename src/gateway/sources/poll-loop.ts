/** The Alertmanager source's poll loop: a poll on demand or on a timer, never two at once. */
import type { Clock, TimerHandle } from '@node/clock';

export interface PollLoop {
  /** polls now; resolves when that poll (or the follow-up it joined) has finished */
  refresh(): Promise<void>;
  stopped(): boolean;
  start(): void;
  /** no more polls; resolves when the poll under way (if any) has finished */
  stop(): Promise<void>;
}

/**
 * Polls every `intervalMs` after the previous poll ended. Polls never overlap: a refresh during a poll is
 * served by a single follow-up poll that every such caller shares. Nothing polls before start() or after stop().
 */
export function createPollLoop(
  clock: Pick<Clock, 'setTimeout' | 'clearTimeout'>,
  intervalMs: number,
  poll: () => Promise<void>,
): PollLoop {
  let timer: TimerHandle | null = null;
  let running: Promise<void> | null = null;
  let queued: Promise<void> | null = null;
  let stopped = true;

  const once = async () => {
    clock.clearTimeout(timer);
    timer = null;
    try {
      await poll();
    } finally {
      if (!stopped) timer = clock.setTimeout(() => void refresh(), intervalMs);
    }
  };

  const refresh = (): Promise<void> => {
    if (stopped) return Promise.resolve();
    if (!running) {
      running = once().finally(() => {
        running = null;
      });
      return running;
    }
    queued ??= running.then(() => {
      queued = null;
      return refresh();
    });
    return queued;
  };

  return {
    refresh,
    stopped: () => stopped,
    start() {
      stopped = false;
    },
    async stop() {
      stopped = true;
      clock.clearTimeout(timer);
      timer = null;
      await running;
    },
  };
}
