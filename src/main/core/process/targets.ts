/**
 * Response and resolution targets: when each falls due for an incident, and where they are configured.
 * Handbook 003 by default; "working days" skip Saturday and Sunday in the configured time zone.
 */
import { DateTime } from 'luxon';
import type { Severity } from '@shared/domain';
import { TARGET_PRESETS, TargetsSchema, type Incident, type Target, type TargetClock, type Targets } from '@shared/incidents';
import type { DB } from '@node/sqlite';
import { parseJson } from '@shared/json';

export function targetDeadline(start: number, target: Target, timeZone: string): number {
  if ('minutes' in target) return start + Math.round(target.minutes * 60_000);
  let dt = DateTime.fromMillis(start, { zone: timeZone === 'local' ? 'local' : timeZone });
  if (!dt.isValid) dt = DateTime.fromMillis(start);
  let left = target.workingDays;
  while (left > 0) {
    dt = dt.plus({ days: 1 });
    if (dt.weekday <= 5) left--;
  }
  return dt.toMillis();
}

/** The respond and resolve clocks of an incident, measured from its declaration. */
export function incidentClocks(
  inc: Pick<Incident, 'severity' | 'declaredAt' | 'respondedAt' | 'resolvedAt'>,
  targets: Targets,
  timeZone: string,
  now: number,
): { respond: TargetClock; resolve: TargetClock } {
  const clock = (target: Target, metAt: number | null): TargetClock => {
    const dueAt = targetDeadline(inc.declaredAt, target, timeZone);
    // Met exactly on the deadline is on time; still open at the deadline is already late.
    return { dueAt, metAt, breached: metAt !== null ? metAt > dueAt : now >= dueAt };
  };
  return { respond: clock(targets.respond[inc.severity as Severity], inc.respondedAt), resolve: clock(targets.resolve[inc.severity], inc.resolvedAt) };
}

export function createTargetsRepo(db: DB) {
  const get = db.prepare("SELECT value FROM process_config WHERE key = 'targets'");
  const put = db.prepare("INSERT INTO process_config (key, value) VALUES ('targets', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value");
  return {
    read(): Targets {
      const row = get.get() as { value: string } | undefined;
      const parsed = TargetsSchema.safeParse(parseJson(row?.value).value ?? null);
      return parsed.success ? parsed.data : TARGET_PRESETS.seed003;
    },
    write(t: Targets): Targets {
      const valid = TargetsSchema.parse(t);
      put.run(JSON.stringify(valid));
      return valid;
    },
  };
}
