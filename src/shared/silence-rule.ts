/**
 * The rule every silence and ack must pass, in one place: the console's silence dialog shows it as it is
 * typed, the core refuses before anything is queued, and the gateway refuses over the wire (for every
 * client, whatever it checked itself).
 *
 * Scope: a silence must name what it silences: at least one positive matcher (`=` or `=~`) whose value is
 * not a catch-all. A catch-all value matches (almost) any label value — `=~".*"`, `=~".+"`, `=~"x|.*"` —
 * or the empty value of a missing label — `=""`, `=~""`, `=~"prod|"` match every alert *without* that label. A silence of negative matchers alone
 * (`severity!="none"`) matches every alert but a few. `@cluster` matchers choose clusters, are never sent to
 * Alertmanager, and so never count as naming what is silenced (`@cluster="prod"` alone silences all of prod). Whether a regex is a catch-all is decided by running
 * it, with the same anchored semantics as Alertmanager (matchers.ts), against probe values no real
 * restriction accepts all of.
 *
 * Window: times must be real dates (finite, within the Date range); the silence must end after it starts
 * and after now; it may last (and start) at most the gateway's maximum, 30 days unless its operator sets
 * another (`--max-silence-days`). The same maximum bounds an ack's duration.
 *
 * Total: every function here returns a refusal or null; none throws.
 */
import type { Matcher } from './alerts';
import { anchoredRegex, formatMatcher, splitClusterMatchers } from './matchers';
import { defineTexts, type Translator } from './texts';
import { validTime } from './total';

/** the longest silence or ack, unless the gateway's operator sets another */
export const DEFAULT_MAX_SILENCE_MINUTES = 30 * 24 * 60;

/**
 * Values a restrictive regex does not all match: empty and not, short and long, digits, punctuation,
 * spaces, newlines, non-Latin text and zero-width characters.
 */
const PROBES = [
  'a',
  'Z',
  '0',
  '-',
  '_',
  ' ',
  'DiskFull',
  'vigil-probe-7f3a91',
  'x'.repeat(300),
  '中文告警',
  'Ωmega',
  '1.2.3.4:9100',
  '\u200b',
  '!@#$%^&*()',
] as const;

export type ScopeProblem =
  | { code: 'no_matchers' }
  /** only `!=` / `!~` matchers: everything but what they exclude */
  | { code: 'only_negative'; matchers: string }
  /** positive matchers, but each matches any value */
  | { code: 'catch_all'; matchers: string }
  /** only `@cluster` matchers: they choose clusters and are not sent upstream, so everything there is silenced */
  | { code: 'only_cluster'; matchers: string }
  | { code: 'bad_regex'; matchers: string };

/** True when `m` is positive and restricts what it matches (its value is not a catch-all). Never throws. */
export function isRestrictive(m: Matcher): boolean {
  if (!m.isEqual) return false;
  if (!m.isRegex) return m.value !== '';
  let re: { test(s: string): boolean };
  try {
    re = anchoredRegex(m.value);
  } catch {
    return false;
  }
  try {
    // a missing label is "": a value that matches it silences every alert without the label (`=~""`,
    // `=~"prod|"`); one that matches every probe silences every alert with it (`.+`)
    return !re.test('') && !PROBES.every((p) => re.test(p));
  } catch {
    return false;
  }
}

const listed = (ms: readonly Matcher[]) => ms.map((m) => formatMatcher(m)).join(', ').slice(0, 300);

/** Why a silence with these matchers would silence (almost) everything, or null when it names what it silences. */
export function silenceScopeProblem(ms: readonly Matcher[]): ScopeProblem | null {
  if (ms.length === 0) return { code: 'no_matchers' };
  // `@cluster` matchers choose the clusters and never reach Alertmanager: they do not name what is silenced
  const { cluster, labels } = splitClusterMatchers(ms);
  if (labels.some(isRestrictive)) return null;
  if (labels.length === 0) return { code: 'only_cluster', matchers: listed(cluster) };
  const positive = labels.filter((m) => m.isEqual);
  if (positive.length === 0) return { code: 'only_negative', matchers: listed(labels) };
  const broken = positive.filter((m) => m.isRegex && !compiles(m.value));
  if (broken.length > 0) return { code: 'bad_regex', matchers: listed(broken) };
  return { code: 'catch_all', matchers: listed(positive) };
}

function compiles(value: string): boolean {
  try {
    anchoredRegex(value);
    return true;
  } catch {
    return false;
  }
}

/** a time as the gateway accepts it: a finite number of ms inside the Date range */
export const isValidTime = (t: unknown): t is number => validTime(t) !== null;

export type WindowProblem =
  | { code: 'bad_time'; field: 'startsAt' | 'endsAt' }
  | { code: 'ends_before_start' }
  | { code: 'already_ended' }
  | { code: 'too_long'; maxMinutes: number; minutes: number }
  | { code: 'starts_too_late'; maxMinutes: number };

