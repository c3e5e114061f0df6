/**
 * The escalation engine. For every unacked firing alert (and open, unanswered incident) that a policy
 * covers, it walks the policy's ladder: reminders to the current level, then at each level's time limit
 * an escalate action to the platform and a notification naming who the next level reaches.
 *
 * Nothing here counts down in memory. Each pass recomputes the level that is due from the ladder's
 * `started_at` and the policy, compares it with the level recorded in SQLite, and records the move and
 * the outbox entry in one transaction (guarded by `level < new`), so a restart resumes at the right
 * level and a level is never escalated twice. Passes run when alerts change (`onAlertsChanged`), at
 * the next due instant, and at least every `tickMs` of the injected clock.
 */
import { atLeast, severityRank, SEVERITIES } from '@shared/domain';
import { dueLevel as dueSharedLevel, matchPolicy as matchSharedPolicy } from '@shared/policy-match';
import { escalationEntryId } from '@shared/incidents';
import { keyLabels } from '@shared/alert-labels';
import { cutText, NAME_CUT_CHARS, VALUE_CUT_CHARS } from '@shared/alert-view';
import type { EscalationState } from '@shared/roster';
import { createPassLoop } from '@node/pass-loop';
import type { ActionSink, CoreContext } from '../context';
import { createLadderStore, type LadderRow } from './ladder-store';
import { escalatedText, escalationReason, reminderText, type Reached } from './messages';
import { createPolicyIndex, type PolicyRef } from './policy-index';
import type { RosterStore } from './store';
import type { Subject, SubjectReader } from './subjects';

export type { PolicyRef } from './policy-index';

const MINUTE = 60_000;
/** how long a stopped ladder stays in escalationsList (for "escalated to L2, acked by …" in the console) */
const KEEP_STOPPED_MS = 24 * 60 * MINUTE;

/** The policy for a subject (src/shared/policy-match.ts). */
export function matchPolicy(refs: readonly PolicyRef[], subject: Pick<Subject, 'severity' | 'labels'>): PolicyRef | null {
  return matchSharedPolicy(refs, subject);
}

/** The highest level whose time has come (0 when even the first level waits). */
export function dueLevel(ref: PolicyRef, startedAt: number, now: number): number {
  return dueSharedLevel(ref.offsets, startedAt, now);
}

/**
 * Tells the platform of an escalation: an alert is escalated; an incident gets a timeline entry (one id
 * per ladder run and level, so a replay is recognised by the platform).
 */
export function submitEscalation(actions: ActionSink, actor: string, row: LadderRow, subj: Subject, level: number, reason: string, now: number): void {
  if (subj.kind === 'alert') actions.submit('alert.escalate', { fingerprint: subj.id, level, reason, automatic: true }, actor);
  else {
    const text = `Escalated to L${level}: ${reason}`;
    actions.submit('incident.timeline', { incidentId: subj.id, entryId: escalationEntryId(row.started_at, level), kind: 'action', text, at: now }, actor);
  }
}

/** A ladder as the console lists it: its subject, policy, level, who it reaches now and next. */
export function ladderState(row: LadderRow, ref: PolicyRef | undefined, subj: Subject | null, reach: (ref: PolicyRef, level: number) => Reached): EscalationState {
  const names = (r: Reached) => r.people.map((p) => ({ id: p.id, name: p.name }));
  const open = row.stopped_at === null;
  return {
    subjectKind: row.subject_kind,
    subjectId: row.subject_id,
    title: subj?.title ?? row.subject_id,
    severity: subj?.severity ?? 'P3',
    rosterId: row.roster_id ?? '',
    policyId: row.policy_id,
    policyName: ref?.policy.name ?? row.policy_id,
    startedAt: row.started_at,
    level: row.level,
    levels: ref?.offsets.length ?? row.level,
    levelAt: row.level_at,
    current: ref && row.level >= 1 ? names(reach(ref, row.level)) : [],
    next:
      open && ref && row.level < ref.offsets.length
        ? { level: row.level + 1, at: row.started_at + ref.offsets[row.level], people: names(reach(ref, row.level + 1)) }
        : null,
    stoppedAt: row.stopped_at,
    stopReason: row.stop_reason,
    keyLabels: subj ? keyLabels(subj.labels).map(([k, v]): [string, string] => [cutText(k, NAME_CUT_CHARS), cutText(v, VALUE_CUT_CHARS)]) : [],
  };
}

export interface EscalationEngineDeps {
  ctx: CoreContext;
  actions: ActionSink;
  rosters: RosterStore;
  subjects: SubjectReader;
  tickMs?: number;
  /**
   * whether the gateway runs a ladder for this subject now (its `page.update`): then this console's ladder
   * is only the offline fallback and stays quiet — no notifications, no escalate actions — while it does
   */
  gatewayRuns?: (kind: string, id: string) => boolean;
}

