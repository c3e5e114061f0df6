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
import { escalationEntryId } from '@shared/incidents';
import { onCallAt } from '@shared/rotation';
import type { EscalationState, EscalationSubjectKind, Policy, RosterPerson } from '@shared/roster';
import type { TimerHandle } from '@node/clock';
import type { ActionSink, CoreContext } from '../context';
import { coreLanguage } from '../language';
import { escalatedText, escalationReason, reminderText, type Reached } from './messages';
import type { LoadedRoster, RosterStore } from './store';
import type { Subject, SubjectReader } from './subjects';

const MINUTE = 60_000;
/** how long a stopped ladder stays in escalationsList (for "escalated to L2, acked by …" in the console) */
const KEEP_STOPPED_MS = 24 * 60 * MINUTE;

export interface PolicyRef {
  roster: LoadedRoster;
  policy: Policy;
  /** ms from the ladder's start to each level (cumulative afterMinutes) */
  offsets: number[];
}

interface Row {
  subject_kind: EscalationSubjectKind;
  subject_id: string;
  roster_id: string | null;
  policy_id: string;
  started_at: number;
  level: number;
  level_at: number;
  stopped_at: number | null;
  stop_reason: string | null;
  reminded_at: number | null;
}

/**
 * The policy for a subject: among the policies whose severity threshold it meets and whose team and
 * service lists (when not empty) contain its `team` and `service` labels, the most specific one wins
 * (team and service > team > service > catch-all); then the strictest threshold (a P1 policy beats a
 * P2 policy for a P1 alert); then roster name and document order.
 */
export function matchPolicy(refs: readonly PolicyRef[], subject: Pick<Subject, 'severity' | 'labels'>): PolicyRef | null {
  let best: PolicyRef | null = null;
  let bestScore = -Infinity;
  for (const ref of refs) {
    const m = ref.policy.match;
    if (!atLeast(subject.severity, m.severity)) continue;
    if (m.teams.length && !m.teams.includes(subject.labels.team ?? '')) continue;
    if (m.services.length && !m.services.includes(subject.labels.service ?? '')) continue;
    const score = (m.teams.length ? 20 : 0) + (m.services.length ? 10 : 0) - severityRank(m.severity);
    if (score > bestScore) {
      best = ref;
      bestScore = score;
    }
  }
  return best;
}

/** The highest level whose time has come (0 when even the first level waits). */
export function dueLevel(ref: PolicyRef, startedAt: number, now: number): number {
  let level = 0;
  ref.offsets.forEach((off, i) => {
    if (startedAt + off <= now) level = i + 1;
  });
  return level;
}

export interface EscalationEngineDeps {
  ctx: CoreContext;
  actions: ActionSink;
  rosters: RosterStore;
  subjects: SubjectReader;
  tickMs?: number;
}

