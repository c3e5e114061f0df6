/** The core's event bus: typed delivery in subscription order, listeners isolated from each other. */
import { afterEach, describe, expect, it } from 'vitest';
import { createCore, type Core } from '@core';
import { createBus } from '@core/bus';
import { FakeClock } from '@node/clock';
import { createLogger } from '@node/log';
import { tempDir } from '@test/helpers/tmp';

interface TestEvents {
  changed: { collection: string };
  toast: { title: string };
}

function logged() {
  const lines: Record<string, unknown>[] = [];
  return { lines, log: createLogger({ write: (l) => lines.push(JSON.parse(l)) }) };
}

describe('event bus', () => {
  it('delivers each event to its listeners, then to every-event listeners, in subscription order', () => {
    const bus = createBus<TestEvents>(logged().log);
    const seen: string[] = [];
    bus.onAny((name, payload) => seen.push(`any:${String(name)}:${JSON.stringify(payload)}`));
    bus.on('changed', (p) => seen.push(`first:${p.collection}`));
    bus.on('changed', (p) => seen.push(`second:${p.collection}`));
    bus.on('toast', (p) => seen.push(`toast:${p.title}`));
    bus.emit('changed', { collection: 'alerts' });
    expect(seen).toEqual(['first:alerts', 'second:alerts', 'any:changed:{"collection":"alerts"}']);
  });

  it('a listener that throws is logged and never stops the others or the emitter', () => {
    const { lines, log } = logged();
    const bus = createBus<TestEvents>(log);
    const seen: string[] = [];
    bus.on('toast', () => {
      throw new Error('pane crashed');
    });
    bus.on('toast', (p) => seen.push(`after:${p.title}`));
    bus.onAny(() => {
      throw new Error('transport gone');
    });
    bus.onAny((name) => seen.push(`any:${String(name)}`));
    expect(() => bus.emit('toast', { title: 'P1 firing' })).not.toThrow();
    expect(seen).toEqual(['after:P1 firing', 'any:toast']);
    expect(lines.filter((l) => l.action === 'event.listener_failed').map((l) => [l.event, l.err])).toEqual([
      ['toast', 'Error: pane crashed'],
      ['toast', 'Error: transport gone'],
    ]);
  });

  it('unsubscribes, also from inside a delivery (the event being delivered still reaches everyone)', () => {
    const bus = createBus<TestEvents>(logged().log);
    const seen: string[] = [];
    const offB = bus.on('changed', () => seen.push('b'));
    const offA = bus.on('changed', () => {
      seen.push('a');
      offA();
      offB();
    });
    const offAny = bus.onAny(() => seen.push('any'));
    bus.emit('changed', { collection: 'x' });
    expect(seen).toEqual(['b', 'a', 'any']);
    offAny();
    bus.emit('changed', { collection: 'x' });
    expect(seen).toEqual(['b', 'a', 'any']);
  });

  it('clear() drops every listener', () => {
    const bus = createBus<TestEvents>(logged().log);
    const seen: string[] = [];
    bus.on('changed', () => seen.push('named'));
    bus.onAny(() => seen.push('any'));
    bus.clear();
    bus.emit('changed', { collection: 'x' });
    expect(seen).toEqual([]);
  });
});

describe('the bus behind the core', () => {
  const open: { core: Core; cleanup(): void }[] = [];
  afterEach(async () => {
    for (const o of open.splice(0)) {
      await o.core.close();
      o.cleanup();
    }
  });

  it('forwards module events to every transport listener; a failing one does not stop the next or the call', async () => {
    const t = tempDir('vigil-bus-');
    const { lines, log } = logged();
    const core = createCore({ dataDir: t.dir, transport: 'browser', clock: new FakeClock(), log });
    open.push({ core, cleanup: t.cleanup });
    const seen: string[] = [];
    core.on(() => {
      throw new Error('renderer window closed');
    });
    const off = core.on((name) => seen.push(name));
    const res = await core.dispatch('settingsSet', [{ operator: 'Li Wei' }]);
    expect(res).toMatchObject({ ok: true, value: { operator: 'Li Wei' } });
    // (the link's own linkState events may arrive too: the core has no platform configured)
    expect(seen.filter((n) => n === 'settingsChanged')).toHaveLength(1);
    expect(lines.some((l) => l.action === 'event.listener_failed' && l.event === 'settingsChanged')).toBe(true);
    off();
    const before = seen.length;
    await core.dispatch('settingsSet', [{ operator: 'Wang Fang' }]);
    expect(seen).toHaveLength(before);
  });
});
