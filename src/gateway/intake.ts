/**
 * Source events into the log: invalid ones are counted and logged, logged ones counted, and every
 * connection is pumped. A store failure must not take the process down with the source's timer: the
 * changes are lost to the log, so clients are told the data is not trustworthy (degraded) until the source
 * reports healthy again.
 */
import type { Clock } from '@node/clock';
import type { Logger } from '@node/log';
import type { OfferedEvent } from './entities';
import type { Hub } from './hub';
import type { GatewayMetrics } from './metrics';
import type { GatewayStore, StoredEvent } from './store';

export interface Intake {
  /** appends source events to the log and pumps every connection; nothing after stop() */
  append(events: readonly OfferedEvent[]): void;
  /** counts events some other path logged (process actions), and moves the head gauge */
  logged(appended: readonly StoredEvent[]): void;
  /** the store is closing: later events are dropped */
  stop(): void;
}

export function createIntake(o: {
  store: Pick<GatewayStore, 'append' | 'head'>;
  clock: Pick<Clock, 'now'>;
  metrics: Pick<GatewayMetrics, 'eventsInvalid' | 'eventsLogged' | 'head'>;
  log: Logger;
  hub: Pick<Hub, 'setHealth' | 'pumpAll'>;
}): Intake {
  let stopped = false;

  const logged = (appended: readonly StoredEvent[]) => {
    for (const e of appended) o.metrics.eventsLogged.inc({ kind: e.kind });
    o.metrics.head.set(o.store.head());
  };

  return {
    append(events) {
      if (!events.length || stopped) return;
      let r: ReturnType<typeof o.store.append>;
      try {
        r = o.store.append(events, o.clock.now());
      } catch (err) {
        o.log.log('error', 'gateway.append_failed', { err: String(err), events: events.length });
        o.hub.setHealth({
          upstream: 'degraded',
          detail: `the gateway could not store upstream changes: ${String(err).slice(0, 300)}`,
        });
        return;
      }
      for (const bad of r.invalid) {
        o.metrics.eventsInvalid.inc({ kind: bad.kind.slice(0, 64) });
        o.log.log('warn', 'gateway.source_event_invalid', { kind: bad.kind, reason: bad.reason });
      }
      if (!r.appended.length) return;
      logged(r.appended);
      o.hub.pumpAll({ logged: r.appended });
    },
    logged,
    stop() {
      stopped = true;
    },
  };
}