export function createEscalationEngine({ ctx, actions, rosters, subjects, tickMs = 15_000 }: EscalationEngineDeps) {
  const { db, clock, log } = ctx;
  const s = {
    open: db.prepare('SELECT * FROM escalations WHERE stopped_at IS NULL'),
    get: db.prepare('SELECT * FROM escalations WHERE subject_kind = ? AND subject_id = ?'),
    begin: db.prepare(`INSERT INTO escalations (subject_kind, subject_id, roster_id, policy_id, started_at, level, level_at, stopped_at, stop_reason, reminded_at)
      VALUES (@kind, @id, @rosterId, @policyId, @startedAt, 0, @startedAt, NULL, NULL, NULL)
      ON CONFLICT(subject_kind, subject_id) DO UPDATE SET roster_id = excluded.roster_id, policy_id = excluded.policy_id,
        started_at = excluded.started_at, level = 0, level_at = excluded.started_at, stopped_at = NULL, stop_reason = NULL, reminded_at = NULL`),
    repolicy: db.prepare('UPDATE escalations SET roster_id = ?, policy_id = ?, level = MIN(level, ?) WHERE subject_kind = ? AND subject_id = ?'),
    // The `level < ?` guard is what makes a move happen once, even if two passes race.
    advance: db.prepare(`UPDATE escalations SET level = @level, level_at = @levelAt, reminded_at = @now
      WHERE subject_kind = @kind AND subject_id = @id AND stopped_at IS NULL AND level < @level`),
    reminded: db.prepare('UPDATE escalations SET reminded_at = ? WHERE subject_kind = ? AND subject_id = ?'),
    stop: db.prepare('UPDATE escalations SET stopped_at = ?, stop_reason = ? WHERE subject_kind = ? AND subject_id = ? AND stopped_at IS NULL'),
    step: db.prepare('INSERT INTO escalation_steps (subject_kind, subject_id, at, kind, level, people, detail) VALUES (?, ?, ?, ?, ?, ?, ?)'),
    recent: db.prepare('SELECT * FROM escalations WHERE stopped_at IS NULL OR stopped_at >= ? ORDER BY started_at DESC LIMIT 500'),
  };

  let refsFor: LoadedRoster[] | null = null;
  let refs: PolicyRef[] = [];
  function policies(): PolicyRef[] {
    const all = rosters.all();
    if (all !== refsFor) {
      refsFor = all;
      refs = all.flatMap((roster) =>
        roster.doc.policies.map((policy) => {
          let acc = 0;
          return { roster, policy, offsets: policy.levels.map((l) => (acc += l.afterMinutes * MINUTE)) };
        }),
      );
    }
    return refs;
  }

  // Many alerts share a policy: who a level reaches is worked out once per pass (and per list call).
  let reachMemo = { at: NaN, map: new Map<string, Reached>() };
  function reach(ref: PolicyRef, level: number, at: number): Reached {
    if (reachMemo.at !== at) reachMemo = { at, map: new Map() };
    const k = `${ref.roster.id}\u0000${ref.policy.id}\u0000${level}`;
    let r = reachMemo.map.get(k);
    if (!r) reachMemo.map.set(k, (r = computeReach(ref, level, at)));
    return r;
  }

  /** Who a level reaches at `at`: its people, and its rotations with nobody on call. */
  function computeReach(ref: PolicyRef, level: number, at: number): Reached {
    const people: RosterPerson[] = [];
    const unstaffed: string[] = [];
    for (const t of ref.policy.levels[level - 1]?.targets ?? []) {
      let id: string | null;
      if ('person' in t) id = t.person;
      else {
        const rot = ref.roster.doc.rotations.find((r) => r.id === t.rotation);
        id = rot ? onCallAt(rot, ref.roster.doc.overrides, at, 1).now.personId : null;
        if (!id) unstaffed.push(rot?.name ?? t.rotation);
      }
      const p = id ? ref.roster.people.get(id) : undefined;
      if (p && !people.includes(p)) people.push(p);
    }
    return { people, unstaffed };
  }

  const step = (row: Pick<Row, 'subject_kind' | 'subject_id'>, at: number, kind: string, level: number, people: RosterPerson[], detail = '') =>
    s.step.run(row.subject_kind, row.subject_id, at, kind, level, JSON.stringify(people.map((p) => p.id)), detail);

  const changed = (row: Row, level: number, stopped: boolean) =>
    ctx.emit('escalationChanged', { subjectKind: row.subject_kind, subjectId: row.subject_id, level, stopped });

  function stop(row: Row, reason: string, now: number) {
    const done = db.transaction(() => {
      if (s.stop.run(now, reason, row.subject_kind, row.subject_id).changes === 0) return false;
      step(row, now, 'stopped', row.level, [], reason);
      return true;
    })();
    if (done) {
      log.log('info', 'escalation.stopped', { kind: row.subject_kind, id: row.subject_id, level: row.level, reason });
      changed(row, row.level, true);
    }
  }

  function submitEscalation(row: Row, subj: Subject, level: number, reason: string, now: number) {
    const actor = ctx.settings().operator;
    if (subj.kind === 'alert') actions.submit('alert.escalate', { fingerprint: subj.id, level, reason, automatic: true }, actor);
    else
      actions.submit(
        'incident.timeline',
        // one entry id per ladder run and level, so a replay is recognised by the platform
        { incidentId: subj.id, entryId: escalationEntryId(row.started_at, level), kind: 'action', text: `Escalated to L${level}: ${reason}`, at: now },
        actor,
      );
  }

  function escalate(row: Row, subj: Subject, ref: PolicyRef, to: number, now: number) {
    const from = row.level;
    const levelAt = row.started_at + ref.offsets[to - 1];
    // The first level is the alert's own page (the alert console notifies it); moves beyond it are escalations.
    const escalation = to >= 2;
    const reached = escalation ? reach(ref, to, now) : { people: [], unstaffed: [] };
    const reason = escalationReason({ from: Math.max(from, 1), to, unackedMs: now - row.started_at });
    let actionError: string | null = null;
    const moved = db.transaction(() => {
      if (s.advance.run({ level: to, levelAt, now, kind: row.subject_kind, id: row.subject_id }).changes === 0) return false;
      step(row, now, 'escalated', to, reached.people, escalation ? reason : '');
      if (escalation) {
        try {
          submitEscalation(row, subj, to, reason, now);
        } catch (err) {
          // The level still moves and the notification still goes out: reaching the next person locally
          // matters more than the platform hearing of it. The failure is recorded for the console.
          actionError = err instanceof Error ? err.message : String(err);
          step(row, now, 'action_failed', to, [], actionError);
        }
      }
      return true;
    })();
    if (!moved) return;
    row.level = to;
    row.level_at = levelAt;
    row.reminded_at = now;
    log.log(actionError ? 'error' : 'info', 'escalation.level', { kind: row.subject_kind, id: row.subject_id, from, to, actionError });
    if (escalation) {
      const lang = coreLanguage(ctx.settings());
      const text = escalatedText(lang, {
        title: subj.title,
        severity: subj.severity,
        level: to,
        levelName: ref.policy.levels[to - 1].name,
        unackedMs: now - row.started_at,
        reached,
      });
      void ctx.notifier.notify({
        tag: `escalation:${row.subject_kind}:${row.subject_id}`,
        ...text,
        urgency: 'critical',
        sticky: true,
        ...(subj.kind === 'alert' ? { fingerprint: subj.id } : {}),
      });
    }
    changed(row, to, false);
  }

  const remindMs = (ref: PolicyRef) => ref.policy.remindMinutes * MINUTE;
  const nextReminder = (row: Row, ref: PolicyRef) =>
    row.level >= 1 && remindMs(ref) > 0 ? Math.max(row.level_at, row.reminded_at ?? 0) + remindMs(ref) : Infinity;
  const nextLevelAt = (row: Row, ref: PolicyRef) => (row.level < ref.offsets.length ? row.started_at + ref.offsets[row.level] : Infinity);

  function remind(row: Row, subj: Subject, ref: PolicyRef, now: number) {
    if (now < nextReminder(row, ref)) return;
    const reached = reach(ref, row.level, now);
    db.transaction(() => {
      s.reminded.run(now, row.subject_kind, row.subject_id);
      step(row, now, 'reminded', row.level, reached.people);
    })();
    row.reminded_at = now;
    const next = nextLevelAt(row, ref);
    const text = reminderText(coreLanguage(ctx.settings()), {
      title: subj.title,
      severity: subj.severity,
      level: row.level,
      unackedMs: now - row.started_at,
      nextInMs: Number.isFinite(next) ? next - now : null,
      reached,
    });
    void ctx.notifier.notify({
      tag: `escalation:${row.subject_kind}:${row.subject_id}`,
      ...text,
      urgency: atLeast(subj.severity, 'P1') ? 'critical' : 'normal',
      sticky: atLeast(subj.severity, 'P1'),
      ...(subj.kind === 'alert' ? { fingerprint: subj.id } : {}),
    });
  }

  /** Brings one open ladder up to date; returns when it next needs attention. */
  function advance(row: Row, subj: Subject, ref: PolicyRef, now: number): number {
    if (row.policy_id !== ref.policy.id || row.roster_id !== ref.roster.id) {
      // The roster changed or the alert's severity/labels did: follow the policy that now applies,
      // keeping the ladder's start so the elapsed time still counts.
      s.repolicy.run(ref.roster.id, ref.policy.id, ref.offsets.length, row.subject_kind, row.subject_id);
      row.roster_id = ref.roster.id;
      row.policy_id = ref.policy.id;
      row.level = Math.min(row.level, ref.offsets.length);
    }
    const due = dueLevel(ref, row.started_at, now);
    if (due > row.level) escalate(row, subj, ref, due, now);
    else remind(row, subj, ref, now);
    return Math.min(nextLevelAt(row, ref), nextReminder(row, ref));
  }

  /** One pass over every open ladder and every subject that needs one. Returns the next due instant. */
  function evaluate(): number {
    const now = clock.now();
    const refs = policies();
    let wake = Infinity;
    const key = (kind: string, id: string) => `${kind}:${id}`;
    // One scan for everything that needs someone; point lookups only for ladders whose subject left it.
    const loosest = refs.length ? SEVERITIES[Math.max(...refs.map((r) => severityRank(r.policy.match.severity)))] : null;
    const active = new Map((loosest ? subjects.open(loosest) : []).map((x) => [key(x.kind, x.id), x]));
    const seen = new Set<string>();
    for (const row of s.open.all() as Row[]) {
      seen.add(key(row.subject_kind, row.subject_id));
      const subj = active.get(key(row.subject_kind, row.subject_id)) ?? subjects.get(row.subject_kind, row.subject_id);
      if (!subj) stop(row, 'gone', now);
      else if (subj.settled) stop(row, subj.settled, now);
      else {
        const ref = matchPolicy(refs, subj);
        if (!ref) stop(row, 'no_policy', now);
        else wake = Math.min(wake, advance(row, subj, ref, now));
      }
    }
    // New ladders are opened in one transaction (a burst of alerts is one commit, not one each), then
    // advanced one by one: an escalation is its own transaction with its outbox entry.
    const started = db.transaction(() => {
      const out: { row: Row; subj: Subject; ref: PolicyRef }[] = [];
      for (const [k, subj] of active) {
        if (seen.has(k)) continue;
        const ref = matchPolicy(refs, subj);
        if (!ref) continue;
        // A ladder seen for the first time counts from when the subject began (time passed unacked
        // while this console was closed still counts); one that stopped before and is needed again
        // (unacked, silence expired) starts afresh now.
        const before = s.get.get(subj.kind, subj.id) as Row | undefined;
        const startedAt = before ? now : Math.min(subj.since, now);
        s.begin.run({ kind: subj.kind, id: subj.id, rosterId: ref.roster.id, policyId: ref.policy.id, startedAt });
        const row = s.get.get(subj.kind, subj.id) as Row;
        step(row, now, 'started', 0, [], `${ref.roster.id}/${ref.policy.id}`);
        // Reaching the first level sends nothing (the alert's own page covers it), so it is recorded here
        // with the start instead of in a transaction of its own.
        if (dueLevel(ref, startedAt, now) >= 1 && s.advance.run({ level: 1, levelAt: startedAt + ref.offsets[0], now, kind: subj.kind, id: subj.id }).changes) {
          Object.assign(row, { level: 1, level_at: startedAt + ref.offsets[0], reminded_at: now });
          step(row, now, 'escalated', 1, []);
        }
        out.push({ row, subj, ref });
      }
      return out;
    })();
    for (const { row, subj, ref } of started) wake = Math.min(wake, advance(row, subj, ref, now));
    return wake;
  }

  let timer: TimerHandle | null = null;
  let running = false;

  function schedule(at: number) {
    clock.clearTimeout(timer);
    timer = clock.setTimeout(run, Math.max(0, at - clock.now()));
  }

  function run() {
    timer = null;
    let wake = Infinity;
    try {
      wake = evaluate();
    } catch (err) {
      log.log('error', 'escalation.pass_failed', { err: err instanceof Error ? err.message : String(err) });
    }
    if (running) schedule(Math.min(wake, clock.now() + tickMs));
  }

  function list(): EscalationState[] {
    const now = clock.now();
    const refs = policies();
    const out: EscalationState[] = [];
    for (const row of s.recent.all(now - KEEP_STOPPED_MS) as Row[]) {
      const ref = refs.find((r) => r.roster.id === row.roster_id && r.policy.id === row.policy_id);
      const subj = subjects.get(row.subject_kind, row.subject_id);
      const names = (r: Reached) => r.people.map((p) => ({ id: p.id, name: p.name }));
      const open = row.stopped_at === null;
      out.push({
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
        current: ref && row.level >= 1 ? names(reach(ref, row.level, now)) : [],
        next:
          open && ref && row.level < ref.offsets.length
            ? { level: row.level + 1, at: row.started_at + ref.offsets[row.level], people: names(reach(ref, row.level + 1, now)) }
            : null,
        stoppedAt: row.stopped_at,
        stopReason: row.stop_reason,
      });
    }
    return out;
  }

  return {
    evaluate,
    list,
    /** Call when alerts or incidents changed (after the sync transaction); the pass runs on the next tick. */
    onAlertsChanged() {
      if (running) schedule(clock.now());
    },
    start() {
      running = true;
      // The first pass brings ladders left open by the last run up to date, from their timestamps.
      schedule(clock.now());
    },
    stop() {
      running = false;
      clock.clearTimeout(timer);
      timer = null;
    },
  };
}
export type EscalationEngine = ReturnType<typeof createEscalationEngine>;
