/**
 * What a change to an open incident does, worked out without touching anything: the new record, the
 * fields the platform must hear of, the reminders to re-arm and the timeline lines to write. Pure, so
 * every rule of an update is tested on its own.
 */
import type { Incident, IncidentPatch, Review, Role } from '@shared/incidents';
import type { Alarms } from './incident-store';
import type { SystemLine } from './incident-timeline';

export interface PatchResult {
  next: Incident;
  /** the changed fields, as the `incident.update` action carries them (empty: nothing changed) */
  sent: Record<string, unknown>;
  alarms: Alarms;
  lines: SystemLine[];
}

/** `alertNames` names newly linked alerts for the timeline ("OrderPullFailures, fp-2"). */
export function applyPatch(cur: Incident, alarms: Alarms, patch: IncidentPatch, now: number, alertNames: (fps: string[]) => string): PatchResult {
  const next: Incident = { ...cur, roles: { ...cur.roles }, updatedAt: now };
  const out: Alarms = { ...alarms };
  const sent: Record<string, unknown> = {};
  const lines: SystemLine[] = [];
  const line = (kind: SystemLine['kind'], code: SystemLine['code'], params: Record<string, string> = {}) => lines.push({ kind, code, params });

  if (patch.title !== undefined && patch.title !== cur.title) next.title = sent.title = patch.title;
  if (patch.impact !== undefined && patch.impact !== (cur.impact ?? '')) {
    next.impact = patch.impact || null;
    sent.impact = next.impact;
  }
  if (patch.severity && patch.severity !== cur.severity) {
    next.severity = sent.severity = patch.severity;
    // New severity, new targets: a clock not yet met may have to ring again.
    if (next.respondedAt === null) out.respond = null;
    if (next.resolvedAt === null) out.resolve = null;
    line('decision', 'severity', { from: cur.severity, to: patch.severity });
  }
  if (patch.respond && cur.respondedAt === null) {
    next.respondedAt = sent.respondedAt = now;
    line('action', 'responded');
  }
  if (patch.status && patch.status !== cur.status) {
    next.status = sent.status = patch.status;
    next.resolvedAt = patch.status === 'resolved' ? now : null;
    sent.resolvedAt = next.resolvedAt;
    if (patch.status === 'resolved' && next.respondedAt === null) next.respondedAt = sent.respondedAt = now;
    line('action', 'status', { status: patch.status });
  }
  if (patch.changeFreeze !== undefined && patch.changeFreeze !== cur.changeFreeze) {
    next.changeFreeze = sent.changeFreeze = patch.changeFreeze;
    line('decision', patch.changeFreeze ? 'freeze_on' : 'freeze_off');
  }
  if (patch.roles) {
    for (const [role, name] of Object.entries(patch.roles) as [Role, string | null][]) {
      if ((name ?? null) === cur.roles[role]) continue;
      next.roles[role] = name ?? null;
      line('action', 'role', { role, name: name ?? '' });
    }
    if (JSON.stringify(next.roles) !== JSON.stringify(cur.roles)) sent.roles = next.roles;
  }
  if (patch.fingerprints) {
    const fps = [...new Set(patch.fingerprints)];
    const added = fps.filter((fp) => !cur.fingerprints.includes(fp));
    if (added.length || fps.length !== cur.fingerprints.length) {
      next.fingerprints = sent.fingerprints = fps;
      if (added.length) line('action', 'alerts_linked', { names: alertNames(added) });
    }
  }
  return { next, sent, alarms: out, lines };
}

/** The incident closed at `now` with its review. Closing lifts the freeze: a closed incident must not keep the banner up. */
export function closedIncident(cur: Incident, review: Review, now: number): Incident {
  return {
    ...cur,
    status: 'closed',
    review,
    changeFreeze: false,
    respondedAt: cur.respondedAt ?? now,
    resolvedAt: cur.resolvedAt ?? now,
    closedAt: now,
    updatedAt: now,
  };
}
