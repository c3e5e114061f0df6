/**
 * The response and resolution reminders of open incidents: each rings once when its target passes
 * unmet (again after a change of severity), recomputed from stored times, so a restart rings what fell
 * due while Vigil was closed.
 */
import type { Incident, Targets } from '@shared/incidents';
import type { CoreContext } from '../context';
import { alarmsOf, toIncident, type Alarms, type IncidentStore } from './incident-store';
import { createDeadlineScheduler } from './scheduler';
import { incidentClocks } from './targets';
import { processText } from './texts';

export interface PendingAlarm {
  inc: Incident;
  which: keyof Alarms;
  dueAt: number;
}

/** Every reminder not yet rung of the open incidents, with when it falls due. */
export function pendingAlarms(store: Pick<IncidentStore, 'openRows'>, targets: Targets, timeZone: string, now: number): PendingAlarm[] {
  const list: PendingAlarm[] = [];
  for (const row of store.openRows()) {
    const inc = toIncident(row);
    const rang = alarmsOf(row);
    const c = incidentClocks(inc, targets, timeZone, now);
    if (inc.respondedAt === null && rang.respond === null) list.push({ inc, which: 'respond', dueAt: c.respond.dueAt });
    if (inc.resolvedAt === null && rang.resolve === null) list.push({ inc, which: 'resolve', dueAt: c.resolve.dueAt });
  }
  return list;
}

export interface IncidentAlarmDeps {
  ctx: CoreContext;
  store: IncidentStore;
  targets: () => Targets;
  /** tells the console the incident changed (its clock turned red) */
  changed: (id: string) => void;
}

export function createIncidentAlarms({ ctx, store, targets, changed }: IncidentAlarmDeps) {
  const pending = (now: number) => pendingAlarms(store, targets(), ctx.settings().timeZone, now);

  function ring(now: number): void {
    const due = pending(now).filter((a) => a.dueAt <= now);
    if (!due.length) return;
    ctx.db.transaction(() => {
      for (const a of due) store.markAlarm(a.inc.id, a.which, now);
    })();
    const t = processText.in(ctx.language()).incidents;
    for (const a of due) {
      const params = { severity: a.inc.severity, id: a.inc.id };
      const title = a.which === 'respond' ? t.respondLate(params) : t.resolveLate(params);
      const urgent = a.inc.severity === 'P0' || a.inc.severity === 'P1';
      void Promise.resolve(
        ctx.notifier.notify({ tag: `incident:${a.inc.id}:${a.which}`, title, body: a.inc.title, urgency: urgent ? 'critical' : 'normal', sticky: urgent }),
      ).catch((err) => ctx.log.log('warn', 'incident.notify_failed', { err: String(err) }));
      changed(a.inc.id);
    }
  }

  return createDeadlineScheduler(
    ctx.clock,
    () => {
      const due = pending(ctx.clock.now()).map((a) => a.dueAt);
      return due.length ? Math.min(...due) : null;
    },
    ring,
    (err) => ctx.log.log('error', 'incident.timer_failed', { err: String(err) }),
  );
}
