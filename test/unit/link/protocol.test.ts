import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ACTION_TYPES } from '@shared/actions';
import {
  decodeClientFrame,
  decodeServerFrame,
  describeFrameIssues,
  EVENT_KINDS,
  MAX_FRAME_BYTES,
  ServerFrame,
  SNAPSHOT_ITEMS_MAX,
} from '@shared/protocol';

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

describe('snapshot frames: the quick item check agrees with the schema', () => {
  /** the verdict the schema alone gives: what decodeServerFrame must return, whichever path it takes */
  const bySchema = (text: string) => {
    const r = ServerFrame.safeParse(JSON.parse(text));
    return r.success
      ? { ok: true, frame: r.data }
      : { ok: false, code: 'bad_frame', message: `snapshot frame: ${describeFrameIssues(r.error)}`, type: 'snapshot' };
  };
  const decodeText = (text: string) => decodeServerFrame(text, Buffer.byteLength(text));

  /** item JSON texts: valid ones and every way an item can be wrong or carry more than the schema keeps */
  const itemText = fc.oneof(
    {
      weight: 6,
      arbitrary: fc
        .record({ kind: fc.constantFrom(...EVENT_KINDS), data: fc.jsonValue() })
        .map((i) => JSON.stringify(i)),
    },
    fc.string({ maxLength: 70 }).map((kind) => JSON.stringify({ kind, data: 1 })),
    fc.constantFrom('x'.repeat(64), 'x'.repeat(65), '').map((kind) => JSON.stringify({ kind, data: null })),
    fc.jsonValue().map((kind) => JSON.stringify({ kind, data: 1 })),
    fc.constant('{"kind":"alert.upsert"}'),
    fc.constant('{"data":{}}'),
    fc.jsonValue().map((v) => JSON.stringify(v)),
    fc.jsonValue().map((v) => `{"kind":"alert.upsert","data":1,"extra":${JSON.stringify(v)}}`),
    fc.constant('{"kind":"alert.upsert","__proto__":{"polluted":true},"data":{"a":1}}'),
    fc.constant('{"data":2,"kind":"silence.upsert"}'),
  );
  const envelope = fc.record({
    seq: fc.oneof(fc.nat(), fc.constant(-1), fc.constant(1.5), fc.constant('7')),
    chunk: fc.nat({ max: 3 }),
    chunks: fc.oneof(fc.integer({ min: 1, max: 4 }), fc.constant(0)),
    received: fc.nat(),
    total: fc.nat(),
  });

  it('same verdict, same frame, same error message as SnapshotFrame for any items and envelope', () => {
    fc.assert(
      fc.property(envelope, fc.array(itemText, { maxLength: 8 }), fc.boolean(), (env, items, itemsField) => {
        const head = JSON.stringify({ type: 'snapshot', ...env }).slice(0, -1);
        const text = itemsField ? `${head},"items":[${items.join(',')}]}` : `${head}}`;
        const got = decodeText(text);
        expect(got).toEqual(bySchema(text));
        if (got.ok && got.frame.type === 'snapshot')
          for (const it of got.frame.items) expect(Object.keys(it).sort()).toEqual(['data', 'kind']);
      }),
      { numRuns: 1500 },
    );
  });

  it('names the offending item and never its value; more than SNAPSHOT_ITEMS_MAX items are refused', () => {
    const items = [
      { kind: 'alert.upsert', data: { secret: 'hunter2' } },
      { kind: '', data: 'hunter2' },
    ];
    const bad = dec({ type: 'snapshot', seq: 1, chunk: 0, chunks: 1, received: 2, total: 2, items });
    expect(bad).toMatchObject({ ok: false, code: 'bad_frame', type: 'snapshot' });
    if (!bad.ok) {
      expect(bad.message).toContain('items.1.kind');
      expect(bad.message).not.toContain('hunter2');
    }
    const many = `{"type":"snapshot","seq":1,"chunk":0,"chunks":1,"received":1,"total":1,"items":[${'{"kind":"k","data":0},'.repeat(SNAPSHOT_ITEMS_MAX)}{"kind":"k","data":0}]}`;
    expect(decodeText(many)).toMatchObject({ ok: false, code: 'bad_frame' });
    const max = `{"type":"snapshot","seq":1,"chunk":0,"chunks":1,"received":1,"total":1,"items":[${'{"kind":"k","data":0},'.repeat(SNAPSHOT_ITEMS_MAX - 1)}{"kind":"k","data":0}]}`;
    expect(decodeText(max)).toMatchObject({ ok: true });
  });

  it('strips unknown item fields and keeps the rest', () => {
    const text = JSON.stringify({
      type: 'snapshot',
      seq: 1,
      chunk: 0,
      chunks: 1,
      received: 2,
      total: 2,
      items: [
        { kind: 'alert.upsert', data: { a: 1 } },
        { kind: 'alert.upsert', data: { a: 2 }, x: 1 },
      ],
    });
    const r = decodeText(text);
    expect(r.ok).toBe(true);
    if (r.ok && r.frame.type === 'snapshot')
      expect(r.frame.items).toEqual([
        { kind: 'alert.upsert', data: { a: 1 } },
        { kind: 'alert.upsert', data: { a: 2 } },
      ]);
  });
});

describe('event frames: the quick check agrees with the schema', () => {
  const bySchema = (text: string) => {
    const r = ServerFrame.safeParse(JSON.parse(text));
    return r.success
      ? { ok: true, frame: r.data }
      : { ok: false, code: 'bad_frame', message: `event frame: ${describeFrameIssues(r.error)}`, type: 'event' };
  };
  const decodeText = (text: string) => decodeServerFrame(text, Buffer.byteLength(text));
  /** every field valid, wrong in each way the schema refuses, missing, or joined by an unknown one */
  const field = (valid: fc.Arbitrary<unknown>, wrong: fc.Arbitrary<unknown>) =>
    fc.oneof({ weight: 6, arbitrary: valid.map((v) => ({ v })) }, wrong.map((v) => ({ v })), fc.constant(null));
  const seq = field(fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }), fc.constantFrom(0, -1, 1.5, '7', 2 ** 53 + 2, null, 1e300));
  const kind = field(fc.constantFrom(...EVENT_KINDS, 'x'.repeat(64)), fc.oneof(fc.constantFrom('', 'x'.repeat(65), 3, null), fc.jsonValue()));
  const data = field(fc.jsonValue(), fc.constant(undefined));
  const at = field(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.constantFrom('1', null, true));

  it('same verdict, same frame, same error message as EventFrame for any fields', () => {
    fc.assert(
      fc.property(seq, kind, data, at, fc.option(fc.jsonValue()), (s, k, d, a, extra) => {
        const f: Record<string, unknown> = { type: 'event' };
        if (s) f.seq = s.v;
        if (k) f.kind = k.v;
        if (d) f.data = d.v;
        if (a) f.at = a.v;
        if (extra !== null) f.extra = extra;
        const text = JSON.stringify(f);
        expect(decodeText(text)).toEqual(bySchema(text));
      }),
      { numRuns: 3000 },
    );
    // a __proto__ key (an own property after JSON.parse) goes to the schema, which strips it
    const proto = '{"type":"event","seq":1,"kind":"alert.upsert","data":{},"at":1,"__proto__":{"x":1}}';
    expect(decodeText(proto)).toEqual(bySchema(proto));
  });
});
