/**
 * The gateway with the Alertmanager source across restarts and crashes, against a real Alertmanager 0.25
 * (test/services/alertmanager.ts) and a real gateway on loopback with its SQLite in a temp dir.
 *
 * The one thing simulated is the crash itself: a SIGKILL between "the source applied the action upstream"
 * and "the gateway stored its result" is reproduced in-process by a source that, once Alertmanager has
 * taken the action, kills the gateway (`Gateway.kill()`: sockets dropped, database closed, nothing
 * awaited) and never answers. The chaos suite (test/chaos) does the same with real SIGKILLs.
 */
import { v7 as uuidv7 } from 'uuid';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from '@gateway/server';
import type { Source } from '@gateway/source';
import { createAlertmanagerSource, type AlertmanagerSource } from '@gateway/sources/alertmanager';
import type { Alert } from '@shared/alerts';
import { startAlertmanager, type AlertmanagerHarness } from '@test/services/alertmanager';
import { tempDir } from '@test/helpers/tmp';
import { Client, gateway } from '../link/helpers';
import { until } from '@test/helpers/until';

let am: AlertmanagerHarness;
let cleanups: (() => unknown)[] = [];

beforeAll(async () => {
  am = await startAlertmanager();
});
afterAll(async () => {
  await am?.stop();
});
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups = [];
});

const source = () =>
  createAlertmanagerSource({ alertmanagerUrl: am.url, pollIntervalMs: 60_000, requestTimeoutMs: 3000, warn: () => {} });

function dataDir(): string {
  const d = tempDir('vigil-gw-restart-');
  cleanups.push(d.cleanup);
  return d.dir;
}

async function startGw(src: Source, dir: string): Promise<Gateway> {
  const gw = await gateway(src, dir);
  cleanups.push(() => gw.close());
  return gw;
}

async function connect(gw: Gateway): Promise<Client> {
  const c = await Client.open(gw.url);
  cleanups.push(() => c.ws.terminate());
  c.hello();
  await c.next('welcome');
  return c;
}

/** The Alertmanager source, except that the gateway dies right after Alertmanager took the next action. */
function crashingAfterApply(inner: AlertmanagerSource, crash: () => Promise<void>): Source {
  return {
    name: inner.name,
    start: (c) => inner.start(c),
    stop: () => inner.stop(),
    async apply(action, opts) {
      await inner.apply(action, opts);
      await crash();
      return new Promise(() => {}); // the process is gone: no result is ever stored
    },
  };
}

const storedAlerts = (gw: Gateway) => gw.store.current('alert').map((e) => e.data as Alert);
const silencesWith = async (comment: string) => (await am.silences()).filter((s) => s.comment === comment);

describe('a restarted gateway with the alertmanager source', () => {
  it('re-reports nothing unchanged, and resolves the alerts that ended while it was down', async () => {
    const run = uuidv7();
    const labels = (i: number) => ({ alertname: 'RestartProbe', run, n: String(i), severity: 'warning' });
    await am.postAlerts(Array.from({ length: 40 }, (_, i) => ({ labels: labels(i) })));
    const dir = dataDir();
    const mine = (gw: Gateway) => storedAlerts(gw).filter((a) => a.labels.run === run);

    const first = await startGw(source(), dir);
    await until(() => mine(first).length === 40, 'the 40 alerts to be stored');
    const before = new Map(first.store.current('alert').map((e) => [e.id, e.data]));
    const head = first.store.head();
    await first.close();

    // while the gateway is down, one alert ends in Alertmanager
    await am.postAlerts([{ labels: labels(7), endsAt: new Date().toISOString() }]);

    const src = source();
    const second = await startGw(src, dir); // start() has polled once already
    await src.refresh();
    const ended = mine(second).find((a) => a.labels.n === '7')!;
    expect(ended.state).toBe('resolved');
    expect(ended.endsAt).not.toBeNull();
    // exactly one new event: that resolution; the 39 others are as they were (same updatedAt included)
    expect(second.store.head()).toBe(head + 1);
    const unchanged = mine(second).filter((a) => a.labels.n !== '7');
    expect(unchanged).toHaveLength(39);
    for (const a of unchanged) expect(a).toEqual(before.get(a.fingerprint));
  });
});

