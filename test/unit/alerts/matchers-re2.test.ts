/**
 * Alertmanager's matcher semantics, exactly: regexes are Go RE2 compiled as `^(?:value)$` and matched with
 * MatchString; the parser is Alertmanager 0.27+'s (UTF-8 names, Go string escapes, a value is required).
 * The expectations are Go's behaviour; many of them differ from JavaScript's RegExp on purpose.
 */
import { describe, expect, it } from 'vitest';
import { actionPayloads } from '@shared/actions';
import {
  anchoredRegex,
  compileMatchers,
  formatMatchers,
  labelsOf,
  MAX_REGEX_CHARS,
  parseMatchers,
  RegexError,
  regexProblem,
  splitClusterMatchers,
  tryParseMatchers,
} from '@shared/matchers';
import { matcher } from '@test/helpers/matchers';

const m = matcher;

describe('regexes as Alertmanager runs them (Go RE2, fully anchored)', () => {
  it.each([
    // [value, input, matches]
    ['(?i)foo', 'FOO', true],
    ['(?i)foo', 'fOo', true],
    ['foo', 'FOO', false],
    ['foo', 'foobar', false], // anchored at both ends
    ['foo', 'xfoo', false],
    ['foo|bar', 'bar', true], // the anchors wrap the whole alternation
    ['foo|bar', 'foobar', false],
    ['.*', '', true],
    ['x*', '', true],
    ['.', '\n', false], // . does not match a newline without (?s)
    ['(?s).', '\n', true],
    ['.', '😀', true], // one rune, not two UTF-16 units
    ['..', '😀', false],
    ['[^a]', '😀', true],
    ['\\x{1F600}', '😀', true],
    ['\\d+', '123', true],
    ['\\d+', '١٢٣', false], // \d is ASCII in RE2
    ['\\w+', 'héllo', false], // \w is ASCII in RE2
    ['\\pL+', 'héllo', true],
    ['\\p{Han}+', '订单同步', true],
    ['[[:alpha:]]+', 'abc', true], // POSIX classes
    ['[[:alpha:]]+', 'a1', false],
    ['\\Qa.b\\E', 'a.b', true], // quoted literal text
    ['\\Qa.b\\E', 'axb', false],
    ['a\\z', 'a', true],
    ['^foo$', 'foo', true], // redundant anchors are harmless
    ['(?U)a+', 'aaa', true], // ungreedy, still anchored
    ['a{2}', 'aa', true],
    ['a{2}', 'aaa', false],
    ['\\babc\\b', 'abc', true],
    ['(?P<x>ab)c', 'abc', true],
    // Alertmanager only wraps the value: an unbalanced one changes what the anchors bind to, and Go accepts it
    ['a)|(b', 'axyz', true],
    ['a)|(b', 'xyzb', true],
    ['a)|(b', 'c', false],
  ])('%j on %j → %s', (value, input, expected) => {
    expect(anchoredRegex(value).test(input)).toBe(expected);
  });

  it.each([
    ['a(?=b)', /look-ahead \(\?=…\) is not supported.*RE2/],
    ['a(?!b)', /look-ahead \(\?!…\) is not supported/],
    ['(?<=a)b', /look-behind .* is not supported/],
    ['(?<!a)b', /look-behind .* is not supported/],
    ['(a)\\1', /back-references \(\\1\) are not supported/],
    ['a++', /invalid regular expression: invalid nested repetition operator/],
    ['a{1001}', /invalid regular expression: invalid repeat count/],
    ['[z-a]', /invalid regular expression: invalid character class range/],
    ['(', /invalid regular expression: missing closing \)/],
    ['\\C', /invalid regular expression: invalid escape sequence/],
  ])('refuses %j with a clear message', (value, message) => {
    expect(regexProblem(value)).toMatch(message);
    expect(() => anchoredRegex(value)).toThrow(message);
    const r = tryParseMatchers(`x=~"${value.replace(/\\/g, '\\\\')}"`);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.message).toMatch(message);
  });

  it('refuses a bad regex in a silence payload before it is queued or sent', () => {
    const bad = actionPayloads['silence.create'].safeParse({
      matchers: [{ name: 'job', value: 'api(?!-canary)', isRegex: true, isEqual: true }],
      endsAt: 1,
      comment: 'x',
    });
    expect(bad.success).toBe(false);
    expect(JSON.stringify(bad.error?.issues)).toContain('look-ahead');
    const good = actionPayloads['silence.create'].safeParse({
      matchers: [{ name: 'job', value: '(?i)API-.*', isRegex: true, isEqual: true }],
      endsAt: 1,
      comment: 'x',
    });
    expect(good.success).toBe(true);
  });

  it('refuses a regex over MAX_REGEX_CHARS at once instead of spending seconds compiling it (a pasted 1 MB value)', () => {
    const huge = 'a'.repeat(1 << 20);
    expect(() => anchoredRegex(huge)).toThrow(/at most 4096 characters/);
    expect(regexProblem(huge)).toMatch(/at most 4096 characters/);
    expect(() => compileMatchers([m('job', huge, '!~')])).toThrow(RegexError);
    const bad = actionPayloads['silence.create'].safeParse({ matchers: [m('job', huge, '=~')], endsAt: 1, comment: 'x' });
    expect(bad.success).toBe(false);
    expect(regexProblem('a'.repeat(MAX_REGEX_CHARS))).toBeNull();
  });
});

