import { afterEach, describe, expect, it } from 'vitest';
import { createOutbox } from '@core/link/outbox';
import type { DB } from '@node/sqlite';
import { openCoreDatabase } from '@core/store/open';
import { tempDir } from '@test/helpers/tmp';

let db: DB;
let dir: { dir: string; cleanup(): void };
let now = 1_000;
function open() {
  dir = tempDir('vigil-outbox-');
  db = openCoreDatabase(`${dir.dir}/vigil.db`);
  return createOutbox(db, () => ++now);
}
afterEach(() => {
  db?.close();
  dir?.cleanup();
});

const UUID7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('outbox', () => {
  it('stores a validated action with a UUID v7 id before anything is sent', () => {
    const ob = open();
    const e = ob.submit('alert.ack', { fingerprint: 'fp1', note: 'looking' }, 'Li Wei');
    expect(e.id).toMatch(UUID7);
    expect(e).toMatchObject({
      type: 'alert.ack',
      state: 'pending',
      attempts: 0,
      actor: 'Li Wei',
      payload: { fingerprint: 'fp1', note: 'looking' },
    });
    expect(ob.waiting()).toBe(1);
    // survives a reopen of the database (nothing lives only in memory)
    db.close();
    db = openCoreDatabase(`${dir.dir}/vigil.db`);
    const again = createOutbox(db, () => ++now);
    expect(again.unanswered().map((x) => x.id)).toEqual([e.id]);
  });

  it('refuses a bad payload with a readable reason and stores nothing', () => {
    const ob = open();
    expect(() => ob.submit('silence.create', { matchers: [], endsAt: 1, comment: '' }, 'x')).toThrow(
      /matchers|comment/,
    );
    expect(() => ob.submit('alert.ack', { fingerprint: 42 }, 'x')).toThrow(/fingerprint/);
    expect(ob.open()).toEqual([]);
  });

  it('keeps submit order for resends; ids sort in submit order too', () => {
    const ob = open();
    const ids = Array.from({ length: 20 }, (_, i) => ob.submit('alert.unack', { fingerprint: `fp${i}` }, 'x').id);
    expect([...ids].sort()).toEqual(ids);
    ob.markSent(ids[3]);
    ob.markSent(ids[0]);
    expect(ob.unanswered().map((e) => e.id)).toEqual(ids);
  });

  it('settles once: acked or failed with the reason; a second result changes nothing', () => {
    const ob = open();
    const a = ob.submit('alert.unack', { fingerprint: 'a' }, 'x');
    const b = ob.submit('silence.expire', { silenceId: 's1' }, 'x');
    ob.markSent(a.id);
    ob.markSent(b.id);
    expect(ob.settle(a.id, true, null)).toBe(true);
    expect(ob.settle(b.id, false, { code: 'upstream_error', message: 'silence rejected: end time in the past' })).toBe(
      true,
    );
    expect(ob.settle(a.id, false, { code: 'x', message: 'late' })).toBe(false);
    expect(ob.get(a.id)).toMatchObject({ state: 'acked', attempts: 1, lastError: null });
    expect(ob.get(b.id)).toMatchObject({
      state: 'failed',
      errorCode: 'upstream_error',
      lastError: 'silence rejected: end time in the past',
    });
    expect(ob.waiting()).toBe(0);
  });

  it('retries a failed action as a new action (new id) and links the old one to it', () => {
    const ob = open();
    const a = ob.submit('silence.expire', { silenceId: 's1' }, 'Ana');
    ob.markSent(a.id);
    ob.settle(a.id, false, { code: 'upstream_error', message: 'Alertmanager down' });
    const fresh = ob.retry(a.id);
    expect(fresh.id).not.toBe(a.id);
    expect(fresh).toMatchObject({
      state: 'pending',
      type: 'silence.expire',
      payload: { silenceId: 's1' },
      actor: 'Ana',
    });
    expect(ob.get(a.id)).toMatchObject({ state: 'discarded', replacedBy: fresh.id });
    expect(() => ob.retry(fresh.id)).toThrow(/Only a failed action/);
  });

  it('discards pending or failed actions, never one already sent', () => {
    const ob = open();
    const p = ob.submit('alert.unack', { fingerprint: 'a' }, 'x');
    const s = ob.submit('alert.unack', { fingerprint: 'b' }, 'x');
    ob.markSent(s.id);
    expect(ob.discard(p.id).state).toBe('discarded');
    expect(() => ob.discard(s.id)).toThrow(/already sent/);
    expect(() => ob.discard('nope')).toThrow(/No action/);
    expect(ob.unanswered().map((e) => e.id)).toEqual([s.id]);
  });
});
