import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { describeZodError } from '@shared/rpc';

describe('describeZodError: one sentence for a validator refusal', () => {
  const Schema = z.object({ name: z.string(), tags: z.array(z.string()) });
  const error = (v: unknown) => {
    const r = Schema.safeParse(v);
    if (r.success) throw new Error('expected a refusal');
    return r.error;
  };

  it('names every offending path, the whole value by its root name', () => {
    expect(describeZodError(error({ name: 1, tags: ['a', 2] }))).toBe(
      'name: Invalid input: expected string, received number; tags.1: Invalid input: expected string, received number',
    );
    expect(describeZodError(error(5))).toBe('(top level): Invalid input: expected object, received number');
    expect(describeZodError(error(5), { root: 'payload' })).toBe(
      'payload: Invalid input: expected object, received number',
    );
  });

  it('prefixes paths, keeps the first issues and cuts long sentences with an ellipsis', () => {
    const e = error({ name: 1, tags: 'x' });
    expect(describeZodError(e, { prefix: 'argument', root: 'arguments' })).toMatch(
      /^argument name: .*; argument tags: /,
    );
    expect(describeZodError(e, { first: 1 })).toBe('name: Invalid input: expected string, received number');
    const cut = describeZodError(e, { max: 10 });
    expect(cut).toBe('name: Inv…');
  });

  it('never names a value: a secret in the input does not reach the sentence', () => {
    expect(describeZodError(error({ name: 'hunter2-secret', tags: 'hunter2-secret' }))).not.toContain('hunter2');
  });

  it('is total: any list of issues (or none) gives a sentence within the limit, never a throw', () => {
    const key = fc.oneof(
      fc.string(),
      fc.nat(),
      fc.string().map((s) => Symbol(s)),
    );
    const issue = fc.record({
      path: fc.array(key, { maxLength: 4 }),
      message: fc.oneof(fc.string(), fc.constant(undefined)),
    });
    fc.assert(
      fc.property(
        fc.oneof(fc.constant(null), fc.constant(undefined), fc.record({ issues: fc.array(issue, { maxLength: 6 }) })),
        fc.record({
          root: fc.option(fc.string(), { nil: undefined }),
          first: fc.option(fc.integer({ min: -2, max: 8 }), { nil: undefined }),
          max: fc.option(fc.integer({ min: -2, max: 80 }), { nil: undefined }),
        }),
        (err, o) => {
          const text = describeZodError(err as never, o);
          expect(typeof text).toBe('string');
          expect(text.length).toBeGreaterThan(0);
          if (o.max !== undefined) expect(text.length).toBeLessThanOrEqual(Math.max(1, o.max));
        },
      ),
      { numRuns: 300 },
    );
  });
});
