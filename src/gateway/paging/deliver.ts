/**
 * The outbox worker: sends the pending page messages (written to the PagingStore before anything goes
 * out), one at a time per channel and channels side by side; retries with exponential backoff (or the
 * vendor's Retry-After), holds a channel at its rate limit (per minute, sliding) and after a vendor's
 * "too fast", and moves a message to the dead letters after `maxAttempts` tries or at once when the vendor's
 * answer says it can never succeed. Time and timeouts come from the injected clock.
 *
 * Each message is claimed before its request (PagingStore.claim, atomic): with several replicas, or two
 * passes, one deliverer sends it, so in normal operation a message goes out once. Delivery is at least once
 * over a crash: a message whose request was in flight when the process died is sent again when its claim
 * runs out (the channel's timeout + CLAIM_MARGIN_MS after the claim), by whichever deliverer runs then (a
 * lost page is worse than a repeated one); a level is never paged twice (runner.ts).
 */
import type { Channel } from '@shared/paging';
import type { Clock, TimerHandle } from '@node/clock';
import type { Logger } from '@node/log';
import type { StoredBody } from './message';
import { channelSecret, type SecretEnv } from './secrets';
import type { MessageRow, PagingStore } from './store';
import { buildRequest, classify, DEFAULT_RATE_PER_MINUTE, type Answer } from './vendors';

const MINUTE = 60_000;
/**
 * A claimed message is due again this long after its request's timeout (the time to store the answer): when
 * the claimer died mid-request, another deliverer sends it then.
 */
export const CLAIM_MARGIN_MS = 30_000;
/** the most of a vendor's answer that is read (and kept with a failure) */
const MAX_ANSWER_BYTES = 16 * 1024;

export interface Backoff {
  baseMs: number;
  maxMs: number;
}
export const DEFAULT_BACKOFF: Backoff = { baseMs: 5_000, maxMs: 5 * MINUTE };

export function backoffDelay(b: Backoff, attempts: number): number {
  return Math.min(b.maxMs, b.baseMs * 2 ** Math.max(0, attempts - 1));
}

/** per channel: sends in the last minute, and a hold after the vendor said "too fast" */
export function createRateLimiter() {
  const sent = new Map<string, number[]>();
  const held = new Map<string, number>();
  return {
    /** 0 when a message may go now (and counts it), else how long to wait */
    take(c: Channel, now: number): number {
      const until = held.get(c.id) ?? 0;
      if (until > now) return until - now;
      const limit = c.ratePerMinute ?? DEFAULT_RATE_PER_MINUTE[c.type];
      const list = (sent.get(c.id) ?? []).filter((t) => t > now - MINUTE);
      sent.set(c.id, list);
      if (list.length >= limit) return list[0] + MINUTE - now;
      list.push(now);
      return 0;
    },
    hold(id: string, until: number) {
      held.set(id, Math.max(held.get(id) ?? 0, until));
    },
  };
}

export type FetchLike = (
  url: string,
  init: { method: string; headers: Record<string, string>; body: string; signal: AbortSignal; redirect: 'manual' },
) => Promise<{ status: number; headers: Headers; text(): Promise<string> }>;

/** One HTTP exchange with the vendor, given up after the channel's timeout (on the injected clock). */
export async function sendRequest(
  c: Channel,
  secret: string | null,
  body: StoredBody,
  o: { clock: Clock; fetch: FetchLike },
): Promise<Answer> {
  const req = buildRequest(c, secret, body, o.clock.now());
  const ac = new AbortController();
  let timedOut = false;
  const timer = o.clock.setTimeout(() => {
    timedOut = true;
    ac.abort();
  }, c.timeoutMs);
  try {
    const res = await o.fetch(req.url, { method: req.method, headers: req.headers, body: req.body, signal: ac.signal, redirect: 'manual' });
    const text = (await res.text()).slice(0, MAX_ANSWER_BYTES);
    return classify(c.type, res.status, res.headers, text);
  } catch (err) {
    if (timedOut) return { ok: false, retry: true, error: `no answer within ${c.timeoutMs} ms` };
    const cause = (err as { cause?: { code?: string } }).cause?.code;
    return { ok: false, retry: true, error: `request failed: ${cause ?? (err instanceof Error ? err.message : String(err))}`.slice(0, 300) };
  } finally {
    o.clock.clearTimeout(timer);
  }
}

