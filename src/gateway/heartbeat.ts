/**
 * The heartbeat: every `everyMs` each connection gets a ping, and one not heard from (any frame, a pong
 * included) for more than `deadAfterMs` is terminated: a console behind a dead VPN is not held open.
 */
import type { Clock, TimerHandle } from '@node/clock';
import { send, type Conn } from './conn';

export interface Heartbeat {
  stop(): void;
}

export function startHeartbeat(o: {
  clock: Pick<Clock, 'now' | 'setTimeout' | 'clearTimeout'>;
  conns: () => Iterable<Conn>;
  everyMs: number;
  deadAfterMs: number;
}): Heartbeat {
  let timer: TimerHandle | null = null;
  const beat = () => {
    timer = o.clock.setTimeout(() => {
      const now = o.clock.now();
      for (const c of o.conns()) {
        if (now - c.lastHeard > o.deadAfterMs) c.ws.terminate();
        else send(c, { type: 'ping', t: now });
      }
      beat();
    }, o.everyMs);
  };
  beat();
  return {
    stop() {
      o.clock.clearTimeout(timer);
      timer = null;
    },
  };
}
