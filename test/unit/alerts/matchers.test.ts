import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  compileMatchers,
  formatMatchers,
  matchersForLabels,
  MatcherSyntaxError,
  parseMatchers,
  tryParseMatchers,
} from '@shared/matchers';
import { matcher } from '@test/helpers/matchers';

const m = matcher;

describe('parseMatchers (Alertmanager syntax)', () => {
  it('parses the four operators, bare and quoted values, with and without braces', () => {
    expect(parseMatchers('severity="critical"')).toEqual([m('severity', 'critical')]);
    expect(parseMatchers('{service=~"ozon.*", env!="staging"}')).toEqual([m('service', 'ozon.*', '=~'), m('env', 'staging', '!=')]);
    expect(parseMatchers('job!~"node|blackbox"')).toEqual([m('job', 'node|blackbox', '!~')]);
    expect(parseMatchers('  alertname = OrderPullFailures ,  ')).toEqual([m('alertname', 'OrderPullFailures')]);
    expect(parseMatchers('{a=b,}')).toEqual([m('a', 'b')]);
  });

  it('accepts empty input and {} as no matchers, and empty values', () => {
    expect(parseMatchers('')).toEqual([]);
    expect(parseMatchers('  { }  ')).toEqual([]);
    expect(parseMatchers('team=""')).toEqual([m('team', '')]);
  });

  it('unescapes quoted strings the way Alertmanager does, and allows quoted UTF-8 names', () => {
    expect(parseMatchers('msg="say \\"hi\\" \\\\ now\\n"')).toEqual([m('msg', 'say "hi" \\ now\n')]);
    expect(parseMatchers('"服务"="订单同步"')).toEqual([m('服务', '订单同步')]);
    expect(parseMatchers('summary="a, b = c {d}"')).toEqual([m('summary', 'a, b = c {d}')]);
  });

  it.each([
    ['severity', 8, 'an operator'],
    ['severity=="x"', 9, 'a value'],
    ['{a="b"', 6, 'a closing }'],
    ['a="b" c="d"', 6, 'a comma'],
    ['a="unterminated', 2, 'closing double quote'],
    ['a=~"(["', 3, 'invalid regular expression'],
    ["a='single'", 2, 'double quotes'],
    ['a="x\\q"', 4, 'unknown escape'],
    ['{a="b"} extra', 8, 'nothing after'],
    ['=x', 0, 'a label name'],
  ])('rejects %j with an error at column %i', (input, pos, text) => {
    const r = tryParseMatchers(input);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error).toBeInstanceOf(MatcherSyntaxError);
    expect(r.error.position).toBe(pos);
    expect(r.error.message).toContain(`column ${pos + 1}`);
    expect(r.error.message).toContain(text);
  });

  it('round-trips through formatMatchers', () => {
    const name = fc.oneof(fc.stringMatching(/^[a-zA-Z_][a-zA-Z0-9_]{0,8}$/), fc.string({ minLength: 1, maxLength: 6 }));
    const value = fc.string({ maxLength: 12 });
    const matcher = fc.record({ name, value, isEqual: fc.boolean(), isRegex: fc.constant(false) });
    fc.assert(
      fc.property(fc.array(matcher, { maxLength: 5 }), (ms) => {
        expect(parseMatchers(formatMatchers(ms))).toEqual(ms);
      }),
    );
  });
});

describe('compileMatchers', () => {
  const labels = { alertname: 'OrderPullFailures', service: 'ozon-orders', severity: 'critical' };
  it('anchors regexes and treats a missing label as empty', () => {
    expect(compileMatchers(parseMatchers('service=~"ozon.*"'))(labels)).toBe(true);
    expect(compileMatchers(parseMatchers('service=~"ozon"'))(labels)).toBe(false);
    expect(compileMatchers(parseMatchers('service!~"ozon.*"'))(labels)).toBe(false);
    expect(compileMatchers(parseMatchers('team=""'))(labels)).toBe(true);
    expect(compileMatchers(parseMatchers('team!=""'))(labels)).toBe(false);
    expect(compileMatchers(parseMatchers('{severity="critical", service!="x"}'))(labels)).toBe(true);
    expect(compileMatchers([])(labels)).toBe(true);
  });
  it('prefills equality matchers for every label, alertname first', () => {
    expect(matchersForLabels({ service: 's', alertname: 'A', env: 'prod' }).map((x) => x.name)).toEqual(['alertname', 'env', 'service']);
  });
});
