/**
 * Alertmanager label matchers, with Alertmanager 0.27+'s semantics: parse, format and evaluate the syntax
 * amtool and the Alertmanager UI accept — `name="v"`, `name!="v"`, `name=~"re"`, `name!~"re"`, optionally as a
 * `{…}` list separated by commas (a trailing comma is allowed).
 *
 * - Names and values are double-quoted strings (Go string escapes: \n \t \" \\ \xNN \NNN \uNNNN \UNNNNNNNN;
 *   no raw newline) or bare words of any UTF-8 without whitespace or the reserved characters { } ! = ~ , \ " ' `.
 *   So UTF-8 label names work as in Alertmanager 0.27: `"service.name"="api"`, `服务=订单`.
 * - A value is required: `team=""` matches alerts without a team (a missing label is the empty string).
 * - Regexes are Go RE2 (through re2js, a pure-JS port), fully anchored as Alertmanager anchors them
 *   (`^(?:value)$`): `(?i)`, `\pL`, `[[:alpha:]]`, `\Q…\E` work; look-ahead, look-behind and back-references
 *   are refused with a message saying why.
 * - `@cluster` is Vigil's pseudo-label: the cluster an alert came from (`labelsOf`). A silence's `@cluster`
 *   matchers choose the clusters it is created in; they are never sent to Alertmanager.
 *
 * Used by the filter box, the silence dialog's preview, the core (which re-validates what the renderer sends)
 * and the gateway (which validates silence payloads before they reach Alertmanager).
 */
import { RE2JS } from 're2js';
import type { Matcher } from './alerts';

export type { Matcher };

/** Vigil's pseudo-label for an alert's cluster (never a real Alertmanager label). */
export const CLUSTER_LABEL = '@cluster';

/** What the parser expected where it found something else. */
export type MatcherExpected = 'closing_brace' | 'end' | 'label_name' | 'operator' | 'value' | 'value_or_empty' | 'comma_or_brace' | 'comma';

/** Why a regex is refused, as data (`invalid` carries RE2's own words, which no text table can translate). */
export type RegexIssue =
  | { code: 'lookahead'; form: '(?=…)' | '(?!…)' }
  | { code: 'lookbehind' }
  | { code: 'backref'; ref: string }
  | { code: 'invalid'; detail: string }
  | { code: 'too_long'; max: number; length: number };

/** The problem as data, so the renderer says it in the user's language (the message is the English). */
export type MatcherProblem =
  | { code: 'expected'; expected: MatcherExpected; found: string | null }
  | { code: 'single_quote'; quote: string }
  | { code: 'backslash' }
  | { code: 'unknown_escape'; escape: string }
  | { code: 'bad_code_point'; escape: string }
  | { code: 'raw_newline' }
  | { code: 'not_utf8' }
  | { code: 'unclosed_string' }
  | { code: 'empty_name' }
  | { code: 'bad_regex'; name: string; issue: RegexIssue };

/** what each `expected` says in English (the renderer's en texts use these too) */
export const EXPECTED_EN: Record<MatcherExpected, string> = {
  closing_brace: 'a closing }',
  end: 'nothing after the closing }',
  label_name: 'a label name',
  operator: 'an operator (=, !=, =~ or !~)',
  value: 'a value',
  value_or_empty: 'a value (write "" for an empty one)',
  comma_or_brace: 'a comma or }',
  comma: 'a comma',
};

const NO_LOOKAROUND = "Alertmanager uses Go's RE2, which has no look-around";

/** A refused regex in English (the gateway, the core and the renderer's en texts). */
export function regexIssueText(i: RegexIssue): string {
  switch (i.code) {
    case 'lookahead':
      return `look-ahead ${i.form} is not supported: ${NO_LOOKAROUND}`;
    case 'lookbehind':
      return `look-behind (?<=…) is not supported: ${NO_LOOKAROUND}`;
    case 'backref':
      return `back-references (${i.ref}) are not supported: Alertmanager uses Go's RE2, which has none`;
    case 'invalid':
      return `invalid regular expression: ${i.detail}`;
    case 'too_long':
      return `a regular expression may be at most ${i.max} characters long (this one has ${i.length})`;
  }
}

