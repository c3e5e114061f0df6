/**
 * requestPath, the one reader of request targets for the browser host and the gateway: total over any
 * string (never throws), a 4xx refusal for everything that is not a clean origin-form path.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_TARGET_CHARS, requestPath } from '@node/http-guard';

describe('requestPath', () => {
  it('never throws, and a refusal is always a 4xx with a reason', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary' }), fc.webUrl({ withQueryParameters: true, withFragments: true }), fc.string({ unit: fc.constantFrom('%', 'C', '3', '2', '8', 'E', 'D', 'A', '0', '/', '\u0000', '\u202e') })), (s) => {
        const r = requestPath(s);
        if (!r.ok) {
          expect([400, 414]).toContain(r.status);
          expect(r.reason.length).toBeGreaterThan(0);
        } else expect(r.path.startsWith('/')).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('decodes clean paths and refuses broken escapes, invalid UTF-8, controls, raw bytes and overlong targets', () => {
    expect(requestPath('/a%20b/c.js?x=%zz#f')).toEqual({ ok: true, path: '/a b/c.js', query: 'x=%zz' });
    expect(requestPath(undefined)).toMatchObject({ ok: true, path: '/' });
    for (const bad of ['/%', '/%G1', '/%C3%28', '/%ED%A0%80', '/%FF', '/a%00', '/%7f', '/%C2%85', '/\u0001', '/\u00ff', '/é', 'x', '*', 'http://evil/'])
      expect(requestPath(bad), bad).toMatchObject({ ok: false, status: 400 });
    expect(requestPath(`/${'a'.repeat(MAX_TARGET_CHARS)}`)).toMatchObject({ ok: false, status: 414 });
  });
});
