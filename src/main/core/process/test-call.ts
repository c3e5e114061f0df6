/**
 * The shift self-check's test call (issue #16 item 6): the console asks the gateway (`paging.test`) to send a
 * marked TEST message through every channel configured for the person signed in here; the gateway answers
 * per channel as `comms.update` (each channel tries once, so the answer comes within its timeout). The step's
 * reading says which arrived and which did not, with the provider's answer. Without a connected gateway no
 * test is sent and the step says so: a queued test would prove nothing now.
 */
import type { AutoResult } from '@shared/checklists';
import type { LinkState } from '@shared/domain';
import { commsSettled, type Comms } from '@shared/paging';
import type { ActionSink, CoreContext } from '../context';
import { newId } from './util';

/** how long the step waits for every channel's answer (each channel tries once, within its timeout) */
export const TEST_CALL_WAIT_MS = 30_000;

export type TestCallReading = Pick<AutoResult, 'outcome' | 'reason' | 'value'>;

/**
 * The step's reading from the gateway's answer (null: none came in time), in codes the console says in the
 * reader's language (RunPanel's autoValue), whatever the language was when the check ran: per path
 * `<channel>[ (<person>)]: sent|dead|pending|retrying[ — <provider's answer>]`, then `console: delivered|
 * not_connected|no_login`; with no path `none: <why>`; `; ` between. The provider's answer stays as it came.
 */
export function readTestCall(c: Comms | null): TestCallReading {
  if (!c) return { outcome: 'fail', reason: 'paging_failed', value: 'no_answer' };
  const parts = c.deliveries.map((d) => {
    const name = d.person ? `${d.channel} (${d.person})` : d.channel;
    return `${name}: ${d.state}${d.state !== 'sent' && d.error ? ` — ${d.error.replace(/;/g, ',')}` : ''}`;
  });
  const consolePart = c.console ? [`console: ${c.console}`] : [];
  if (!c.deliveries.length) return { outcome: 'fail', reason: 'paging_none', value: [`none: ${c.none ?? 'no_channels'}`, ...consolePart].join('; ') };
  const all = c.console === 'delivered' && c.deliveries.every((d) => d.state === 'sent');
  return { outcome: all ? 'pass' : 'fail', reason: all ? 'paging_arrived' : 'paging_failed', value: [...parts, ...consolePart].join('; ').slice(0, 2000) };
}

export function createTestCalls(ctx: CoreContext, actions: ActionSink, linkState?: () => LinkState | null) {
  /** the tests this console waits for, with the latest answer */
  const waiting = new Map<string, { latest: Comms | null; check(): void }>();

  return {
    /** a `comms.update` of a test call (another console's are not ours and are dropped) */
    seen(c: Comms): void {
      const w = waiting.get(c.id);
      if (!w || c.kind !== 'test') return;
      w.latest = c;
      w.check();
    },
    /** sends the test and waits for every channel's answer; offline: says so and sends nothing */
    async run(): Promise<TestCallReading> {
      const link = linkState?.() ?? null;
      if (link?.status !== 'online') return { outcome: 'unknown', reason: 'paging_offline', value: link?.status ?? null };
      const id = newId(ctx);
      let finish = () => undefined as void;
      const answer = new Promise<Comms | null>((resolve) => {
        const done = () => {
          ctx.clock.clearTimeout(timer);
          const w = waiting.get(id);
          waiting.delete(id);
          resolve(w?.latest ?? null);
        };
        const timer = ctx.clock.setTimeout(done, TEST_CALL_WAIT_MS);
        finish = done;
        waiting.set(id, {
          latest: null,
          check() {
            const w = waiting.get(id);
            if (w?.latest && commsSettled(w.latest)) done();
          },
        });
      });
      try {
        actions.submit('paging.test', { testId: id }, ctx.operator());
      } catch (err) {
        finish();
        return { outcome: 'unknown', reason: 'paging_offline', value: err instanceof Error ? err.message.slice(0, 300) : null };
      }
      return readTestCall(await answer);
    },
  };
}
export type TestCalls = ReturnType<typeof createTestCalls>;