function englishOf(p: MatcherProblem): string {
  switch (p.code) {
    case 'expected':
      return `expected ${EXPECTED_EN[p.expected]}, found ${p.found === null ? 'the end of the input' : JSON.stringify(p.found)}`;
    case 'single_quote':
      return `use double quotes, not ${p.quote}`;
    case 'backslash':
      return 'a backslash is only allowed inside double quotes';
    case 'unknown_escape':
      return `unknown escape \\${p.escape} in a quoted string`;
    case 'bad_code_point':
      return `\\${p.escape} escape is not a valid Unicode code point`;
    case 'raw_newline':
      return 'a quoted string cannot contain a raw newline (write \\n)';
    case 'not_utf8':
      return 'the quoted string is not valid UTF-8';
    case 'unclosed_string':
      return 'a closing double quote for the string that starts here';
    case 'empty_name':
      return 'a label name cannot be empty';
    case 'bad_regex':
      return `${p.name}: ${regexIssueText(p.issue)}`;
  }
}

export class MatcherSyntaxError extends Error {
  /** 0-based offset into the input where the problem is */
  readonly position: number;
  readonly problem: MatcherProblem;
  constructor(problem: MatcherProblem, position: number) {
    super(`column ${position + 1}: ${englishOf(problem)}`);
    this.name = 'MatcherSyntaxError';
    this.position = position;
    this.problem = problem;
  }
}

// Characters that end a bare word (Alertmanager's lexer reserves the same set).
const RESERVED = new Set(['{', '}', '!', '=', '~', ',', '"', "'", '`', '\\']);
// Go's unicode.IsSpace: what separates tokens in Alertmanager's lexer.
const SPACE = /^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]$/;
const isSpace = (c: string) => SPACE.test(c);
const PLAIN_NAME = /^@?[a-zA-Z_][a-zA-Z0-9_]*$/;
const SIMPLE_ESCAPES: Record<string, number> = { a: 7, b: 8, f: 12, n: 10, r: 13, t: 9, v: 11, '\\': 92, '"': 34 };
const utf8 = new TextEncoder();

const hexAt = (s: string, at: number, n: number): number | null => {
  const h = s.slice(at, at + n);
  return h.length === n && /^[0-9a-fA-F]+$/.test(h) ? parseInt(h, 16) : null;
};

/**
 * The body of a double-quoted string as Go's strconv.Unquote reads it (what Alertmanager does): escapes may
 * spell bytes (\xNN, \NNN), and the result must be valid UTF-8. `at` is the offset of the body in the input.
 */
function unquote(body: string, at: number): string {
  const bytes: number[] = [];
  for (let i = 0; i < body.length; ) {
    const c = body[i];
    if (c === '\n') throw new MatcherSyntaxError({ code: 'raw_newline' }, at + i);
    if (c !== '\\') {
      const cp = body.codePointAt(i)!;
      const ch = String.fromCodePoint(cp);
      bytes.push(...utf8.encode(ch));
      i += ch.length;
      continue;
    }
    const e = body[i + 1];
    if (e !== undefined && e in SIMPLE_ESCAPES) {
      bytes.push(SIMPLE_ESCAPES[e]);
      i += 2;
    } else if (e === 'x' && hexAt(body, i + 2, 2) !== null) {
      bytes.push(hexAt(body, i + 2, 2)!);
      i += 4;
    } else if (e !== undefined && /[0-7]/.test(e) && /^[0-7]{3}$/.test(body.slice(i + 1, i + 4)) && parseInt(body.slice(i + 1, i + 4), 8) < 256) {
      bytes.push(parseInt(body.slice(i + 1, i + 4), 8));
      i += 4;
    } else if ((e === 'u' || e === 'U') && hexAt(body, i + 2, e === 'u' ? 4 : 8) !== null) {
      const cp = hexAt(body, i + 2, e === 'u' ? 4 : 8)!;
      if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) throw new MatcherSyntaxError({ code: 'bad_code_point', escape: e }, at + i);
      bytes.push(...utf8.encode(String.fromCodePoint(cp)));
      i += e === 'u' ? 6 : 10;
    } else {
      throw new MatcherSyntaxError({ code: 'unknown_escape', escape: e ?? '' }, at + i);
    }
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(new Uint8Array(bytes));
  } catch {
    throw new MatcherSyntaxError({ code: 'not_utf8' }, at - 1);
  }
}

