/**
 * The shift self-check's test call (issue #16 item 6): the console asks the gateway (`paging.test`) to send a
 * marked TEST message through every channel configured for the person signed in here; the gateway answers
 * per channel as `comms.update` (each channel tries once, so the answer comes within its timeout). The step's
 * reading says which arrived and which did not, with the provider's answer. Without a connected gateway no
 * test is sent and the step says so: a queued test would prove nothing now.
 */
import type { AutoResult } from '@shared/checklists';
import type { LinkState, Language } from '@shared/domain';
import { commsSettled, type Comms } from '@shared/paging';
import type { ActionSink, CoreContext } from '../context';
import { coreLanguage } from '../language';
import { newId } from './util';

/** how long the step waits for every channel's answer (each channel tries once, within its timeout) */
export const TEST_CALL_WAIT_MS = 30_000;

const TEXT = {
  en: {
    console: 'this console',
    sent: 'arrived',
    dead: 'did not arrive',
    waiting: 'no answer yet',
    connected: 'connected',
    notConnected: 'not connected',
    noLogin: 'not signed in as a person',
    none: { paging_off: 'the platform does not send messages (paging is off)', no_roster: 'the platform has no roster', no_channels: 'no channel reaches you in the roster', not_in_roster: 'you are not in the platform roster' },
    sep: '; ',
    colon: ': ',
  },
  'zh-CN': {
    console: '本机控制台',
    sent: '已送达',
    dead: '未送达',
    waiting: '尚无回应',
    connected: '已连接',
    notConnected: '未连接',
    noLogin: '未以个人身份登录',
    none: { paging_off: '平台未开启消息发送（呼叫功能关闭）', no_roster: '平台没有值班表', no_channels: '值班表中没有能联系到你的通道', not_in_roster: '你不在平台的值班表中' },
    sep: '；',
    colon: '：',
  },
} as const;

export type TestCallReading = Pick<AutoResult, 'outcome' | 'reason' | 'value'>;

/** the step's reading from the gateway's answer (null: none came in time) */
export function readTestCall(c: Comms | null, lng: Language): TestCallReading {
  const t = TEXT[lng];
  if (!c) return { outcome: 'fail', reason: 'paging_failed', value: t.waiting };
  const parts = c.deliveries.map((d) => {
    const name = d.person ? `${d.channel} (${d.person})` : d.channel;
    const state = d.state === 'sent' ? t.sent : d.state === 'dead' ? t.dead : t.waiting;
    return `${name}${t.colon}${state}${d.state !== 'sent' && d.error ? ` — ${d.error}` : ''}`;
  });
  const consoleOk = c.console === 'delivered';
  const consoleState = consoleOk ? t.connected : c.console === 'not_connected' ? t.notConnected : t.noLogin;
  parts.push(`${t.console}${t.colon}${consoleState}`);
  if (!c.deliveries.length) {
    const why = c.none ? t.none[c.none] : t.none.no_channels;
    return { outcome: 'fail', reason: 'paging_none', value: c.console ? `${why}${t.sep}${parts.at(-1)}` : why };
  }
  const all = consoleOk && c.deliveries.every((d) => d.state === 'sent');
  return { outcome: all ? 'pass' : 'fail', reason: all ? 'paging_arrived' : 'paging_failed', value: parts.join(t.sep).slice(0, 2000) };
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
      const lng = coreLanguage(ctx.settings());
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
      return readTestCall(await answer, lng);
    },
  };
}
export type TestCalls = ReturnType<typeof createTestCalls>;
