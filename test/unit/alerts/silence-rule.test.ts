/**
 * The shared silence rule (src/shared/silence-rule.ts), the one the console's dialog, the core and the
 * gateway run: a table of matcher sets — catch-alls, lone negatives, valid ones — with the verdict each must
 * get, the window (valid dates, order, the maximum) and totality over arbitrary input.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseMatchers } from '@shared/matchers';
import {
  ackDurationProblem,
  DEFAULT_MAX_SILENCE_MINUTES,
  describeRuleProblem,
  silenceRuleText,
  silenceScopeProblem,
  silenceWindowProblem,
} from '@shared/silence-rule';

const TABLE: [string, 'ok' | 'no_matchers' | 'only_negative' | 'catch_all' | 'only_cluster'][] = [
  // catch-alls
  ['alertname=~".+"', 'catch_all'],
  ['alertname=~".*"', 'catch_all'],
  ['{alertname=~".*", severity=~".+"}', 'catch_all'],
  ['job=~"(.*)"', 'catch_all'],
  ['job=~"x|.*"', 'catch_all'],
  ['job=~".{0,}"', 'catch_all'],
  ['job=~"[\\\\s\\\\S]*"', 'catch_all'],
  ['job=~"(.|\\\\n)+"', 'catch_all'],
  ['team=""', 'catch_all'],
  ['team=~""', 'catch_all'],
  ['env=~"prod|"', 'catch_all'],
  ['{team="", service=~".*"}', 'catch_all'],
  // lone negatives
  ['severity!="none"', 'only_negative'],
  ['alertname!~"Watchdog"', 'only_negative'],
  ['{severity!="none", env!~"dev|test"}', 'only_negative'],
  ['alertname!=""', 'only_negative'],
  // @cluster only chooses clusters (it is not sent upstream): it never names what is silenced
  ['@cluster="prod"', 'only_cluster'],
  ['{@cluster=~"prod|staging"}', 'only_cluster'],
  ['{@cluster="prod", severity!="none"}', 'only_negative'],
  ['{@cluster="prod", alertname=~".+"}', 'catch_all'],
  ['{@cluster="prod", alertname="DiskFull"}', 'ok'],
  // nothing
  ['', 'no_matchers'],
  // valid: at least one positive matcher that restricts
  ['alertname="DiskFull"', 'ok'],
  ['{alertname=~".+", service="ozon-orders"}', 'ok'],
  ['{severity!="none", alertname="OrderPullFailures"}', 'ok'],
  ['alertname=~"Disk.*"', 'ok'],
  ['alertname=~"OrderPullFailures|ShipmentPushFailures"', 'ok'],
  ['instance=~"10\\\\.0\\\\.0\\\\.[0-9]+:9100"', 'ok'],
  ['env=~"prod"', 'ok'],
  ['service=~".*-orders"', 'ok'],
  ['job=~"[a-z]+"', 'ok'],
  ['alertname="Disk\\u200bFull"', 'ok'],
];

describe('silence scope: the table', () => {
  it.each(TABLE)('%s → %s', (input, verdict) => {
    const p = silenceScopeProblem(parseMatchers(input));
    expect(p?.code ?? 'ok').toBe(verdict);
  });

  it('names the matchers in a clear reason, in both languages', () => {
    const p = silenceScopeProblem(parseMatchers('alertname=~".+"'))!;
    expect(describeRuleProblem(silenceRuleText.in('en'), p)).toBe(
      'This silence would match every alert: alertname=~".+" matches any value. Name what to silence with at least one matcher whose value is not a catch-all, e.g. alertname="DiskFull".',
    );
    expect(describeRuleProblem(silenceRuleText.in('zh-CN'), silenceScopeProblem(parseMatchers('severity!="none"'))!)).toContain('severity!="none"');
  });

  it('never throws, whatever the matchers (including invalid regexes, lone surrogates, bidi controls, 1 MB values)', () => {
    const value = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 50 }),
      fc.constantFrom('(', '[', '\\', '*', '.*', '.+', '(?<=x)', '\ud800', '\u202e', '\u0000', 'a'.repeat(1_000_000)),
    );
    const matcher = fc.record({ name: fc.string({ maxLength: 20 }), value, isRegex: fc.boolean(), isEqual: fc.boolean() });
    fc.assert(
      fc.property(fc.array(matcher, { maxLength: 6 }), (ms) => {
        const p = silenceScopeProblem(ms);
        if (p) expect(describeRuleProblem(silenceRuleText.in('en'), p).length).toBeGreaterThan(0);
      }),
      { numRuns: 300 },
    );
  });
});

describe('silence window and ack duration', () => {
  const now = 1_767_000_000_000;
  const max = DEFAULT_MAX_SILENCE_MINUTES;
  const min = 60_000;

  it('refuses times that are not dates, a window that ends first or is over, and one longer than the maximum', () => {
    expect(silenceWindowProblem({ endsAt: now + 60 * min, now, maxMinutes: max })).toBeNull();
    expect(silenceWindowProblem({ startsAt: now - 5 * min, endsAt: now + max * min, now, maxMinutes: max })).toBeNull();
    for (const bad of [1e20, -1e20, Infinity, NaN, '2026-01-01', null])
      expect(silenceWindowProblem({ endsAt: bad, now, maxMinutes: max }), String(bad)).toEqual({ code: 'bad_time', field: 'endsAt' });
    expect(silenceWindowProblem({ startsAt: 8.7e15, endsAt: now + min, now, maxMinutes: max })).toEqual({ code: 'bad_time', field: 'startsAt' });
    expect(silenceWindowProblem({ startsAt: now + 2 * min, endsAt: now + min, now, maxMinutes: max })?.code).toBe('ends_before_start');
    expect(silenceWindowProblem({ startsAt: now - 10 * min, endsAt: now - min, now, maxMinutes: max })?.code).toBe('already_ended');
    expect(silenceWindowProblem({ endsAt: now + (max + 1) * min, now, maxMinutes: max })).toEqual({ code: 'too_long', maxMinutes: max, minutes: max + 1 });
    expect(silenceWindowProblem({ startsAt: now + (max + 1) * min, endsAt: now + (max + 2) * min, now, maxMinutes: max })?.code).toBe('starts_too_late');
    expect(silenceWindowProblem({ endsAt: now + 2 * 1440 * min, now, maxMinutes: 1440 })?.code).toBe('too_long');
  });

  it('bounds an ack by the same maximum', () => {
    expect(ackDurationProblem(undefined, 60)).toBeNull();
    expect(ackDurationProblem(60, 60)).toBeNull();
    expect(ackDurationProblem(61, 60)).toEqual({ code: 'too_long', maxMinutes: 60, minutes: 61 });
  });

  it('never throws on arbitrary values', () => {
    fc.assert(
      fc.property(fc.anything(), fc.anything(), fc.double(), fc.integer({ min: 1, max: 1e6 }), (startsAt, endsAt, n, maxMinutes) => {
        const p = silenceWindowProblem({ startsAt, endsAt, now: n, maxMinutes });
        if (p) expect(describeRuleProblem(silenceRuleText.in('zh-CN'), p).length).toBeGreaterThan(0);
      }),
      { numRuns: 1000 },
    );
  });
});