/** Why a silence window is refused, or null. `startsAt` defaults to now. Never throws. */
export function silenceWindowProblem(w: { startsAt?: unknown; endsAt: unknown; now: number; maxMinutes: number }): WindowProblem | null {
  if (w.startsAt !== undefined && !isValidTime(w.startsAt)) return { code: 'bad_time', field: 'startsAt' };
  if (!isValidTime(w.endsAt)) return { code: 'bad_time', field: 'endsAt' };
  const startsAt = (w.startsAt as number | undefined) ?? w.now;
  if (w.endsAt <= startsAt) return { code: 'ends_before_start' };
  if (w.endsAt <= w.now) return { code: 'already_ended' };
  const maxMs = w.maxMinutes * 60_000;
  if (startsAt - w.now > maxMs) return { code: 'starts_too_late', maxMinutes: w.maxMinutes };
  const ms = w.endsAt - Math.max(startsAt, w.now);
  if (ms > maxMs) return { code: 'too_long', maxMinutes: w.maxMinutes, minutes: Math.ceil(ms / 60_000) };
  return null;
}

/** Why an ack's duration is refused, or null (no duration: the source's own, checked when it starts). */
export function ackDurationProblem(durationMinutes: number | undefined, maxMinutes: number): WindowProblem | null {
  if (durationMinutes === undefined || durationMinutes <= maxMinutes) return null;
  return { code: 'too_long', maxMinutes, minutes: durationMinutes };
}

export const silenceRuleText = defineTexts('silence-rule', {
  en: {
    no_matchers: 'A silence needs at least one matcher.',
    only_negative:
      'This silence would match every alert: {{matchers}} only excludes. Add a positive matcher that names what to silence, e.g. {{example}}.',
    catch_all:
      'This silence would match every alert: {{matchers}} matches any value. Name what to silence with at least one matcher whose value is not a catch-all, e.g. {{example}}.',
    bad_regex: 'The regular expression in {{matchers}} is not valid.',
    only_cluster:
      'This silence would match every alert of the cluster: {{matchers}} only chooses the cluster. Add a matcher that names what to silence, e.g. {{example}}.',
    bad_time: '{{field}} is not a valid date.',
    ends_before_start: 'The silence ends before it starts.',
    already_ended: 'The silence would already be over.',
    too_long: 'At most {{days}} days ({{max}} min) is allowed; this asks for {{minutes}} min.',
    starts_too_late: 'A silence may start at most {{days}} days from now.',
  },
  'zh-CN': {
    no_matchers: '静默至少需要一个匹配条件。',
    only_negative: '该静默会匹配所有告警：{{matchers}} 只做了排除。请加一个指明静默对象的正向匹配，例如 {{example}}。',
    catch_all: '该静默会匹配所有告警：{{matchers}} 可匹配任意值。请至少用一个取值不是通配的匹配条件指明静默对象，例如 {{example}}。',
    bad_regex: '{{matchers}} 中的正则表达式无效。',
    only_cluster: '该静默会匹配该集群的所有告警：{{matchers}} 只选定了集群。请加一个指明静默对象的匹配条件，例如 {{example}}。',
    bad_time: '{{field}} 不是有效的日期。',
    ends_before_start: '静默的结束时间早于开始时间。',
    already_ended: '该静默的结束时间已过。',
    too_long: '最长允许 {{days}} 天（{{max}} 分钟），当前为 {{minutes}} 分钟。',
    starts_too_late: '静默最晚只能在 {{days}} 天后开始。',
  },
});

const EXAMPLE = 'alertname="DiskFull"';
type RuleText = Translator<(typeof silenceRuleText)['en']>;

/** The sentence for a refusal, in the table's language. */
export function describeRuleProblem(t: RuleText, p: ScopeProblem | WindowProblem): string {
  const days = (max: number) => Math.round((max / 1440) * 10) / 10;
  switch (p.code) {
    case 'no_matchers':
      return t.no_matchers();
    case 'only_negative':
      return t.only_negative({ matchers: p.matchers, example: EXAMPLE });
    case 'catch_all':
      return t.catch_all({ matchers: p.matchers, example: EXAMPLE });
    case 'bad_regex':
      return t.bad_regex({ matchers: p.matchers });
    case 'only_cluster':
      return t.only_cluster({ matchers: p.matchers, example: EXAMPLE });
    case 'bad_time':
      return t.bad_time({ field: p.field });
    case 'ends_before_start':
      return t.ends_before_start();
    case 'already_ended':
      return t.already_ended();
    case 'too_long':
      return t.too_long({ days: days(p.maxMinutes), max: p.maxMinutes, minutes: p.minutes });
    case 'starts_too_late':
      return t.starts_too_late({ days: days(p.maxMinutes) });
  }
}
