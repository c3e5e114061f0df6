/**
 * Every helper that reads a URL, a date or a number from platform data is total: fed arbitrary strings —
 * malformed URLs and %-escapes, lone surrogates, control and bidi characters, 1 MB values — it answers
 * (a value, null or a refusal) and never throws. A throw in one of these during render blanked the whole
 * console (an alert annotation holding `mailto:%E0%A4%A`).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normalizeSeverity } from '@shared/domain';
import { deepLinkArg, formatDeepLink, parseDeepLink } from '@shared/deep-links';
import { checkExternalUrl, IM_SCHEMES, isSafeExternalUrl } from '@shared/external-urls';
import { tryParseMatchers } from '@shared/matchers';
import { decodeServerFrame } from '@shared/protocol';
import { contactLinks } from '@shared/roster';
import { parseUpdated } from '@shared/runbook-template';
import { silenceWindowProblem } from '@shared/silence-rule';
import { decodeComponent, encodeComponent, isoTime, localTime, parseUrl, validTime, wellFormed } from '@shared/total';

const MB = 1024 * 1024;
/** the hostile string: any UTF-16 (lone surrogates included), controls, bidi and zero-width, %-escapes, URL shapes, 1 MB */
export const hostileString = (): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 4, arbitrary: fc.string({ unit: 'binary', maxLength: 80 }) },
    { weight: 2, arbitrary: fc.string({ unit: fc.constantFrom('%', 'E', '0', 'A', '4', 'F', 'f', 'C', '3', '2', '8', 'D', '@', ':', '/', '?', '#'), maxLength: 30 }) },
    {
      weight: 3,
      arbitrary: fc
        .tuple(
          fc.constantFrom('mailto:', 'tel:', 'http://', 'https://', 'javascript:', 'slack://', 'dingtalk://', 'vigil://alert/', 'vigil://incident/', '//', ''),
          fc.string({ unit: fc.constantFrom('%', 'E', 'A', '0', '\ud800', '\udfff', '\u202e', '\u200b', '\u0000', '\u001b', '@', 'a', '+', '1', ' ', '[', ']', '\\'), maxLength: 20 }),
        )
        .map(([a, b]) => a + b),
    },
    { weight: 1, arbitrary: fc.webUrl({ withQueryParameters: true, withFragments: true }) },
    { weight: 1, arbitrary: fc.constantFrom('mailto:%E0%A4%A', 'tel:%', 'mailto:a@b%', 'https://x/%ff', 'mailto:\ud800@x', '\u202emailto:x@y') },
  );
const huge = ['a'.repeat(MB), `mailto:${'%'.repeat(MB)}`, `${'\ud800'.repeat(MB / 2)}`, `https://x.example/${'é'.repeat(MB / 2)}`];
const anyNumber = fc.oneof(fc.double(), fc.integer(), fc.constantFrom(8.64e15, 8.64e15 + 1, -8.64e15 - 1, 1e20, -0, NaN, Infinity, -Infinity));

const total = <T>(f: () => T): T => {
  try {
    return f();
  } catch (err) {
    throw new Error(`threw: ${String(err)}`);
  }
};

