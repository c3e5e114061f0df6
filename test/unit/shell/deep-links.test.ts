/**
 * vigil:// deep links: the total parser in @shared (exact shapes only, refusals never throws), checked on
 * hand-written hostile links and by property against the formatter; and the shell's delivery, which holds
 * a link until the renderer listens.
 */
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import {
  DEEP_LINK_MAX_ID,
  deepLinkArg,
  formatDeepLink,
  parseDeepLink,
  DeepLinkSchema,
  type DeepLink,
} from '@shared/deep-links';
import { createLinkDelivery, registerProtocolClient } from '@main/shell/deep-links';

const ID_CHARS = 'ABCDEFabcdef0123456789._:@~-'.split('');
const idArb = (max: number) =>
  fc
    .string({ unit: fc.constantFrom(...ID_CHARS), minLength: 1, maxLength: max })
    .filter((s) => s !== '.' && s !== '..');
const linkArb: fc.Arbitrary<DeepLink> = fc.oneof(
  idArb(DEEP_LINK_MAX_ID.alert).map((id) => ({ kind: 'alert' as const, id })),
  idArb(DEEP_LINK_MAX_ID.incident).map((id) => ({ kind: 'incident' as const, id })),
);

describe('parseDeepLink', () => {
  it('reads the two link shapes', () => {
    expect(parseDeepLink('vigil://alert/9f86d081884c7d65')).toEqual({
      ok: true,
      link: { kind: 'alert', id: '9f86d081884c7d65' },
    });
    expect(parseDeepLink('vigil://incident/INC-2026-0042')).toEqual({
      ok: true,
      link: { kind: 'incident', id: 'INC-2026-0042' },
    });
    // scheme and kind are case-insensitive (Windows may upper-case them); one trailing slash is tolerated
    expect(parseDeepLink('VIGIL://Alert/abc/')).toEqual({ ok: true, link: { kind: 'alert', id: 'abc' } });
    // percent-encoding of characters the alphabet has is decoded
    expect(parseDeepLink('vigil://incident/inc%3A7')).toEqual({ ok: true, link: { kind: 'incident', id: 'inc:7' } });
  });

  it.each([
    ['not a string', 42],
    ['null', null],
    ['empty', ''],
    ['another scheme', 'https://alert/abc'],
    ['a look-alike scheme', 'vigil2://alert/abc'],
    ['no slashes', 'vigil:alert/abc'],
    ['one slash', 'vigil:/alert/abc'],
    ['no id', 'vigil://alert/'],
    ['no kind', 'vigil:///abc'],
    ['an unknown kind', 'vigil://runbook/abc'],
    ['an extra segment', 'vigil://alert/abc/def'],
    ['traversal', 'vigil://alert/../incident/1'],
    ['a dot-dot id', 'vigil://alert/..'],
    ['a dot id', 'vigil://incident/.'],
    ['an encoded dot-dot id', 'vigil://alert/%2e%2e'],
    ['an encoded slash', 'vigil://alert/a%2Fb'],
    ['an encoded backslash', 'vigil://alert/a%5Cb'],
    ['double encoding', 'vigil://alert/a%252Fb'],
    ['a malformed escape', 'vigil://alert/a%zz'],
    ['a truncated escape', 'vigil://alert/a%2'],
    ['an encoded NUL', 'vigil://alert/a%00'],
    ['a query', 'vigil://alert/abc?x=1'],
    ['a fragment', 'vigil://alert/abc#x'],
    ['user info', 'vigil://user@alert/abc'],
    ['a port', 'vigil://alert:80/abc'],
    ['whitespace', 'vigil://alert/ab c'],
    ['a leading space', ' vigil://alert/abc'],
    ['a newline', 'vigil://alert/abc\n'],
    ['a script', 'vigil://alert/<script>'],
    ['non-ASCII', 'vigil://alert/ａｂｃ'],
    ['a too long fingerprint', `vigil://alert/${'a'.repeat(129)}`],
    ['a too long incident id', `vigil://incident/${'a'.repeat(65)}`],
    ['an overlong link', `vigil://alert/${'%41'.repeat(200)}`],
  ])('refuses %s', (_what, raw) => {
    const r = parseDeepLink(raw);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason.length).toBeGreaterThan(0);
  });

  it('round-trips every valid link through the formatter (property)', () => {
    fc.assert(
      fc.property(linkArb, (link) => {
        expect(parseDeepLink(formatDeepLink(link))).toEqual({ ok: true, link });
      }),
      { numRuns: 500 },
    );
  });

  it('never throws, and whatever it accepts satisfies the contract schema and the grammar (property)', () => {
    const hostile = fc.oneof(
      fc.string(),
      fc.string({ unit: 'binary' }),
      fc
        .array(
          fc.constantFrom(
            'vigil://',
            'VIGIL://',
            'alert',
            'incident',
            '/',
            '..',
            '.',
            '%2f',
            '%2e',
            '%',
            '%25',
            '?',
            '#',
            '@',
            ':',
            'a',
            '0',
            '\\',
            ' ',
            '\u0000',
          ),
          {
            maxLength: 12,
          },
        )
        .map((parts) => parts.join('')),
      fc.anything(),
    );
    fc.assert(
      fc.property(hostile, (raw) => {
        const r = parseDeepLink(raw);
        if (!r.ok) return;
        expect(DeepLinkSchema.safeParse(r.link).success).toBe(true);
        expect(typeof raw === 'string' && /^vigil:\/\/(alert|incident)\/[^/?#]+\/?$/i.test(raw)).toBe(true);
        expect(r.link.id).not.toMatch(/^\.{1,2}$|[/\\%\s]/);
      }),
      { numRuns: 3000 },
    );
  });

  it('finds the link argument on a command line (Windows and Linux pass it there)', () => {
    expect(deepLinkArg(['/opt/Vigil/vigil', '--hidden', 'vigil://incident/7'])).toBe('vigil://incident/7');
    expect(deepLinkArg(['/opt/Vigil/vigil', 'VIGIL://alert/x'])).toBe('VIGIL://alert/x');
    expect(deepLinkArg(['/opt/Vigil/vigil', '--allow-file-access'])).toBeNull();
    // a malformed one is still returned, so it is refused visibly rather than ignored
    expect(deepLinkArg(['vigil', 'vigil:../../x'])).toBe('vigil:../../x');
  });
});

describe('the shell delivers links to the renderer', () => {
  function delivery() {
    const sent: DeepLink[] = [];
    const refused: string[] = [];
    const focus = vi.fn();
    const d = createLinkDelivery({ send: (l) => sent.push(l), focus, refused: (r) => refused.push(r) });
    return { d, sent, refused, focus };
  }

  it('holds a link that arrives before the renderer listens, and hands it over once', () => {
    const { d, sent, focus } = delivery();
    d.open('vigil://alert/abc');
    expect(sent).toEqual([]);
    expect(focus).toHaveBeenCalledTimes(1);
    expect(d.take()).toEqual({ kind: 'alert', id: 'abc' });
    expect(d.take()).toBeNull();
    // listening now: the next link goes straight out
    d.open('vigil://incident/INC-1');
    expect(sent).toEqual([{ kind: 'incident', id: 'INC-1' }]);
  });

  it('holds links again while the page reloads', () => {
    const { d, sent } = delivery();
    d.take();
    d.rendererReset();
    d.open('vigil://incident/9');
    expect(sent).toEqual([]);
    expect(d.take()).toEqual({ kind: 'incident', id: '9' });
  });

  it('refuses a malformed link visibly, brings the window up and delivers nothing', () => {
    const { d, sent, refused, focus } = delivery();
    d.take();
    d.open('vigil://alert/..%2f..%2fetc');
    d.open('javascript:alert(1)');
    expect(sent).toEqual([]);
    expect(refused).toHaveLength(2);
    expect(focus).toHaveBeenCalledTimes(2);
    expect(d.take()).toBeNull();
  });

  it('registers vigil:// as the protocol client only in a packaged app', () => {
    const set = vi.fn(() => true);
    expect(registerProtocolClient({ isPackaged: false, setAsDefaultProtocolClient: set })).toBe(false);
    expect(set).not.toHaveBeenCalled();
    expect(registerProtocolClient({ isPackaged: true, setAsDefaultProtocolClient: set })).toBe(true);
    expect(set).toHaveBeenCalledWith('vigil');
  });
});