describe('an action the gateway died applying', () => {
  it('is applied upstream once when the client resends it: ack and silence', async () => {
    const dir = dataDir();
    const fp = await (async () => {
      const run = uuidv7();
      await am.postAlerts([{ labels: { alertname: 'CrashAckProbe', run, severity: 'critical' } }]);
      return until(async () => (await am.alerts()).find((a) => a.labels.run === run)?.fingerprint, 'the alert');
    })();
    const note = `crash-${uuidv7()}`;
    const ack = { type: 'action', id: uuidv7(), action: 'alert.ack', payload: { fingerprint: fp, note }, at: 1 };
    const silence = {
      type: 'action',
      id: uuidv7(),
      action: 'silence.create',
      payload: {
        matchers: [{ name: 'probe', value: note, isRegex: false, isEqual: true }],
        endsAt: Date.now() + 3_600_000,
        comment: note,
      },
      at: 1,
    };

    for (const frame of [ack, silence]) {
      // the kill is called from inside apply, long after gw is assigned
      const gw: Gateway = await startGw(
        crashingAfterApply(source(), () => gw.kill()),
        dir,
      );
      const c = await connect(gw);
      c.send(frame);
      await until(() => c.closed, 'the gateway to die after applying');
    }
    expect(await silencesWith(`ACK by Tester (shared token): ${note}`)).toHaveLength(1);
    expect(await silencesWith(note)).toHaveLength(1);

    const gw = await startGw(source(), dir);
    expect(gw.store.unfinishedActions()).toBe(2);
    const c = await connect(gw);
    c.send(ack);
    c.send(silence);
    const results = await c.next('result', 2);
    expect(results.map((r) => [r.id, r.ok, r.replay])).toEqual([
      [ack.id, true, undefined],
      [silence.id, true, undefined],
    ]);
    expect(await silencesWith(`ACK by Tester (shared token): ${note}`)).toHaveLength(1);
    expect(await silencesWith(note)).toHaveLength(1);
    expect(gw.store.unfinishedActions()).toBe(0);
    // the console sees the ack, by the operator (the shared token's typed name, marked), without the action tag
    const acked = await until(() => storedAlerts(gw).find((a) => a.fingerprint === fp && a.ackedBy), 'the ack');
    expect(acked.ackedBy).toBe('Tester (shared token)');
  });
});

describe('the alertmanager source applying a resumed action', () => {
  let src: AlertmanagerSource;
  beforeAll(async () => {
    src = source();
    await src.start({ emit: () => {}, health: () => {}, now: () => Date.now() });
  });
  afterAll(() => src.stop());
  const act = (type: 'silence.create' | 'silence.expire' | 'alert.unack', payload: unknown, id = uuidv7()) => ({
    id,
    type,
    payload,
    at: Date.now(),
    operator: 'alice',
  });

  it('creates what the earlier attempt never got to create, once', async () => {
    const comment = `resumed-${uuidv7()}`;
    const a = act('silence.create', {
      matchers: [{ name: 'probe', value: comment, isRegex: false, isEqual: true }],
      endsAt: Date.now() + 3_600_000,
      comment,
    });
    expect(await src.apply(a, { resumed: true })).toEqual({ ok: true });
    expect(await src.apply(a, { resumed: true })).toEqual({ ok: true });
    const [s, ...more] = await silencesWith(comment);
    expect(more).toEqual([]);
    expect(s.createdBy).toBe(`alice [vigil:${a.id}]`);
  });

  it('treats a resumed expire or unack whose target is already expired as done', async () => {
    const comment = `expire-${uuidv7()}`;
    await src.apply(
      act('silence.create', {
        matchers: [{ name: 'probe', value: comment, isRegex: false, isEqual: true }],
        endsAt: Date.now() + 3_600_000,
        comment,
      }),
    );
    const [s] = await silencesWith(comment);
    const expire = act('silence.expire', { silenceId: s.id });
    expect(await src.apply(expire)).toEqual({ ok: true });
    expect(await src.apply(expire, { resumed: true })).toEqual({ ok: true });
    // (Alertmanager 0.25 itself answers 200 to expiring an expired silence; older ones answer 500: the
    // resumed path checks the state first, so it does not depend on the version)
    expect((await am.silences()).find((x) => x.id === s.id)!.status.state).toBe('expired');

    const run = uuidv7();
    await am.postAlerts([{ labels: { alertname: 'UnackProbe', run, severity: 'warning' } }]);
    const fp = await until(async () => (await am.alerts()).find((x) => x.labels.run === run)?.fingerprint, 'alert');
    await src.refresh();
    const unack = act('alert.unack', { fingerprint: fp });
    expect(await src.apply(unack)).toMatchObject({ ok: false, error: { code: 'not_acked' } });
    expect(await src.apply(unack, { resumed: true })).toEqual({ ok: true });
  });
});
