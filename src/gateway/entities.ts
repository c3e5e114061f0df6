/**
 * Which entity each event kind writes or removes. The gateway keeps the current state of every entity
 * (for snapshots) next to its event log; this table is the one place that knows the mapping.
 */
import { eventData, isEventKind, type EventDataOf, type EventKind } from '@shared/protocol';
import { describeZodError } from '@shared/rpc';

export type Family =
  | 'template'
  | 'runbook'
  | 'dashboard'
  | 'series'
  | 'roster'
  | 'silence'
  | 'alert'
  | 'incident'
  | 'checklist'
  | 'handover'
  | 'person'
  | 'page'
  | 'comms';

/** Snapshot order: a series needs its dashboard's panels stored first (the client drops orphan series). */
export const FAMILY_ORDER: readonly Family[] = [
  'template',
  'runbook',
  'dashboard',
  'series',
  'roster',
  'silence',
  'alert',
  'incident',
  'checklist',
  'handover',
  'person',
  'page',
  'comms',
];

type Rule<K extends EventKind> = { family: Family; op: 'upsert' | 'remove'; id(d: EventDataOf<K>): string };

/** the separator inside composite ids; cannot occur in ids the schemas accept from JSON sources in practice */
export const SEP = '\u001f';

export const ENTITY_RULES: { [K in EventKind]: Rule<K> } = {
  'alert.upsert': { family: 'alert', op: 'upsert', id: (d) => d.fingerprint },
  'alert.remove': { family: 'alert', op: 'remove', id: (d) => d.fingerprint },
  'silence.upsert': { family: 'silence', op: 'upsert', id: (d) => d.id },
  'silence.remove': { family: 'silence', op: 'remove', id: (d) => d.id },
  'runbook.upsert': { family: 'runbook', op: 'upsert', id: (d) => d.id },
  'runbook.remove': { family: 'runbook', op: 'remove', id: (d) => d.id },
  'dashboard.upsert': { family: 'dashboard', op: 'upsert', id: (d) => d.id },
  'dashboard.remove': { family: 'dashboard', op: 'remove', id: (d) => d.id },
  'series.update': { family: 'series', op: 'upsert', id: (d) => `${d.dashboardId}${SEP}${d.panelId}` },
  'roster.upsert': { family: 'roster', op: 'upsert', id: (d) => d.id },
  'roster.remove': { family: 'roster', op: 'remove', id: (d) => d.id },
  'incident.update': { family: 'incident', op: 'upsert', id: (d) => d.id },
  'checklist.result': { family: 'checklist', op: 'upsert', id: (d) => d.runId },
  'handover.update': { family: 'handover', op: 'upsert', id: (d) => d.id },
  'checklist.template': { family: 'template', op: 'upsert', id: (d) => `${d.id}${SEP}${d.version}` },
  'person.upsert': { family: 'person', op: 'upsert', id: (d) => d.login },
  'page.update': { family: 'page', op: 'upsert', id: (d) => d.fingerprint },
  'comms.update': { family: 'comms', op: 'upsert', id: (d) => d.id },
};

export function entityOf<K extends EventKind>(
  kind: K,
  data: EventDataOf<K>,
): { family: Family; op: 'upsert' | 'remove'; id: string } {
  const rule = ENTITY_RULES[kind] as Rule<K>;
  return { family: rule.family, op: rule.op, id: rule.id(data) };
}

/** An event a source (or a process action) offers the log, before it is checked. */
export type OfferedEvent = { kind: string; data: unknown };

export type CheckedEvent =
  | { ok: true; kind: EventKind; json: string; entity: { family: Family; op: 'upsert' | 'remove'; id: string } }
  | { ok: false; kind: string; reason: string };

/**
 * Checks an offered event against its kind's schema and says which entity it writes or removes: the
 * rule every store implementation applies before anything is logged. `json` is the parsed data as stored
 * and sent (unknown keys stripped).
 */
export function checkEvent(ev: OfferedEvent): CheckedEvent {
  if (!isEventKind(ev.kind)) return { ok: false, kind: String(ev.kind), reason: 'unknown event kind' };
  const kind: EventKind = ev.kind;
  const parsed = eventData[kind].safeParse(ev.data);
  if (!parsed.success) return { ok: false, kind, reason: describeZodError(parsed.error, { root: 'data', max: 500 }) };
  return { ok: true, kind, json: JSON.stringify(parsed.data), entity: entityOf(kind, parsed.data as never) };
}
