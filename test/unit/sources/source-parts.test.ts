/**
 * The pieces both gateway sources are built from, each alone: the apply wrapper (sources/apply.ts), the poll
 * loop (sources/poll-loop.ts) on a fake clock, the start-up content (contentEvents), the ack silence and the
 * tracker that turns listings into events (alert-state.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '@node/clock';
import type { SourceAction } from '@gateway/source';
import { ackSilence, AlertTracker } from '@gateway/sources/alert-state';
import type { AmAlert } from '@gateway/sources/alertmanager-api';
import { applyWith } from '@gateway/sources/apply';
import { contentEvents } from '@gateway/sources/content';
import { createPollLoop } from '@gateway/sources/poll-loop';
import { tempDir } from '@test/helpers/tmp';

let cleanups: (() => void)[] = [];
afterEach(() => {
  cleanups.forEach((c) => c());
  cleanups = [];
});

const action = (type: SourceAction['type'], payload: unknown): SourceAction => ({
  id: '0190a000-0000-7000-8000-000000000001',
  type,
  payload,
  at: 1,
  operator: 'Li Wei',
});

describe('source apply wrapper', () => {
  it('runs the handler for the type with the parsed payload and the resumed flag, then `then` on success', async () => {
    const seen: unknown[] = [];
    let published = 0;
    const out = await applyWith(
      'test',
      { 'alert.ack': (p, a, resumed) => (seen.push([p, a.operator, resumed]), { ok: true }) },
      action('alert.ack', { fingerprint: 'fp1', extra: 'stripped' }),
      { resumed: true },
      () => published++,
    );
    expect(out).toEqual({ ok: true });
    expect(seen).toEqual([[{ fingerprint: 'fp1' }, 'Li Wei', true]]);
    expect(published).toBe(1);
  });

  it('answers unsupported, bad_payload and internal instead of throwing; `then` only after a success', async () => {
    let published = 0;
    const then = () => published++;
    const handlers = {
      'alert.ack': () => ({ ok: false as const, error: { code: 'not_found', message: 'not firing' } }),
      'alert.unack': () => {
        throw new Error('boom');
      },
    };
    expect(await applyWith('test', handlers, action('alert.resolve', { fingerprint: 'x' }), undefined, then)).toEqual({
      ok: false,
      error: { code: 'unsupported', message: 'alert.resolve is not handled by the test source' },
    });
    expect(await applyWith('test', handlers, action('alert.ack', { fingerprint: 7 }), undefined, then)).toMatchObject({
      ok: false,
      error: { code: 'bad_payload', message: expect.stringMatching(/^alert\.ack: fingerprint: /) },
    });
    expect(await applyWith('test', handlers, action('alert.unack', { fingerprint: 'x' }), undefined, then)).toEqual({
      ok: false,
      error: { code: 'internal', message: 'alert.unack failed: boom' },
    });
    expect(await applyWith('test', handlers, action('alert.ack', { fingerprint: 'x' }), undefined, then)).toMatchObject(
      {
        ok: false,
        error: { code: 'not_found' },
      },
    );
    expect(published).toBe(0);
  });
});

describe('source poll loop', () => {
  function loop() {
    const clock = new FakeClock();
    const gates: (() => void)[] = [];
    let polls = 0;
    const l = createPollLoop(clock, 2000, () => {
      polls++;
      return new Promise<void>((r) => gates.push(r));
    });
    const finish = async () => {
      gates.shift()!();
      await new Promise((r) => setImmediate(r));
    };
    return { clock, l, finish, polls: () => polls, open: () => gates.length };
  }

  it('polls nothing before start or after stop', async () => {
    const { l, polls } = loop();
    await l.refresh();
    expect(polls()).toBe(0);
    l.start();
    void l.refresh();
    const stopping = l.stop();
    expect(l.stopped()).toBe(true);
    await l.refresh();
    expect(polls()).toBe(1);
    return Promise.race([stopping.then(() => 'stopped'), new Promise((r) => setTimeout(() => r('waits'), 20))]).then(
      (s) => expect(s).toBe('waits'), // stop waits for the poll under way
    );
  });

  it('never overlaps: refreshes during a poll share one follow-up poll', async () => {
    const { l, finish, polls, open } = loop();
    l.start();
    const first = l.refresh();
    const a = l.refresh();
    const b = l.refresh();
    expect(a).toBe(b);
    expect([polls(), open()]).toEqual([1, 1]);
    await finish();
    await first;
    expect([polls(), open()]).toEqual([2, 1]);
    await finish();
    await a;
    expect(polls()).toBe(2);
  });

  it('polls again intervalMs after a poll ended, until stopped', async () => {
    const { clock, l, finish, polls } = loop();
    l.start();
    void l.refresh();
    clock.advance(10_000);
    expect(polls()).toBe(1); // the timer starts when the poll ends
    await finish();
    clock.advance(1999);
    expect(polls()).toBe(1);
    clock.advance(1);
    expect(polls()).toBe(2);
    await finish();
    await l.stop();
    clock.advance(60_000);
    expect(polls()).toBe(2);
  });
});

describe('source start-up content', () => {
  it('lists runbooks, the roster and the dashboards, warning about files it cannot use', () => {
    const d = tempDir('vigil-content-');
    cleanups.push(d.cleanup);
    fs.mkdirSync(path.join(d.dir, 'runbooks'));
    fs.writeFileSync(path.join(d.dir, 'runbooks', 'queue.md'), '---\nid: queue\ntitle: Queue backlog\n---\n# Queue\n');
    fs.writeFileSync(path.join(d.dir, 'runbooks', 'dup.md'), '---\nid: queue\n---\n# Again\n');
    fs.writeFileSync(path.join(d.dir, 'roster.yaml'), 'not: [a, roster');
    const warnings: string[] = [];
    const o = {
      runbooksDir: path.join(d.dir, 'runbooks'),
      rosterFile: path.join(d.dir, 'roster.yaml'),
      specs: [],
      now: 1,
      warn: (m: string) => warnings.push(m),
    };
    expect(() => contentEvents(o)).toThrow(/roster .* cannot be read/);
    warnings.length = 0;
    const events = contentEvents({ ...o, tolerateBadRoster: true });
    expect(events.map((e) => [e.kind, (e.data as { id: string }).id])).toEqual([['runbook.upsert', 'queue']]);
    expect(warnings).toEqual([
      expect.stringMatching(/queue\.md: id "queue" is already used by dup\.md$/),
      expect.stringMatching(/^roster .* cannot be read/),
    ]);
  });
});

describe('ack silence and tracker', () => {
  it('acks an alert with a silence on its exact labels, tagged with the action', () => {
    expect(
      ackSilence({
        labels: { alertname: 'X', shop: 's1' },
        operator: 'Li Wei',
        actionId: 'a1',
        note: ' on it ',
        now: 1000,
        minutes: 2,
      }),
    ).toEqual({
      matchers: [
        { name: 'alertname', value: 'X', isRegex: false, isEqual: true },
        { name: 'shop', value: 's1', isRegex: false, isEqual: true },
      ],
      startsAt: 1000,
      endsAt: 121_000,
      createdBy: 'Li Wei [vigil:a1]',
      comment: 'ACK by Li Wei: on it',
    });
  });

  it('reports what changed between listings, starting from what the gateway stored', () => {
    const am = (fp: string): AmAlert => ({
      fingerprint: fp,
      labels: { alertname: 'X', fp },
      annotations: {},
      startsAt: new Date(0).toISOString(),
      endsAt: new Date(10_000_000).toISOString(),
      generatorURL: undefined,
      status: { state: 'active', silencedBy: [], inhibitedBy: [] },
    });
    const t = new AlertTracker(60_000);
    expect(t.update([am('a'), am('b')], [], 1000).map((e) => e.kind)).toEqual(['alert.upsert', 'alert.upsert']);
    expect(t.update([am('a'), am('b')], [], 2000)).toEqual([]);
    const gone = t.update([am('a')], [], 3000);
    expect(gone).toEqual([
      { kind: 'alert.upsert', data: expect.objectContaining({ fingerprint: 'b', state: 'resolved' }) },
    ]);
    expect(t.alert('b')?.state).toBe('resolved');

    // a restarted source seeded with what was reported reports nothing unchanged
    const again = new AlertTracker(60_000);
    again.seed({ alerts: [t.alert('a'), t.alert('b')], silences: [] });
    expect(again.update([am('a')], [], 4000)).toEqual([]);
  });
});
