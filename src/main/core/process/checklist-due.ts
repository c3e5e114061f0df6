/**
 * Due-time reminders of checklist steps: a step still to do when its due time passes is notified once
 * (critical when the run belongs to an incident). Recomputed from stored times, so a restart notifies
 * what fell due while Vigil was closed.
 */
import { localize, type ChecklistTemplate } from '@shared/checklists';
import type { Language } from '@shared/domain';
import type { NativeNotification } from '../notifier';
import type { CoreContext } from '../context';
import { storedTitle, type DueStep, type RunStore } from './checklist-store';
import { createDeadlineScheduler } from './scheduler';
import type { TemplateRepo } from './templates';
import { processText } from './texts';

/** The notification for one overdue step, in `lng`. */
export function overdueNotice(r: DueStep, template: ChecklistTemplate | null, lng: Language, now: number): NativeNotification {
  const t = processText.in(lng).checklists;
  const step = localize(template?.steps.find((x) => x.id === r.step_id)?.title, lng) || r.step_id;
  const late = Math.max(0, Math.round((now - r.due_at) / 60_000));
  const urgent = r.incident_id !== null;
  return {
    tag: `due:${r.run_id}:${r.step_id}`,
    title: t.overdueTitle({ run: localize(storedTitle(r.title, r.template_id), lng) }),
    body: late > 0 ? t.overdueLate({ step, minutes: late }) : step,
    urgency: urgent ? 'critical' : 'normal',
    sticky: urgent,
  };
}

export interface DueReminderDeps {
  ctx: CoreContext;
  store: RunStore;
  templates: Pick<TemplateRepo, 'get'>;
  /** tells the console these runs changed */
  changed: (runIds: string[]) => void;
}

export function createDueReminders({ ctx, store, templates, changed }: DueReminderDeps) {
  /** Notifies every step whose due time has passed while still to do, once. */
  function fire(now: number): void {
    const rows = store.dueNow(now);
    if (!rows.length) return;
    const lng = ctx.language();
    ctx.db.transaction(() => {
      for (const r of rows) store.markDue(r.run_id, r.step_id, now);
    })();
    for (const r of rows) {
      const notice = overdueNotice(r, templates.get(r.template_id, r.template_version), lng, now);
      void Promise.resolve(ctx.notifier.notify(notice)).catch((err) => ctx.log.log('warn', 'checklist.notify_failed', { err: String(err) }));
    }
    changed([...new Set(rows.map((r) => r.run_id))]);
  }

  return createDeadlineScheduler(ctx.clock, store.nextDue, fire, (err) => ctx.log.log('error', 'checklist.due_failed', { err: String(err) }));
}