export interface DelivererDeps {
  store: PagingStore;
  clock: Clock;
  log: Logger;
  /** the channels of the roster the gateway pages from, by id */
  channels(): ReadonlyMap<string, Channel>;
  env?: SecretEnv;
  fetch?: FetchLike;
  backoff?: Backoff;
  /** a message changed state (sent, retrying, dead): its ladder's or comms' owner tells consoles */
  onChanged(m: Pick<MessageRow, 'ladderId' | 'commsId'>): void;
}

export function createDeliverer(d: DelivererDeps) {
  const fetchImpl: FetchLike = d.fetch ?? ((url, init) => fetch(url, init));
  const backoff = d.backoff ?? DEFAULT_BACKOFF;
  const limiter = createRateLimiter();
  let timer: TimerHandle | null = null;
  let running = false;
  let passing: Promise<void> | null = null;
  let again = false;

  async function deliver(c: Channel, m: MessageRow): Promise<void> {
    const now = d.clock.now();
    // another replica's deliverer (or a pass of ours) may have taken it since it was read
    if (!d.store.claim(m.id, m.attempts, now, now + c.timeoutMs + CLAIM_MARGIN_MS)) return;
    const wait = limiter.take(c, now);
    if (wait > 0) {
      d.store.markRetry(m.id, m.attempts, now + wait, m.lastError ?? `held by the channel's rate limit`);
      return;
    }
    let answer: Answer;
    try {
      answer = await sendRequest(c, channelSecret(c, d.env), JSON.parse(m.body) as StoredBody, { clock: d.clock, fetch: fetchImpl });
    } catch (err) {
      answer = { ok: false, retry: true, error: err instanceof Error ? err.message : String(err) };
    }
    const attempts = m.attempts + 1;
    const at = d.clock.now();
    if (answer.ok) {
      d.store.markSent(m.id, attempts, at);
      d.log.log('info', 'paging.sent', { id: m.id, channel: c.id, attempts });
    } else if (!answer.retry || attempts >= (m.maxAttempts ?? c.maxAttempts)) {
      d.store.markDead(m.id, attempts, at, answer.error);
      d.log.log('error', 'paging.dead_letter', { id: m.id, channel: c.id, attempts, error: answer.error });
    } else {
      if (answer.retryAfterMs !== undefined) limiter.hold(c.id, at + answer.retryAfterMs);
      const delay = Math.max(backoffDelay(backoff, attempts), answer.retryAfterMs ?? 0);
      d.store.markRetry(m.id, attempts, at + delay, answer.error);
      d.log.log('warn', 'paging.retry', { id: m.id, channel: c.id, attempts, inMs: delay, error: answer.error });
    }
    d.onChanged(m);
  }

  async function pass(): Promise<void> {
    const due = d.store.dueMessages(d.clock.now(), 200);
    const channels = d.channels();
    const byChannel = new Map<string, MessageRow[]>();
    for (const m of due) {
      if (!channels.has(m.channel)) {
        d.store.markDead(m.id, m.attempts, d.clock.now(), `channel ${m.channel} is no longer in the roster`);
        d.onChanged(m);
        continue;
      }
      byChannel.set(m.channel, [...(byChannel.get(m.channel) ?? []), m]);
    }
    await Promise.all(
      [...byChannel].map(async ([id, list]) => {
        for (const m of list) await deliver(channels.get(id)!, m);
      }),
    );
  }

  function schedule() {
    d.clock.clearTimeout(timer);
    timer = null;
    if (!running) return;
    const next = d.store.nextDue();
    if (next !== null) timer = d.clock.setTimeout(kick, Math.max(0, next - d.clock.now()));
  }

  function kick(): void {
    if (!running) return;
    if (passing) {
      again = true;
      return;
    }
    passing = pass()
      .catch((err) => d.log.log('error', 'paging.deliver_failed', { err: String(err) }))
      .finally(() => {
        passing = null;
        if (again) {
          again = false;
          kick();
        } else schedule();
      });
  }

  return {
    /** send what is due now (after new messages were written) */
    kick,
    /** whether it runs here (on a replica that does not lead, it does not) */
    running: () => running,
    start() {
      running = true;
      kick();
    },
    stop() {
      running = false;
      d.clock.clearTimeout(timer);
      timer = null;
    },
    /** resolves when no pass is running (tests, and a graceful stop) */
    async idle(): Promise<void> {
      while (passing) await passing;
    },
  };
}
export type Deliverer = ReturnType<typeof createDeliverer>;