class Lexer {
  pos = 0;
  constructor(readonly input: string) {}
  skipSpace(): void {
    while (this.pos < this.input.length && isSpace(this.input[this.pos])) this.pos++;
  }
  peek(): string | undefined {
    return this.input[this.pos];
  }
  fail(expected: MatcherExpected, at = this.pos): never {
    throw new MatcherSyntaxError({ code: 'expected', expected, found: at >= this.input.length ? null : this.input[at] }, at);
  }
  /** a double-quoted string with escapes, or a bare word; null when neither starts here */
  word(): string | null {
    const c = this.peek();
    if (c === '"') return this.quoted();
    if (c === "'" || c === '`') throw new MatcherSyntaxError({ code: 'single_quote', quote: c }, this.pos);
    if (c === '\\') throw new MatcherSyntaxError({ code: 'backslash' }, this.pos);
    const start = this.pos;
    while (this.pos < this.input.length && !RESERVED.has(this.input[this.pos]) && !isSpace(this.input[this.pos])) this.pos++;
    if (this.input[this.pos] === '\\') throw new MatcherSyntaxError({ code: 'backslash' }, this.pos);
    return this.pos > start ? this.input.slice(start, this.pos) : null;
  }
  private quoted(): string {
    const open = this.pos++;
    for (let i = this.pos; i < this.input.length; i++) {
      if (this.input[i] === '\\') {
        i++;
        continue;
      }
      if (this.input[i] === '"') {
        const body = this.input.slice(open + 1, i);
        this.pos = i + 1;
        return unquote(body, open + 1);
      }
    }
    throw new MatcherSyntaxError({ code: 'unclosed_string' }, open);
  }
  operator(): { isEqual: boolean; isRegex: boolean } {
    const two = this.input.slice(this.pos, this.pos + 2);
    if (two === '!=' || two === '=~' || two === '!~') {
      this.pos += 2;
      return { isEqual: two[0] === '=', isRegex: two[1] === '~' };
    }
    if (two[0] === '=') {
      this.pos += 1;
      return { isEqual: true, isRegex: false };
    }
    return this.fail('operator');
  }
}

// ---- regular expressions: Go RE2, anchored as Alertmanager anchors them -------------------------------

export class RegexError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RegexError';
  }
}