describe('the total built-ins (src/shared/total.ts)', () => {
  it('never throw, and say null where the built-in would have thrown', () => {
    fc.assert(
      fc.property(hostileString(), anyNumber, (s, n) => {
        expect(total(() => encodeComponent(s))).toMatch(/^[A-Za-z0-9\-_.!~*'()%]*$/);
        expect(wellFormed(s).length).toBe(s.length);
        const d = total(() => decodeComponent(s));
        if (d !== null) expect(typeof d).toBe('string');
        total(() => parseUrl(s));
        const t = total(() => validTime(n));
        if (t === null) expect(total(() => isoTime(n))).toBeNull();
        else expect(total(() => isoTime(n))).toMatch(/^[-+]?\d+-\d\d-\d\dT/);
      }),
      { numRuns: 3000 },
    );
    // each call builds an Intl formatter: fewer runs, any locale tag and any number
    fc.assert(
      fc.property(hostileString(), anyNumber, (s, n) => void expect(typeof total(() => localTime(n, s.slice(0, 12)))).toBe('string')),
      { numRuns: 300 },
    );
    expect(decodeComponent('%E0%A4%A')).toBeNull();
    expect(encodeComponent('a\ud800b')).toBe('a%EF%BF%BDb');
    expect(isoTime(1e20)).toBeNull();
    expect(localTime(NaN, 'en')).toBe('—');
    for (const h of huge) {
      total(() => encodeComponent(h));
      total(() => decodeComponent(h));
      total(() => parseUrl(h));
    }
  }, 60_000);
});

describe('the link, URL and date helpers built on them', () => {
  it('checkExternalUrl refuses (never throws) whatever it is given, including broken mailto:/tel: escapes', () => {
    fc.assert(
      fc.property(hostileString(), fc.boolean(), (s, im) => {
        const r = total(() => checkExternalUrl(s, im ? IM_SCHEMES : []));
        if (r.ok) expect(isSafeExternalUrl(r.url, im ? IM_SCHEMES : [])).toBe(true);
        else expect(r.reason.length).toBeGreaterThan(0);
      }),
      { numRuns: 5000 },
    );
    expect(checkExternalUrl('mailto:%E0%A4%A')).toEqual({ ok: false, reason: 'mailto: with a broken %-escape' });
    expect(checkExternalUrl('tel:%')).toEqual({ ok: false, reason: 'tel: with a broken %-escape' });
    for (const h of huge) expect(total(() => checkExternalUrl(h)).ok).toBe(false);
  });

  it('contactLinks turns any handle into links or nothing (lone surrogates included), each link vetted or null', () => {
    fc.assert(
      fc.property(hostileString(), hostileString(), hostileString(), hostileString(), (phone, email, slack, team) => {
        const links = total(() => contactLinks({ phone, email, im: { slack, dingtalk: slack, teams: email, wecom: phone } }, { slackTeam: team }));
        for (const l of links) if (l.url !== null) total(() => checkExternalUrl(l.url, IM_SCHEMES));
      }),
      { numRuns: 2000 },
    );
    expect(contactLinks({ phone: null, email: null, im: { slack: 'U\ud800' } }, { slackTeam: 'T1' })[0].url).toBe('slack://user?team=T1&id=U%EF%BF%BD');
  });

  it('deep links: parse, format and find refuse or answer, never throw', () => {
    fc.assert(
      fc.property(hostileString(), (s) => {
        const p = total(() => parseDeepLink(s));
        if (p.ok) expect(parseDeepLink(formatDeepLink(p.link))).toEqual(p);
        total(() => formatDeepLink({ kind: 'alert', id: s }));
        total(() => deepLinkArg([s, 42, null]));
      }),
      { numRuns: 3000 },
    );
  });

  it('dates and numbers from platform data: runbook "updated", silence windows, severities', () => {
    fc.assert(
      fc.property(hostileString(), anyNumber, fc.anything(), (s, n, x) => {
        const u = total(() => parseUpdated(s));
        if (u !== null) expect(Number.isFinite(u)).toBe(true);
        total(() => parseUpdated(n));
        total(() => parseUpdated(new Date(n)));
        total(() => silenceWindowProblem({ startsAt: x, endsAt: n, now: Date.now(), maxMinutes: 43_200 }));
        expect(['P0', 'P1', 'P2', 'P3']).toContain(total(() => normalizeSeverity(s)));
      }),
      { numRuns: 3000 },
    );
  });

  it('matchers typed or sent, and protocol frames, are answered with a refusal, never a throw', () => {
    fc.assert(
      fc.property(hostileString(), (s) => {
        total(() => tryParseMatchers(s));
        const d = total(() => decodeServerFrame(s, Buffer.byteLength(s)));
        if (!d.ok) expect(d.message.length).toBeGreaterThan(0);
      }),
      { numRuns: 3000 },
    );
    for (const h of huge) total(() => tryParseMatchers(h));
  });
});