describe('the Alertmanager 0.27 matcher syntax', () => {
  it('takes UTF-8 label names, bare or quoted', () => {
    expect(parseMatchers('service.name="api"')).toEqual([m('service.name', 'api')]);
    expect(parseMatchers('"service.name"="api"')).toEqual([m('service.name', 'api')]);
    expect(parseMatchers('服务=订单')).toEqual([m('服务', '订单')]);
    expect(parseMatchers('{"🙂"=~"a.*"}')).toEqual([m('🙂', 'a.*', '=~')]);
  });

  it('separates tokens on Unicode whitespace as Go does', () => {
    expect(parseMatchers('a="1",\u202fb="2"')).toEqual([m('a', '1'), m('b', '2')]);
    expect(parseMatchers('\u00a0a\u3000=\u2003"1"')).toEqual([m('a', '1')]);
  });

  it('reads Go string escapes, and refuses what Go refuses', () => {
    expect(parseMatchers('a="\\x41\\101\\u00e9\\U0001F600\\t"')).toEqual([m('a', 'AAé😀\t')]);
    expect(parseMatchers('a="\\xc3\\xa9"')).toEqual([m('a', 'é')]); // bytes that spell UTF-8
    expect(tryParseMatchers('a="\\xff"').ok).toBe(false); // not UTF-8
    expect(tryParseMatchers('a="line\nbreak"').ok).toBe(false); // a raw newline
    expect(tryParseMatchers("a=\"it\\'s\"").ok).toBe(false); // \' is not an escape in double quotes
    expect(tryParseMatchers('a="\\ud800"').ok).toBe(false); // a surrogate is not a code point
    expect(tryParseMatchers('a=b\\c').ok).toBe(false); // backslash outside quotes
  });

  it('requires a value: write "" for an empty one', () => {
    const r = tryParseMatchers('team=');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.message).toContain('write "" for an empty one');
    expect(parseMatchers('team=""')).toEqual([m('team', '')]);
  });

  it('round-trips control characters through formatMatchers', () => {
    const ms = [m('a', 'x\u0001y"\\\n'), m('service.name', 'v', '!=')];
    expect(parseMatchers(formatMatchers(ms))).toEqual(ms);
  });
});

describe('@cluster, the pseudo-label', () => {
  it('matches an alert by its cluster in filters and previews', () => {
    const a = { labels: { alertname: 'Down', severity: 'critical' }, cluster: 'prod' };
    expect(compileMatchers(parseMatchers('@cluster="prod"'))(labelsOf(a))).toBe(true);
    expect(compileMatchers(parseMatchers('@cluster=~"stag.*"'))(labelsOf(a))).toBe(false);
    expect(compileMatchers(parseMatchers('@cluster=""'))(labelsOf({ labels: {} }))).toBe(true);
    expect(formatMatchers(parseMatchers('@cluster="prod"'))).toBe('{@cluster="prod"}');
  });
  it('is split off a silence: it chooses clusters and is never sent upstream', () => {
    const { cluster, labels } = splitClusterMatchers(parseMatchers('{@cluster="prod", alertname="Down"}'));
    expect(cluster).toEqual([m('@cluster', 'prod')]);
    expect(labels).toEqual([m('alertname', 'Down')]);
  });
});

describe('parse problems as data (the console says them in the reader’s language)', () => {
  const problem = (input: string) => {
    const r = tryParseMatchers(input);
    if (r.ok) throw new Error(`${input} parsed`);
    return { problem: r.error.problem, column: r.error.position + 1, message: r.error.message };
  };
  it('each refusal carries a code and its parameters, and the English message is made from them', () => {
    expect(problem('{a="b"')).toMatchObject({ problem: { code: 'expected', expected: 'closing_brace', found: null }, column: 7 });
    expect(problem('team=')).toMatchObject({ problem: { code: 'expected', expected: 'value_or_empty', found: null } });
    expect(problem('a=b\\c').problem).toEqual({ code: 'backslash' });
    expect(problem("a='b'").problem).toEqual({ code: 'single_quote', quote: "'" });
    expect(problem('a="\\q"').problem).toEqual({ code: 'unknown_escape', escape: 'q' });
    expect(problem('a="x\ny"').problem).toEqual({ code: 'raw_newline' });
    expect(problem('a="\\xff"').problem).toEqual({ code: 'not_utf8' });
    expect(problem('a="\\ud800"').problem).toEqual({ code: 'bad_code_point', escape: 'u' });
    expect(problem('a=~"(?=x)"')).toMatchObject({ problem: { code: 'bad_regex', name: 'a', issue: { code: 'lookahead', form: '(?=…)' } } });
    expect(problem('a=~"(a)\\\\1"').problem).toEqual({ code: 'bad_regex', name: 'a', issue: { code: 'backref', ref: '\\1' } });
    expect(problem('a=~"(?<=x)y"').problem).toMatchObject({ issue: { code: 'lookbehind' } });
    expect(problem('a=~"x("').problem).toMatchObject({ issue: { code: 'invalid' } });
    expect(problem('{a="b"').message).toBe('column 7: expected a closing }, found the end of the input');
    expect(regexProblem('(?=x)')).toMatch(/^look-ahead \(\?=…\) is not supported/);
  });
});
