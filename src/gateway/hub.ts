/**
 * The open connections and the upstream health they are told about: pumping all of them when the log
 * grows, and a `status` frame to every greeted connection when the health changes.
 */
import type { Logger } from '@node/log';
import { send, type Conn } from './conn';
import type { GatewayMetrics } from './metrics';
import type { SourceHealth } from './source';
import type { StoredEvent } from './store';
import type { Stream } from './stream';
import type { Tail } from './tail';

/** What the caller of pumpAll knows of the log: the events it just logged, or the head it just read. */
export interface LogNews {
  /** events this process logged and committed (the tail keeps them without reading them back) */
  logged?: readonly StoredEvent[];
  /** the head as just read (the tail reads only when it is behind it) */
  head?: number;
}

export interface Hub {
  readonly conns: ReadonlySet<Conn>;
  add(c: Conn): void;
  remove(c: Conn): void;
  /**
   * every open connection is sent what the log holds past its cursor; the tail is brought up to date first,
   * with at most one store read for all connections (none when `news` shows it already has the events)
   */
  pumpAll(news?: LogNews): void;
  health(): SourceHealth;
  /** a change (not a repeat) is logged, counted and sent to every connection that said hello */
  setHealth(h: SourceHealth): void;
}

/** The status frame for a health report (clusters only when the source has them). */
export const statusFrame = (h: SourceHealth) =>
  ({ type: 'status', upstream: h.upstream, detail: h.detail, ...(h.clusters ? { clusters: h.clusters } : {}) }) as const;

export function createHub(o: {
  metrics: Pick<GatewayMetrics, 'connections' | 'upstreamUp'>;
  log: Logger;
  stream: Pick<Stream, 'pump'>;
  tail?: Pick<Tail, 'offer' | 'refresh'>;
}): Hub {
  const conns = new Set<Conn>();
  let health: SourceHealth = { upstream: 'ok', detail: null };
  o.metrics.upstreamUp.set(1);
  return {
    conns,
    add(c) {
      conns.add(c);
      o.metrics.connections.set(conns.size);
    },
    remove(c) {
      conns.delete(c);
      o.metrics.connections.set(conns.size);
    },
    pumpAll(news) {
      if (o.tail) {
        if (news?.logged?.length) o.tail.offer(news.logged);
        o.tail.refresh(news?.head ?? news?.logged?.[news.logged.length - 1]?.seq);
      }
      for (const c of conns) o.stream.pump(c);
    },
    health: () => health,
    setHealth(h) {
      if (h.upstream === health.upstream && h.detail === health.detail && JSON.stringify(h.clusters) === JSON.stringify(health.clusters)) return;
      health = h;
      o.metrics.upstreamUp.set(h.upstream === 'ok' ? 1 : h.upstream === 'degraded' ? 0.5 : 0);
      o.log.log(h.upstream === 'ok' ? 'info' : 'warn', 'gateway.upstream', { upstream: h.upstream, detail: h.detail });
      for (const c of conns) if (c.clientId) send(c, statusFrame(h));
    },
  };
}
