/**
 * What crosses to the views (src/shared/alert-view.ts: oversized names and values cut) and how hidden
 * characters are shown (src/shared/spoofing.ts): total over arbitrary strings — lone surrogates, controls,
 * bidi and zero-width characters, 1 MB values — and exact on the cases that matter.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cutAlert, cutText, NAME_CUT_CHARS, URL_MAX_CHARS, VALUE_CUT_CHARS } from '@shared/alert-view';
import { hasHiddenChars, hiddenCharsIn, revealPlain, revealSegments } from '@shared/spoofing';
import { firingAlert } from '@test/helpers/alerts';

const anyText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 60 }),
  fc.string({ unit: fc.constantFrom('a', 'Z', ' ', '\u200b', '\u202e', '\u2066', '\ufeff', '\u00ad', '\u0000', '\u001b', '\ud800', '\udfff', '\ud83d\ude00', '中'), maxLength: 40 }),
);

describe('cutting what crosses to the views', () => {
  it('keeps every value at most VALUE_CUT_CHARS, never splits a surrogate pair, and says what it cut', () => {
    fc.assert(
      fc.property(fc.dictionary(anyText, anyText, { maxKeys: 5 }), fc.integer({ min: 0, max: 3 }), (labels, grow) => {
        const big = Object.fromEntries(Object.entries(labels).map(([k, v], i) => [i === 0 && grow === 3 ? k.repeat(300) : k, v.repeat(grow === 0 ? 1 : 2000)]));
        const a = firingAlert({ labels: big, annotations: big });
        const v = cutAlert(a);
        for (const set of [v.labels, v.annotations])
          for (const [k, val] of Object.entries(set)) {
            expect(val.length).toBeLessThanOrEqual(VALUE_CUT_CHARS);
            expect(k.length).toBeLessThanOrEqual(NAME_CUT_CHARS + 10);
            // never between the halves of a pair: a cut value ending in a high surrogate was not followed by a low one
            const whole = Object.hasOwn(big, k) ? big[k] : '';
            if (val.length < whole.length && /[\ud800-\udbff]$/.test(val)) expect(/[\udc00-\udfff]/.test(whole[val.length])).toBe(false);
          }
        if (!v.cut) expect(v).toBe(a);
        for (const c of v.cut?.labels ?? []) expect(Object.entries(a.labels)[c.index][1].length).toBe(c.length);
      }),
      { numRuns: 1000 },
    );
    expect(cutText('ab\ud83d\ude00', 3)).toBe('ab');
    const mb = cutAlert(firingAlert({ labels: { alertname: 'X', blob: 'y'.repeat(1 << 20) } }));
    expect(mb.labels.blob).toHaveLength(VALUE_CUT_CHARS);
    // who acked it is cut too; a generator URL too long to be real is not offered; "__proto__" stays a label
    const acked = cutAlert(firingAlert({ ackedBy: 'a'.repeat(1 << 20), ackedAt: 1, generatorUrl: `https://x/${'g'.repeat(URL_MAX_CHARS)}` }));
    expect(acked.ackedBy).toHaveLength(VALUE_CUT_CHARS);
    expect(acked.generatorUrl).toBeNull();
    const proto = cutAlert(firingAlert({ labels: JSON.parse(`{"alertname":"P","__proto__":"${'v'.repeat(5000)}"}`) as Record<string, string> }));
    expect(Object.keys(proto.labels)).toEqual(['alertname', '__proto__']);
    expect(Object.getOwnPropertyDescriptor(proto.labels, '__proto__')?.value).toHaveLength(VALUE_CUT_CHARS);
  });
});

describe('showing hidden characters', () => {
  it('splits any text into plain runs and marked code points that join back to it', () => {
    fc.assert(
      fc.property(anyText, (s) => {
        const segs = revealSegments(s);
        expect(segs.map((x) => x.text).join('')).toBe(s);
        expect(hasHiddenChars(s)).toBe(segs.some((x) => x.codePoint));
        for (const x of segs) if (x.codePoint) expect(x.codePoint).toMatch(/^U\+[0-9A-F]{4,6}$/);
        expect(hasHiddenChars(revealPlain(s))).toBe(false);
      }),
      { numRuns: 2000 },
    );
  });

  it('marks the spoofing cases and leaves honest text alone', () => {
    expect(revealSegments('Disk\u200bFull')).toEqual([{ text: 'Disk' }, { text: '\u200b', codePoint: 'U+200B', name: 'ZERO WIDTH SPACE' }, { text: 'Full' }]);
    expect(revealPlain('\u202elluFksiD')).toBe('⟦U+202E⟧lluFksiD');
    for (const honest of ['DiskFull', '磁盘已满', 'Müller-Lüdenscheidt', 'ozon-orders 🚀', 'a\tb\nc']) expect(hasHiddenChars(honest), honest).toBe(false);
    expect(hiddenCharsIn({ alertname: 'Disk\u200bFull', labels: { alertname: 'Disk\u200bFull', team: 'ops', 'env\u202e': 'prod' } })).toEqual(['alertname', 'env\u202e']);
    expect(hiddenCharsIn({ alertname: 'DiskFull', labels: { alertname: 'DiskFull' } })).toEqual([]);
  });
});
