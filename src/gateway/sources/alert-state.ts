/**
 * Alertmanager's lists → Vigil alerts and silences, and the events that take the previous view to the next.
 * Pure: the poll loop hands in what Alertmanager returned and the time; nothing here does I/O.
 *
 * Conventions (docs/sources.md):
 *  - ack is a silence on the alert's exact label set (every matcher isEqual, none regex) whose comment starts
 *    "ACK by <operator>"; the alert shows ackedBy/ackedAt/ackId from the newest such active silence;
 *  - a firing alert has endsAt null (Alertmanager's endsAt is only its auto-resolve horizon); a resolved one
 *    carries the time it resolved;
 *  - resolved = gone from the list or endsAt passed → alert.upsert(state resolved), then alert.remove after
 *    the retention; a resolved alert that fires again is upserted firing again;
 *  - a silence the gateway creates carries the action id in its author, "<operator> [vigil:<action id>]", so
 *    an action resumed after a gateway crash can tell whether its silence already exists; clients see the
 *    author without the tag.
 */
import { isDeepStrictEqual } from 'node:util';
import { AlertSchema, SilenceSchema, type Alert, type Silence } from '@shared/alerts';
import { normalizeSeverity, type SeverityMap } from '@shared/domain';
import type { SourceEvent } from '../source';
import type { AmAlert, AmSilence } from './alertmanager-api';

const ACK_PREFIX = 'ACK by ';

export function ackComment(operator: string, note?: string): string {
  const n = note?.trim();
  return n ? `${ACK_PREFIX}${operator}: ${n}` : `${ACK_PREFIX}${operator}`;
}

/** The operator an ACK comment names, or null when the comment is not an ack. */
export function ackOperator(comment: string, createdBy?: string): string | null {
  if (!comment.startsWith(ACK_PREFIX)) return null;
  const rest = comment.slice(ACK_PREFIX.length);
  // the operator's own name may contain ": ", so prefer createdBy when the comment names it
  if (createdBy && (rest === createdBy || rest.startsWith(`${createdBy}: `))) return createdBy;
  const i = rest.indexOf(': ');
  const op = (i >= 0 ? rest.slice(0, i) : rest).trim();
  return op || null;
}

// The author, not the comment, carries the tag: the comment is the operator's text (and the ACK convention
// other tools read), while the author is ours to annotate.
const ACTION_TAG = / \[vigil:([^\]\s]+)\]$/;

/** The silence author for an action: the operator, tagged with the action id. */
export function taggedAuthor(operator: string, actionId: string): string {
  return `${operator} [vigil:${actionId}]`;
}

/** The operator and the action id (null when untagged) from a silence author. */
export function splitAuthor(createdBy: string): { operator: string; actionId: string | null } {
  const m = ACTION_TAG.exec(createdBy);
  return m ? { operator: createdBy.slice(0, m.index), actionId: m[1] } : { operator: createdBy, actionId: null };
}

/** The silence an action created, if Alertmanager lists one (in any state: it may have expired since). */
export function silenceOfAction<S extends { createdBy: string }>(silences: readonly S[], actionId: string): S | null {
  return silences.find((s) => splitAuthor(s.createdBy).actionId === actionId) ?? null;
}

function labelKey(labels: Record<string, string>): string {
  return JSON.stringify(
    Object.keys(labels)
      .sort()
      .map((k) => [k, labels[k]]),
  );
}

/** The label set a silence pins exactly, or null when any matcher is a regex or a negation. */
function exactLabelKey(matchers: Silence['matchers']): string | null {
  if (matchers.some((m) => m.isRegex || !m.isEqual)) return null;
  return labelKey(Object.fromEntries(matchers.map((m) => [m.name, m.value])));
}

const ms = (iso: string | undefined): number => {
  const t = iso ? Date.parse(iso) : NaN;
  return Number.isFinite(t) ? t : 0;
};

export function toSilence(s: AmSilence, now: number): Silence {
  return {
    id: s.id,
    matchers: s.matchers.map((m) => ({ name: m.name, value: m.value, isRegex: m.isRegex, isEqual: m.isEqual ?? true })),
    startsAt: ms(s.startsAt),
    endsAt: ms(s.endsAt),
    createdBy: splitAuthor(s.createdBy).operator,
    comment: s.comment,
    state: s.status.state,
    updatedAt: s.updatedAt ? ms(s.updatedAt) : now,
  };
}

