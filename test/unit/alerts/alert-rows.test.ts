/**
 * The alert page's wire form (src/shared/contract/alert-rows.ts): every alert the views may get comes back
 * from its row as it went in, and anything else is refused (null), never thrown on.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AlertViewSchema, cutAlert, type AlertView } from '@shared/alert-view';
import { alertFromRow, alertToRow, pageFromWire, ROW_CUT, ROW_LATER, ROW_V1 } from '@shared/contract/alert-rows';
import { SEVERITIES } from '@shared/domain';
import { firingAlert } from '@test/helpers/alerts';

const text = fc.string({ unit: fc.constantFrom('a', '"', '\\', '\n', '\u0000', '\ud800', '😀', '告', '__proto__', ' '), maxLength: 8 });
const alertArb: fc.Arbitrary<AlertView> = fc
  .record({
    fingerprint: fc.string({ minLength: 1, maxLength: 12 }),
    alertname: text,
    labels: fc.dictionary(text, text, { maxKeys: 4 }),
    annotations: fc.dictionary(text, text, { maxKeys: 3 }),
    state: fc.constantFrom('firing' as const, 'resolved' as const),
    severity: fc.constantFrom(...SEVERITIES),
    startsAt: fc.integer(),
    endsAt: fc.option(fc.integer(), { nil: null }),
    updatedAt: fc.integer(),
    generatorUrl: fc.option(text, { nil: null }),
    silencedBy: fc.array(text, { maxLength: 2 }),
    inhibitedBy: fc.array(text, { maxLength: 2 }),
    ackedBy: fc.option(text, { nil: null }),
    ackedAt: fc.option(fc.integer(), { nil: null }),
    ackId: fc.option(text, { nil: null }),
    cluster: fc.option(fc.constantFrom('prod', 'staging'), { nil: undefined }),
    ack: fc.option(fc.record({ ackExpiresAt: fc.integer(), ackExtensions: fc.nat(9), ackAutoExtend: fc.boolean() }), { nil: undefined }),
    big: fc.boolean(),
  })
  .map(({ cluster, ack, big, ...a }) => {
    const alert = { ...a, ...(cluster ? { cluster } : {}), ...(ack ?? {}) };
    return big ? cutAlert({ ...alert, labels: { ...alert.labels, blob: 'b'.repeat(5000) } }) : alert;
  });

describe('the alert page wire form', () => {
  it('gives back every alert as it went in, through JSON text (later fields, cuts, odd text)', () => {
    fc.assert(
      fc.property(fc.array(alertArb, { maxLength: 5 }), (alerts) => {
        const next = alerts.length ? { severity: alerts[0].severity, startsAt: alerts[0].startsAt, fingerprint: alerts[0].fingerprint } : null;
        const wire = JSON.parse(JSON.stringify({ rows: alerts.map(alertToRow), next, total: 7 }));
        const page = pageFromWire(wire);
        expect(page).toEqual({ alerts: JSON.parse(JSON.stringify(alerts)), next, total: 7 });
        // and each alert is one the contract allows
        for (const a of page!.alerts) expect(AlertViewSchema.safeParse(a).success).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('writes the shortest row an alert needs: 15 columns for a v1 alert, 19 with later fields, 20 with a cut', () => {
    const plain = firingAlert({ fingerprint: 'a' });
    expect(alertToRow(plain)).toHaveLength(ROW_V1);
    expect(alertToRow({ ...plain, cluster: 'prod' })).toHaveLength(ROW_LATER);
    expect(alertToRow({ ...plain, ackExpiresAt: 5, ackExtensions: 1, ackAutoExtend: true })).toHaveLength(ROW_LATER);
    const cut = cutAlert({ ...plain, labels: { blob: 'x'.repeat(10_000) } });
    expect(cut.cut).toBeDefined();
    expect(alertToRow(cut)).toHaveLength(ROW_CUT);
    // the bytes it saves on the benchmark's kind of alert (the object form repeats fifteen key names)
    const a = firingAlert({ fingerprint: 'fp0000abcd', labels: { alertname: 'OrderPullFailures', service: 'svc-1', instance: 'node-1:9100' }, annotations: { summary: 'OrderPullFailures on node-1' } });
    expect(JSON.stringify(alertToRow(a)).length / JSON.stringify(a).length).toBeLessThan(0.7);
  });

  it('refuses, never throws on, anything that is not such a page or row', () => {
    const good = alertToRow(firingAlert({ fingerprint: 'a', cluster: 'prod' }));
    const bad: unknown[] = [
      null,
      7,
      'x',
      [],
      good.slice(0, 14),
      [...good, null, null],
      Object.assign([...good], { 0: '' }),
      Object.assign([...good], { 2: { a: 1 } }),
      Object.assign([...good], { 2: ['a'] }),
      Object.assign([...good], { 4: 'burning' }),
      Object.assign([...good], { 5: 'P9' }),
      Object.assign([...good], { 6: '1' }),
      Object.assign([...good], { 6: Infinity }),
      Object.assign([...good], { 10: [1] }),
      Object.assign([...good], { 15: 3 }),
      Object.assign([...good], { 16: 5, 17: -1, 18: true }),
      Object.assign([...good], { 16: 5, 17: 1, 18: 'yes' }),
      Object.assign([...good], { 16: null, 17: 1, 18: null }),
      [...good, { labels: 'no' }],
    ];
    for (const r of bad) {
      expect(() => alertFromRow(r)).not.toThrow();
      expect(alertFromRow(r), JSON.stringify(r)?.slice(0, 80)).toBeNull();
    }
    expect(alertFromRow(good)).not.toBeNull();
    for (const p of [null, {}, { rows: [good], next: null }, { rows: [good], next: { severity: 'P0' }, total: 1 }, { rows: [good, 'x'], next: null, total: 2 }, { rows: 'x', next: null, total: 1 }]) {
      expect(() => pageFromWire(p)).not.toThrow();
      expect(pageFromWire(p)).toBeNull();
    }
    expect(pageFromWire({ rows: [good], next: null, total: 1 })).toMatchObject({ alerts: [{ fingerprint: 'a', cluster: 'prod' }], next: null, total: 1 });
  });
});