/** What RE2 says about a pattern, in terms an on-call engineer can act on; null when it compiles. */
function re2Issue(pattern: string): RegexIssue | null {
  try {
    RE2JS.compile(pattern);
    return null;
  } catch (e) {
    const text = String((e as Error)?.message ?? e).replace(/^error parsing regexp: /, '');
    if (/`\(\?[=!]/.test(text)) return { code: 'lookahead', form: /`\(\?=/.test(text) ? '(?=…)' : '(?!…)' };
    if (/`\(\?<[=!]/.test(text)) return { code: 'lookbehind' };
    const backref = /invalid escape sequence: `(\\[1-9])`/.exec(text);
    if (backref) return { code: 'backref', ref: backref[1] };
    return { code: 'invalid', detail: text };
  }
}

/**
 * The longest regex value compiled. RE2's compile time grows with the pattern (about 13 s for 1 MB here):
 * a pasted or hostile 1 MB regex in a silence or the filter box would stall the gateway, the core or the
 * window. No real matcher comes near this.
 */
export const MAX_REGEX_CHARS = 4096;
const tooLongIssue = (value: string): RegexIssue | null =>
  value.length > MAX_REGEX_CHARS ? { code: 'too_long', max: MAX_REGEX_CHARS, length: value.length } : null;
const tooLong = (value: string) => {
  const issue = tooLongIssue(value);
  return issue && regexIssueText(issue);
};

/** Why `value` is not a regex Alertmanager accepts, as data, or null when it is. */
export function regexIssue(value: string): RegexIssue | null {
  const long = tooLongIssue(value);
  if (long) return long;
  // Alertmanager compiles `^(?:value)$`; the value alone gives the clearer message when both fail
  const wrapped = re2Issue(`^(?:${value})$`);
  if (wrapped === null) return null;
  return re2Issue(value) ?? wrapped;
}

/** Why `value` is not a regex Alertmanager accepts (in English), or null when it is. */
export function regexProblem(value: string): string | null {
  const issue = regexIssue(value);
  return issue && regexIssueText(issue);
}

export interface CompiledRegex {
  test(s: string): boolean;
}

/**
 * Compiles a matcher's regex value exactly as Alertmanager does: Go RE2 syntax, `^(?:value)$`, matched with
 * Go's MatchString (an unanchored search of the anchored pattern). Throws RegexError with a clear message
 * (also for a value over MAX_REGEX_CHARS).
 * Results are memoised per input string (label values repeat across thousands of alerts).
 */
export function anchoredRegex(value: string): CompiledRegex {
  const long = tooLong(value);
  if (long) throw new RegexError(long);
  let re: RE2JS;
  try {
    re = RE2JS.compile(`^(?:${value})$`);
  } catch {
    throw new RegexError(regexProblem(value) ?? `invalid regular expression: ${value}`);
  }
  const memo = new Map<string, boolean>();
  return {
    test(s) {
      const hit = memo.get(s);
      if (hit !== undefined) return hit;
      const r = re.test(s);
      if (memo.size >= 10_000) memo.clear();
      memo.set(s, r);
      return r;
    },
  };
}

// ---- parsing ----------------------------------------------------------------------------------------

function valueAfter(lx: Lexer): string {
  const v = lx.word();
  if (v !== null) return v;
  return lx.fail(lx.peek() === undefined || lx.peek() === ',' || lx.peek() === '}' ? 'value_or_empty' : 'value');
}

/**
 * Parses a matcher list. Empty input (or `{}`) gives no matchers. Throws MatcherSyntaxError naming the
 * column of the first problem.
 */
export function parseMatchers(input: string): Matcher[] {
  const lx: Lexer = new Lexer(input); // annotated so fail() (never) narrows
  const out: Matcher[] = [];
  lx.skipSpace();
  const braced = lx.peek() === '{';
  if (braced) lx.pos++;
  for (;;) {
    lx.skipSpace();
    const c = lx.peek();
    if (c === undefined) {
      if (braced) lx.fail('closing_brace');
      break;
    }
    if (braced && c === '}') {
      lx.pos++;
      lx.skipSpace();
      if (lx.pos < input.length) lx.fail('end');
      break;
    }
    const nameAt = lx.pos;
    const name = lx.word();
    if (name === null) lx.fail('label_name');
    if (name === '') throw new MatcherSyntaxError({ code: 'empty_name' }, nameAt);
    lx.skipSpace();
    const op = lx.operator();
    lx.skipSpace();
    const valueAt = lx.pos;
    const value = valueAfter(lx);
    if (op.isRegex) {
      const issue = regexIssue(value);
      if (issue) throw new MatcherSyntaxError({ code: 'bad_regex', name, issue }, valueAt);
    }
    out.push({ name, value, ...op });
    lx.skipSpace();
    const sep = lx.peek();
    if (sep === ',') {
      lx.pos++;
      continue;
    }
    if (sep === undefined || (braced && sep === '}')) continue;
    lx.fail(braced ? 'comma_or_brace' : 'comma');
  }
  return out;
}

/** Like parseMatchers, but returns the error instead of throwing (for inputs being typed). */
export function tryParseMatchers(input: string): { ok: true; matchers: Matcher[] } | { ok: false; error: MatcherSyntaxError } {
  try {
    return { ok: true, matchers: parseMatchers(input) };
  } catch (err) {
    if (err instanceof MatcherSyntaxError) return { ok: false, error: err };
    throw err;
  }
}

// ---- formatting -------------------------------------------------------------------------------------

// eslint-disable-next-line no-control-regex -- control characters are exactly what must be escaped
const NEEDS_ESCAPE = /[\\"\x00-\x1f\x7f]/g;
const quote = (s: string) =>
  `"${s.replace(NEEDS_ESCAPE, (c) => {
    if (c === '\\' || c === '"') return `\\${c}`;
    if (c === '\n') return '\\n';
    if (c === '\r') return '\\r';
    if (c === '\t') return '\\t';
    return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
  })}"`;

export function operatorOf(m: Pick<Matcher, 'isEqual' | 'isRegex'>): '=' | '!=' | '=~' | '!~' {
  return m.isRegex ? (m.isEqual ? '=~' : '!~') : m.isEqual ? '=' : '!=';
}

export function formatMatcher(m: Matcher): string {
  return `${PLAIN_NAME.test(m.name) ? m.name : quote(m.name)}${operatorOf(m)}${quote(m.value)}`;
}

/** `{a="b", c=~"x.*"}`; parseMatchers(formatMatchers(ms)) gives back ms. */
export function formatMatchers(ms: readonly Matcher[]): string {
  return `{${ms.map(formatMatcher).join(', ')}}`;
}

// ---- evaluation -------------------------------------------------------------------------------------

export type LabelPredicate = (labels: Readonly<Record<string, string>>) => boolean;

/** Compiles matchers once into a predicate (all must match). Throws RegexError on an invalid regex. */
export function compileMatchers(ms: readonly Matcher[]): LabelPredicate {
  const tests = ms.map((m): LabelPredicate => {
    if (m.isRegex) {
      const re = anchoredRegex(m.value);
      return m.isEqual ? (l) => re.test(l[m.name] ?? '') : (l) => !re.test(l[m.name] ?? '');
    }
    return m.isEqual ? (l) => (l[m.name] ?? '') === m.value : (l) => (l[m.name] ?? '') !== m.value;
  });
  if (tests.length === 0) return () => true;
  return (l) => {
    for (const t of tests) if (!t(l)) return false;
    return true;
  };
}

export const matchesLabels = (ms: readonly Matcher[], labels: Readonly<Record<string, string>>): boolean => compileMatchers(ms)(labels);

/** An alert's labels plus Vigil's pseudo-labels (`@cluster`), what filters and silence previews match against. */
export function labelsOf(a: { labels: Readonly<Record<string, string>>; cluster?: string | null }): Record<string, string> {
  return a.cluster ? { ...a.labels, [CLUSTER_LABEL]: a.cluster } : { ...a.labels };
}

/** Splits a silence's matchers into the `@cluster` ones (which choose clusters) and the ones Alertmanager gets. */
export function splitClusterMatchers(ms: readonly Matcher[]): { cluster: Matcher[]; labels: Matcher[] } {
  return { cluster: ms.filter((m) => m.name === CLUSTER_LABEL), labels: ms.filter((m) => m.name !== CLUSTER_LABEL) };
}

/** Equality matchers for every label of an alert: what "silence this alert" starts from. */
export function matchersForLabels(labels: Readonly<Record<string, string>>): Matcher[] {
  return Object.keys(labels)
    .sort((a, b) => (a === 'alertname' ? -1 : b === 'alertname' ? 1 : a.localeCompare(b)))
    .map((name) => ({ name, value: labels[name], isRegex: false, isEqual: true }));
}