export function createEscalationEngine({ ctx, actions, rosters, subjects, tickMs = 15_000, gatewayRuns }: EscalationEngineDeps) {
  const { db, clock, log } = ctx;
  const ladders = createLadderStore(db);
  const index = createPolicyIndex(rosters);

  const changed = (row: LadderRow, level: number, stopped: boolean) =>
    ctx.emit('escalationChanged', { subjectKind: row.subject_kind, subjectId: row.subject_id, level, stopped });
  const notify = (row: LadderRow, subj: Subject, text: { title: string; body: string }, urgent: boolean) =>
    void ctx.notifier.notify({
      tag: `escalation:${row.subject_kind}:${row.subject_id}`,
      ...text,
      urgency: urgent ? 'critical' : 'normal',
      sticky: urgent,
      ...(subj.kind === 'alert' ? { fingerprint: subj.id } : {}),
    });

  function stop(row: LadderRow, reason: string, now: number) {
    const done = db.transaction(() => {
      if (!ladders.stop(row, reason, now)) return false;
      ladders.step(row, now, 'stopped', row.level, [], reason);
      return true;
    })();
    if (done) {
      log.log('info', 'escalation.stopped', { kind: row.subject_kind, id: row.subject_id, level: row.level, reason });
      changed(row, row.level, true);
    }
  }

  function escalate(row: LadderRow, subj: Subject, ref: PolicyRef, to: number, now: number) {
    const from = row.level;
    const levelAt = row.started_at + ref.offsets[to - 1];
    // The first level is the alert's own page (the alert console notifies it); moves beyond it are escalations.
    const escalation = to >= 2;
    const reached = escalation ? index.reach(ref, to, now) : { people: [], unstaffed: [] };
    const reason = escalationReason({ from: Math.max(from, 1), to, unackedMs: now - row.started_at });
    let actionError: string | null = null;
    const moved = db.transaction(() => {
      if (!ladders.advance(row, to, levelAt, now)) return false;
      ladders.step(row, now, 'escalated', to, reached.people, escalation ? reason : '');
      if (escalation) {
        try {
          submitEscalation(actions, ctx.auditName(), row, subj, to, reason, now);
        } catch (err) {
          // The level still moves and the notification still goes out: reaching the next person locally
          // matters more than the platform hearing of it. The failure is recorded for the console.
          actionError = err instanceof Error ? err.message : String(err);
          ladders.step(row, now, 'action_failed', to, [], actionError);
        }
      }
      return true;
    })();
    if (!moved) return;
    Object.assign(row, { level: to, level_at: levelAt, reminded_at: now });
    log.log(actionError ? 'error' : 'info', 'escalation.level', { kind: row.subject_kind, id: row.subject_id, from, to, actionError });
    if (escalation) {
      const levelName = ref.policy.levels[to - 1].name;
      const text = escalatedText(ctx.language(), { title: subj.title, severity: subj.severity, level: to, levelName, unackedMs: now - row.started_at, reached });
      notify(row, subj, text, true);
    }
    changed(row, to, false);
  }

  const remindMs = (ref: PolicyRef) => ref.policy.remindMinutes * MINUTE;
  const nextReminder = (row: LadderRow, ref: PolicyRef) =>
    row.level >= 1 && remindMs(ref) > 0 ? Math.max(row.level_at, row.reminded_at ?? 0) + remindMs(ref) : Infinity;
  const nextLevelAt = (row: LadderRow, ref: PolicyRef) => (row.level < ref.offsets.length ? row.started_at + ref.offsets[row.level] : Infinity);

  function remind(row: LadderRow, subj: Subject, ref: PolicyRef, now: number) {
    if (now < nextReminder(row, ref)) return;
    const reached = index.reach(ref, row.level, now);
    db.transaction(() => {
      ladders.reminded(row, now);
      ladders.step(row, now, 'reminded', row.level, reached.people);
    })();
    row.reminded_at = now;
    const next = nextLevelAt(row, ref);
    const nextInMs = Number.isFinite(next) ? next - now : null;
    const text = reminderText(ctx.language(), { title: subj.title, severity: subj.severity, level: row.level, unackedMs: now - row.started_at, nextInMs, reached });
    notify(row, subj, text, atLeast(subj.severity, 'P1'));
  }

  /** Brings one open ladder up to date; returns when it next needs attention. */
  function advance(row: LadderRow, subj: Subject, ref: PolicyRef, now: number): number {
    if (row.policy_id !== ref.policy.id || row.roster_id !== ref.roster.id) {
      // The roster changed or the alert's severity/labels did: follow the policy that now applies,
      // keeping the ladder's start so the elapsed time still counts.
      ladders.repolicy(row, ref.roster.id, ref.policy.id, ref.offsets.length);
      Object.assign(row, { roster_id: ref.roster.id, policy_id: ref.policy.id, level: Math.min(row.level, ref.offsets.length) });
    }
    const due = dueLevel(ref, row.started_at, now);
    if (due > row.level) escalate(row, subj, ref, due, now);
    else remind(row, subj, ref, now);
    return Math.min(nextLevelAt(row, ref), nextReminder(row, ref));
  }

  /**
   * Opens the ladders of subjects that need one, in one transaction (a burst of alerts is one commit,
   * not one each). A ladder seen for the first time counts from when the subject began (time passed
   * unacked while this console was closed still counts); one that stopped before and is needed again
   * (unacked, silence expired) starts afresh now.
   */
  const openLadders = (fresh: Subject[], refs: PolicyRef[], now: number) =>
    db.transaction(() => {
      const out: { row: LadderRow; subj: Subject; ref: PolicyRef }[] = [];
      for (const subj of fresh) {
        const ref = matchPolicy(refs, subj);
        if (!ref) continue;
        const startedAt = ladders.get(subj.kind, subj.id) ? now : Math.min(subj.since, now);
        const row = ladders.begin(subj.kind, subj.id, ref.roster.id, ref.policy.id, startedAt);
        ladders.step(row, now, 'started', 0, [], `${ref.roster.id}/${ref.policy.id}`);
        // Reaching the first level sends nothing (the alert's own page covers it), so it is recorded here
        // with the start instead of in a transaction of its own.
        if (dueLevel(ref, startedAt, now) >= 1 && ladders.advance(row, 1, startedAt + ref.offsets[0], now)) {
          Object.assign(row, { level: 1, level_at: startedAt + ref.offsets[0], reminded_at: now });
          ladders.step(row, now, 'escalated', 1, []);
        }
        out.push({ row, subj, ref });
      }
      return out;
    })();

  /** One pass over every open ladder and every subject that needs one. Returns the next due instant. */
  function evaluate(): number {
    const now = clock.now();
    const refs = index.policies();
    let wake = Infinity;
    const key = (kind: string, id: string) => `${kind}:${id}`;
    // One scan for everything that needs someone; point lookups only for ladders whose subject left it.
    const loosest = refs.length ? SEVERITIES[Math.max(...refs.map((r) => severityRank(r.policy.match.severity)))] : null;
    const active = new Map((loosest ? subjects.open(loosest) : []).map((x) => [key(x.kind, x.id), x]));
    for (const row of ladders.open()) {
      const k = key(row.subject_kind, row.subject_id);
      const subj = active.get(k) ?? subjects.get(row.subject_kind, row.subject_id);
      active.delete(k);
      const ref = subj && !subj.settled ? matchPolicy(refs, subj) : null;
      if (!subj) stop(row, 'gone', now);
      else if (subj.settled) stop(row, subj.settled, now);
      else if (!ref) stop(row, 'no_policy', now);
      else if (gatewayRuns?.(row.subject_kind, row.subject_id)) continue; // looked at again at the next pass
      else wake = Math.min(wake, advance(row, subj, ref, now));
    }
    // New ladders are opened together, then advanced one by one: an escalation is its own transaction with its outbox entry.
    for (const { row, subj, ref } of openLadders([...active.values()], refs, now))
      if (!gatewayRuns?.(row.subject_kind, row.subject_id)) wake = Math.min(wake, advance(row, subj, ref, now));
    return wake;
  }

  const loop = createPassLoop(clock, tickMs, evaluate, (err) =>
    log.log('error', 'escalation.pass_failed', { err: err instanceof Error ? err.message : String(err) }),
  );

  return {
    evaluate,
    list(): EscalationState[] {
      const now = clock.now();
      const refs = index.policies();
      return ladders.recent(now - KEEP_STOPPED_MS).map((row) =>
        ladderState(
          row,
          refs.find((r) => r.roster.id === row.roster_id && r.policy.id === row.policy_id),
          subjects.get(row.subject_kind, row.subject_id),
          (ref, level) => index.reach(ref, level, now),
        ),
      );
    },
    /** Call when alerts or incidents changed (after the sync transaction); the pass runs on the next tick. */
    onAlertsChanged: loop.poke,
    /** The first pass brings ladders left open by the last run up to date, from their timestamps. */
    start: loop.start,
    stop: loop.stop,
  };
}
export type EscalationEngine = ReturnType<typeof createEscalationEngine>;