export function toAlert(a: AmAlert, ack: Silence | undefined, now: number, severities?: SeverityMap): Alert {
  return {
    fingerprint: a.fingerprint,
    alertname: a.labels.alertname ?? '',
    labels: a.labels,
    annotations: a.annotations,
    state: 'firing',
    severity: normalizeSeverity(a.labels.severity, severities),
    startsAt: ms(a.startsAt),
    endsAt: null,
    updatedAt: now,
    generatorUrl: a.generatorURL || null,
    silencedBy: a.status.silencedBy ?? [],
    inhibitedBy: a.status.inhibitedBy ?? [],
    ackedBy: ack ? ackOperator(ack.comment, ack.createdBy) : null,
    ackedAt: ack ? ack.startsAt : null,
    ackId: ack ? ack.id : null,
  };
}

/** What the source has told the gateway so far. */
export interface View {
  alerts: Map<string, Alert>;
  silences: Map<string, Silence>;
  /** fingerprint → when the source reported it resolved */
  resolvedAt: Map<string, number>;
}

export const emptyView = (): View => ({ alerts: new Map(), silences: new Map(), resolvedAt: new Map() });

/**
 * The view as the gateway stored it on earlier runs, so a restarted source neither re-reports every
 * unchanged alert nor forgets the ones that vanished while it was down. Entries that no longer pass the
 * schemas are left out (they are then reported afresh). A resolved alert's updatedAt is when it resolved.
 */
export function viewFromKnown(known: { alerts: unknown[]; silences: unknown[] } | undefined): View {
  const view = emptyView();
  for (const raw of known?.silences ?? []) {
    const s = SilenceSchema.safeParse(raw);
    if (s.success) view.silences.set(s.data.id, s.data);
  }
  for (const raw of known?.alerts ?? []) {
    const a = AlertSchema.safeParse(raw);
    if (!a.success) continue;
    view.alerts.set(a.data.fingerprint, a.data);
    if (a.data.state === 'resolved') view.resolvedAt.set(a.data.fingerprint, a.data.updatedAt);
  }
  return view;
}

/** Equal apart from updatedAt, which is the time of the report and not part of the state (key order free). */
function sameState<T extends { updatedAt: number }>(a: T, b: T): boolean {
  return isDeepStrictEqual({ ...a, updatedAt: 0 }, { ...b, updatedAt: 0 });
}

export interface ReconcileResult {
  view: View;
  events: SourceEvent[];
}

/**
 * The events that take `prev` to what Alertmanager reports now. Silences come first so a client that applies
 * the batch in order never shows an ack whose silence it does not have.
 */
export function reconcile(
  prev: View,
  amAlerts: AmAlert[],
  amSilences: AmSilence[],
  now: number,
  resolvedRetentionMs: number,
  severities?: SeverityMap,
): ReconcileResult {
  const events: SourceEvent[] = [];
  const view: View = { alerts: new Map(prev.alerts), silences: new Map(), resolvedAt: new Map(prev.resolvedAt) };

  for (const raw of amSilences) {
    const s = toSilence(raw, now);
    const old = prev.silences.get(s.id);
    const next = old && sameState(old, s) ? old : s;
    view.silences.set(s.id, next);
    if (next !== old) events.push({ kind: 'silence.upsert', data: next });
  }
  for (const id of prev.silences.keys())
    if (!view.silences.has(id)) events.push({ kind: 'silence.remove', data: { id } });

  // the newest active ACK silence per exact label set
  const acks = new Map<string, Silence>();
  for (const s of view.silences.values()) {
    if (s.state !== 'active' || ackOperator(s.comment, s.createdBy) === null) continue;
    const key = exactLabelKey(s.matchers);
    if (key === null) continue;
    const cur = acks.get(key);
    if (!cur || s.startsAt > cur.startsAt) acks.set(key, s);
  }

  const firing = new Set<string>();
  const endedAt = new Map<string, number>();
  for (const raw of amAlerts) {
    const end = ms(raw.endsAt);
    if (end > 0 && end <= now) {
      endedAt.set(raw.fingerprint, end);
      continue;
    }
    firing.add(raw.fingerprint);
    const a = toAlert(raw, acks.get(labelKey(raw.labels)), now, severities);
    const old = prev.alerts.get(a.fingerprint);
    if (old && sameState(old, a)) continue;
    view.alerts.set(a.fingerprint, a);
    view.resolvedAt.delete(a.fingerprint);
    events.push({ kind: 'alert.upsert', data: a });
  }

  for (const [fp, old] of prev.alerts) {
    if (firing.has(fp)) continue;
    if (old.state === 'firing') {
      const resolved: Alert = { ...old, state: 'resolved', endsAt: endedAt.get(fp) ?? now, updatedAt: now };
      view.alerts.set(fp, resolved);
      view.resolvedAt.set(fp, now);
      events.push({ kind: 'alert.upsert', data: resolved });
    } else if ((view.resolvedAt.get(fp) ?? now) + resolvedRetentionMs <= now) {
      view.alerts.delete(fp);
      view.resolvedAt.delete(fp);
      events.push({ kind: 'alert.remove', data: { fingerprint: fp } });
    }
  }
  return { view, events };
}
