/**
 * Alertmanager label matchers: parse, format and evaluate the same syntax amtool and the Alertmanager UI
 * accept — `name="v"`, `name!="v"`, `name=~"re"`, `name!~"re"`, optionally as a `{…}` list separated by
 * commas (a trailing comma is allowed). Names and values may be bare words or double-quoted strings with
 * backslash escapes. Regexes are anchored at both ends, as in Alertmanager; a missing label is the empty
 * string, so `team=""` matches alerts without a team.
 *
 * Used by the filter box, the silence dialog and the core (which re-validates what the renderer sends).
 */
import type { Matcher } from './alerts';

export type { Matcher };

/** What the parser expected where it found something else. */
export type MatcherExpected = 'closing_brace' | 'end' | 'label_name' | 'operator' | 'value' | 'comma_or_brace' | 'comma';

/** The problem as data, so the renderer says it in the user's language (the message is the English). */
export type MatcherProblem =
  | { code: 'expected'; expected: MatcherExpected; found: string | null }
  | { code: 'single_quote'; quote: string }
  | { code: 'unknown_escape'; escape: string }
  | { code: 'unclosed_string' }
  | { code: 'empty_name' }
  | { code: 'bad_regex'; name: string; reason: string };

/** what each `expected` says in English (the renderer's en texts use these too) */
export const EXPECTED_EN: Record<MatcherExpected, string> = {
  closing_brace: 'a closing }',
  end: 'nothing after the closing }',
  label_name: 'a label name',
  operator: 'an operator (=, !=, =~ or !~)',
  value: 'a value',
  comma_or_brace: 'a comma or }',
  comma: 'a comma',
};

function englishOf(p: MatcherProblem): string {
  switch (p.code) {
    case 'expected':
      return `expected ${EXPECTED_EN[p.expected]}, found ${p.found === null ? 'the end of the input' : JSON.stringify(p.found)}`;
    case 'single_quote':
      return `use double quotes, not ${p.quote}`;
    case 'unknown_escape':
      return `unknown escape \\${p.escape} in a quoted string`;
    case 'unclosed_string':
      return 'a closing double quote for the string that starts here';
    case 'empty_name':
      return 'a label name cannot be empty';
    case 'bad_regex':
      return `invalid regular expression for ${p.name}: ${p.reason}`;
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
const RESERVED = new Set(['{', '}', '!', '=', '~', ',', '"', "'", '`']);
const isSpace = (c: string) => c === ' ' || c === '\t' || c === '\n' || c === '\r';
const PLAIN_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const ESCAPES: Record<string, string> = { '"': '"', '\\': '\\', n: '\n', t: '\t', r: '\r' };

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
    const start = this.pos;
    while (this.pos < this.input.length && !RESERVED.has(this.input[this.pos]) && !isSpace(this.input[this.pos])) this.pos++;
    return this.pos > start ? this.input.slice(start, this.pos) : null;
  }
  private quoted(): string {
    const open = this.pos++;
    let out = '';
    while (this.pos < this.input.length) {
      const c = this.input[this.pos++];
      if (c === '"') return out;
      if (c === '\\') {
        const e = this.input[this.pos];
        if (e === undefined) break;
        if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(this.input.slice(this.pos + 1, this.pos + 5))) {
          out += String.fromCharCode(parseInt(this.input.slice(this.pos + 1, this.pos + 5), 16));
          this.pos += 5;
          continue;
        }
        if (!(e in ESCAPES)) throw new MatcherSyntaxError({ code: 'unknown_escape', escape: e }, this.pos - 1);
        out += ESCAPES[e];
        this.pos++;
        continue;
      }
      out += c;
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

/** Compiles an Alertmanager regex value the way Alertmanager anchors it. Throws on invalid syntax. */
export function anchoredRegex(value: string): RegExp {
  return new RegExp(`^(?:${value})$`);
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
    const value = lx.word() ?? (lx.peek() === undefined || lx.peek() === ',' || lx.peek() === '}' ? '' : lx.fail('value'));
    if (op.isRegex) {
      try {
        anchoredRegex(value);
      } catch (err) {
        throw new MatcherSyntaxError({ code: 'bad_regex', name, reason: (err as Error).message }, valueAt);
      }
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

const quote = (s: string) => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t')}"`;

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

export type LabelPredicate = (labels: Readonly<Record<string, string>>) => boolean;

/** Compiles matchers once into a predicate (all must match). Throws on an invalid regex. */
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

/** Equality matchers for every label of an alert: what "silence this alert" starts from. */
export function matchersForLabels(labels: Readonly<Record<string, string>>): Matcher[] {
  return Object.keys(labels)
    .sort((a, b) => (a === 'alertname' ? -1 : b === 'alertname' ? 1 : a.localeCompare(b)))
    .map((name) => ({ name, value: labels[name], isRegex: false, isEqual: true }));
}
