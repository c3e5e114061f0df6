/**
 * What the gateway refuses even when an action's payload has the right shape: the shared silence rule
 * (src/shared/silence-rule.ts) — a silence that would match every alert, times that are not dates, a window
 * longer than the operator's maximum — and an ack longer than that maximum. Checked before the source is
 * called, for every source and every client, whatever the client checked itself. A refusal is stored like
 * any other result (a replay of the id gets the same answer).
 */
import type { ActionType } from '@shared/actions';
import { ERROR_CODES, type WireError } from '@shared/protocol';
import {
  ackDurationProblem,
  DEFAULT_MAX_SILENCE_MINUTES,
  describeRuleProblem,
  silenceRuleText,
  silenceScopeProblem,
  silenceWindowProblem,
  type WindowProblem,
} from '@shared/silence-rule';
import type { Matcher } from '@shared/alerts';

export interface ActionLimits {
  /** the longest silence or ack, in minutes (default 30 days; `--max-silence-days`) */
  maxSilenceMinutes: number;
}

export type ActionPolicy = (type: ActionType, payload: unknown, now: number) => WireError | null;

const text = silenceRuleText.in('en');

const windowError = (p: WindowProblem): WireError => ({
  // a time that is no date, or a window in the wrong order, is a bad payload; one that is too long is a limit
  code: p.code === 'too_long' || p.code === 'starts_too_late' ? ERROR_CODES.durationTooLong : ERROR_CODES.badPayload,
  message: describeRuleProblem(text, p),
});

export function createActionPolicy(limits: Partial<ActionLimits> = {}): ActionPolicy {
  const maxMinutes = limits.maxSilenceMinutes ?? DEFAULT_MAX_SILENCE_MINUTES;
  return (type, payload, now) => {
    if (type === 'silence.create') {
      const p = payload as { matchers: Matcher[]; startsAt?: number; endsAt: number };
      const scope = silenceScopeProblem(p.matchers);
      if (scope) return { code: ERROR_CODES.silenceTooBroad, message: describeRuleProblem(text, scope) };
      const window = silenceWindowProblem({ startsAt: p.startsAt, endsAt: p.endsAt, now, maxMinutes });
      return window ? windowError(window) : null;
    }
    if (type === 'alert.ack') {
      const problem = ackDurationProblem((payload as { durationMinutes?: number }).durationMinutes, maxMinutes);
      return problem ? windowError(problem) : null;
    }
    return null;
  };
}
