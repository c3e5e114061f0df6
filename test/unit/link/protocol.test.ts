import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ACTION_TYPES } from '../../../src/shared/actions';
import { decodeClientFrame, decodeServerFrame, EVENT_KINDS, MAX_FRAME_BYTES } from '../../../src/shared/protocol';

const dec = (f: unknown) => {
  const text = JSON.stringify(f);
  return decodeServerFrame(text, Buffer.byteLength(text));
};
const decC = (f: unknown) => {
  const text = JSON.stringify(f);
  return decodeClientFrame(text, Buffer.byteLength(text));
};

const uuid7 = '01a20091-4330-70d7-938e-36f98686a183';

/** well-formed frames of every server type */
const serverFrame = fc.oneof(
  fc.record({
    type: fc.constant('welcome'),
    protocol: fc.integer({ min: 1, max: 5 }),
    serverId: fc.string({ minLength: 1, maxLength: 40 }),
    serverTime: fc.integer(),
    operator: fc.string({ maxLength: 80 }),
    head: fc.nat(),
    mode: fc.constantFrom('snapshot', 'events'),
  }),
  fc.record({
    type: fc.constant('event'),
    seq: fc.integer({ min: 1 }),
    kind: fc.constantFrom(...EVENT_KINDS, 'future.kind'),
    data: fc.jsonValue(),
    at: fc.integer(),
  }),
  fc.record({
    type: fc.constant('snapshot'),
    seq: fc.nat(),
    chunk: fc.nat({ max: 10 }),
    chunks: fc.integer({ min: 1, max: 11 }),
    received: fc.nat(),
    total: fc.nat(),
    items: fc.array(fc.record({ kind: fc.constantFrom(...EVENT_KINDS), data: fc.jsonValue() }), { maxLength: 5 }),
  }),
  fc.record({ type: fc.constant('result'), id: fc.constant(uuid7), ok: fc.boolean(), replay: fc.boolean() }),
  fc.record({ type: fc.constant('ping'), t: fc.integer() }),
  fc.record({ type: fc.constant('pong'), t: fc.integer() }),
  fc.record({
    type: fc.constant('status'),
    upstream: fc.constantFrom('ok', 'degraded', 'down'),
    detail: fc.option(fc.string({ maxLength: 100 })),
  }),
  fc.record({
    type: fc.constant('error'),
    error: fc.record({ code: fc.string({ maxLength: 64 }), message: fc.string({ maxLength: 200 }) }),
  }),
);

describe('frame validators', () => {
  it('never throw, whatever the text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (s) => {
        const a = decodeServerFrame(s, Buffer.byteLength(s));
        const b = decodeClientFrame(s, Buffer.byteLength(s));
        expect(typeof a.ok).toBe('boolean');
        expect(typeof b.ok).toBe('boolean');
      }),
      { numRuns: 500 },
    );
  });

  it('refuse any JSON value that is not a frame with a code and a message', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        const r = dec(v);
        if (r.ok) return; // a random value may happen to be a valid ping; that is fine
        expect(['bad_json', 'bad_frame', 'unknown_type']).toContain(r.code);
        expect(r.message.length).toBeGreaterThan(0);
      }),
      { numRuns: 500 },
    );
  });

  it('accept every well-formed server frame and keep its content', () => {
    fc.assert(
      fc.property(serverFrame, (f) => {
        const r = dec(f);
        expect(r.ok).toBe(true);
        if (r.ok) expect(r.frame).toEqual(JSON.parse(JSON.stringify(f)));
      }),
      { numRuns: 300 },
    );
  });

  it('drop unknown fields (a newer server) but keep the frame', () => {
    fc.assert(
      fc.property(serverFrame, fc.string({ minLength: 1, maxLength: 10 }), fc.jsonValue(), (f, key, value) => {
        const extraKey = `x_${key}`;
        const r = dec({ ...f, [extraKey]: value });
        expect(r.ok).toBe(true);
        if (r.ok) expect(extraKey in r.frame).toBe(false);
      }),
      { numRuns: 200 },
    );
  });

  it('report wrong types with the field path and never the value', () => {
    const r = dec({ type: 'event', seq: 'seven', kind: 'alert.upsert', data: {}, at: 1, secret: 'hunter2-secret' });
    expect(r).toMatchObject({ ok: false, code: 'bad_frame' });
    if (!r.ok) {
      expect(r.message).toContain('seq');
      expect(r.message).not.toContain('seven');
    }
    const neg = dec({ type: 'event', seq: -1, kind: 'alert.upsert', data: {}, at: 1 });
    expect(neg).toMatchObject({ ok: false, code: 'bad_frame' });
  });

  it('names unknown frame types, binary frames and oversize frames', () => {
    expect(dec({ type: 'teleport', to: 'mars' })).toMatchObject({ ok: false, code: 'unknown_type', type: 'teleport' });
    expect(decodeServerFrame(null, 12)).toMatchObject({ ok: false, code: 'binary_frame' });
    expect(decodeServerFrame('{}', MAX_FRAME_BYTES + 1)).toMatchObject({ ok: false, code: 'frame_too_large' });
    expect(decodeServerFrame('{"type":', 8)).toMatchObject({ ok: false, code: 'bad_json' });
    expect(decodeServerFrame('[1,2]', 5)).toMatchObject({ ok: false, code: 'bad_frame' });
  });

  it('check client frames: hello, action ids and action types', () => {
    expect(decC({ type: 'hello', clientId: 'c', protocol: 1, cursor: null })).toMatchObject({ ok: true });
    expect(decC({ type: 'hello', clientId: 'c', protocol: 1, cursor: -3 })).toMatchObject({
      ok: false,
      code: 'bad_frame',
    });
    expect(decC({ type: 'action', id: uuid7, action: 'alert.ack', payload: {}, at: 1 })).toMatchObject({ ok: true });
    expect(decC({ type: 'action', id: 'not-a-uuid', action: 'alert.ack', payload: {}, at: 1 })).toMatchObject({
      ok: false,
      code: 'bad_frame',
    });
    expect(decC({ type: 'action', id: uuid7, action: 'alert.teleport', payload: {}, at: 1 })).toMatchObject({
      ok: false,
      code: 'bad_frame',
    });
    fc.assert(
      fc.property(fc.constantFrom(...ACTION_TYPES), fc.jsonValue(), (action, payload) => {
        // payloads are checked against actionPayloads later (by the outbox and by the gateway), not here
        expect(decC({ type: 'action', id: uuid7, action, payload, at: 0 }).ok).toBe(true);
      }),
      { numRuns: 100 },
    );
  });
});
