import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseJson } from '@shared/json';

describe('parseJson: JSON text to a value or a refusal, never a throw', () => {
  it('reads back every JSON value', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        const r = parseJson(JSON.stringify(v));
        expect(r.ok).toBe(true);
        expect(r.value).toEqual(JSON.parse(JSON.stringify(v)));
      }),
      { numRuns: 200 },
    );
  });

  it('refuses damaged text and anything that is not text, with a reason and no value', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.anything()), (input) => {
        const r = parseJson(input);
        if (r.ok) {
          expect(typeof input).toBe('string');
          expect(r.value).toEqual(JSON.parse(input as string));
        } else {
          expect(r.value).toBeUndefined();
          expect(r.error.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 300 },
    );
    expect(parseJson('{"a":')).toMatchObject({ ok: false });
    expect(parseJson('')).toEqual({ ok: false, error: 'empty text' });
    expect(parseJson(null)).toEqual({ ok: false, error: 'expected JSON text, got null' });
    expect(parseJson<string[]>('[1').value ?? ['fallback']).toEqual(['fallback']);
  });
});
