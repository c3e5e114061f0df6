/** parseAlert: AlertSchema's verdicts and output, faster. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AlertSchema } from '@shared/alerts';
import { fastAlertParsing, parseAlert } from '@core/alerts/validate';
import { firingAlert } from '@test/helpers/alerts';

/** the same outcome as AlertSchema.parse: the same stored JSON, or an error for the same reason */
function sameAsSchema(data: unknown): void {
  const want = AlertSchema.safeParse(data);
  let got: ReturnType<typeof parseAlert> | null = null;
  let error: unknown = null;
  try {
    got = parseAlert(data);
  } catch (err) {
    error = err;
  }
  if (want.success) expect(JSON.stringify(got)).toBe(JSON.stringify(want.data));
  else expect((error as { issues?: unknown }).issues).toEqual(want.error.issues);
}

describe('parseAlert', () => {
  it('has a fast path for AlertSchema as it is (if this fails, teach validate.ts the construct AlertSchema now uses)', () => {
    expect(fastAlertParsing).toBe(true);
  });

  it('property: same verdict and output as AlertSchema for alerts with arbitrary label maps and damage', () => {
    const value = fc.oneof(fc.string(), fc.integer(), fc.constant(null), fc.boolean(), fc.array(fc.string(), { maxLength: 2 }), fc.object({ maxDepth: 1 }));
    const labels = fc.oneof(
      fc.dictionary(fc.string(), fc.string()),
      fc.dictionary(fc.oneof(fc.string(), fc.constantFrom('__proto__', 'constructor', 'toString', '0', '10')), value),
      value,
    );
    const field = fc.constantFrom(
      'fingerprint', 'alertname', 'state', 'severity', 'startsAt', 'endsAt', 'updatedAt', 'generatorUrl', 'silencedBy', 'inhibitedBy', 'ackedBy', 'ackedAt', 'ackId',
      // the optional fields added after v1 (clusters, acks that last)
      'cluster', 'ackExpiresAt', 'ackExtensions', 'ackAutoExtend',
      'extra', '__proto__',
    );
    const edge = fc.constantFrom<unknown>(
      '', 'x'.repeat(128), 'x'.repeat(129), 'P4', 'resolved', 'P0', Infinity, NaN, -0, 1e308, undefined, [1], ['a', 2], {}, 'firing',
      'prod', 'prod/eu-1', '-prod', 'p'.repeat(63), 'p'.repeat(64), 3, -1, 2.5, 2 ** 53, true, false,
    );
    fc.assert(
      fc.property(labels, labels, fc.option(fc.tuple(field, fc.oneof(value, edge))), fc.boolean(), (l, a, damage, viaJson) => {
        const data: Record<string, unknown> = { ...firingAlert({}), labels: l, annotations: a };
        if (damage?.[0] === '__proto__') Object.defineProperty(data, '__proto__', { value: damage[1], enumerable: true });
        else if (damage) data[damage[0]] = damage[1];
        if (damage && damage[1] === undefined && damage[0] !== '__proto__') delete data[damage[0]];
        sameAsSchema(data);
        // what the wire gives: JSON.parse, which makes a "__proto__" key an own property
        if (viaJson && l && typeof l === 'object' && !Array.isArray(l)) {
          const json = JSON.stringify(l);
          data.labels = JSON.parse(`{"__proto__":"x"${json === '{}' ? '' : `,${json.slice(1, -1)}`}}`);
          sameAsSchema({ ...JSON.parse(JSON.stringify({ ...data, labels: 0 })), labels: data.labels });
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('refuses what AlertSchema refuses, with its message', () => {
    expect(() => parseAlert({ ...firingAlert({}), labels: { team: 7 } })).toThrow(/labels/);
    expect(() => parseAlert({ ...firingAlert({}), annotations: ['summary'] })).toThrow(/annotations/);
    expect(() => parseAlert({ ...firingAlert({}), severity: 'P9' })).toThrow(/severity/);
    const withSymbol = { ...firingAlert({}), labels: { service: 'x', [Symbol('s')]: 'y' } };
    sameAsSchema(withSymbol);
    sameAsSchema({ ...firingAlert({}), labels: Object.create(null) });
    sameAsSchema({ ...firingAlert({}), labels: new (class Labels {})() });
  });

  it('agrees with AlertSchema at every boundary of every field', () => {
    const edges: unknown[] = [undefined, null, '', 'x', 'x'.repeat(128), 'x'.repeat(129), 'P0', 'P4', 'firing', 'resolved', 0, -0, 1.5, Infinity, -Infinity, NaN, [], ['a'], [1], {}, { a: 'b' }, { a: 1 }, true];
    for (const key of Object.keys(firingAlert({})))
      for (const edge of edges) {
        const data: Record<string, unknown> = { ...firingAlert({}), [key]: edge };
        if (edge === undefined) delete data[key];
        sameAsSchema(data);
      }
  });

  it('strips unknown fields as AlertSchema does', () => {
    const a = parseAlert({ ...firingAlert({ fingerprint: 'x' }), fromANewerServer: true });
    expect(a).not.toHaveProperty('fromANewerServer');
    expect(a.fingerprint).toBe('x');
  });
});
