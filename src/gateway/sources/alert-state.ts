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
import { matchersForLabels, type Matcher } from '@shared/matchers';
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

/** A silence as a source creates it, times in milliseconds. */
export interface NewSilence {
  matchers: Matcher[];
  startsAt: number;
  endsAt: number;
  createdBy: string;
  comment: string;
}

/** The silence that acks an alert: its exact label set, for `minutes` from `now`, authored by the tagged operator. */
export function ackSilence(o: {
  labels: Readonly<Record<string, string>>;
  operator: string;
  actionId: string;
  note?: string;
  now: number;
  minutes: number;
}): NewSilence {
  return {
    matchers: matchersForLabels(o.labels),
    startsAt: o.now,
    endsAt: o.now + o.minutes * 60_000,
    createdBy: taggedAuthor(o.operator, o.actionId),
    comment: ackComment(o.operator, o.note),
  };
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

/** What a source knows about the alerts of one upstream beyond Alertmanager's lists. */
export interface ListingContext {
  /** the cluster the lists came from: set on every alert and silence (absent: a single upstream) */
  cluster?: string;
  /** how often the gateway has extended an ack silence (by its wire id) */
  extensionsOf?(silenceId: string): number;
  /** the gateway extends acks while their alert fires */
  autoExtend?: boolean;
  /** the platform's own severity words → P0–P3, before the built-in ones (docs/sources.md) */
  severities?: SeverityMap;
}

export function toSilence(s: AmSilence, now: number, c: ListingContext = {}): Silence {
  return {
    ...(c.cluster ? { cluster: c.cluster } : {}),
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

export function toAlert(a: AmAlert, ack: Silence | undefined, now: number, c: ListingContext = {}): Alert {
  return {
    ...(c.cluster ? { cluster: c.cluster } : {}),
    fingerprint: a.fingerprint,
    alertname: a.labels.alertname ?? '',
    labels: a.labels,
    annotations: a.annotations,
    state: 'firing',
    severity: normalizeSeverity(a.labels.severity, c.severities),
    startsAt: ms(a.startsAt),
    endsAt: null,
    updatedAt: now,
    generatorUrl: a.generatorURL || null,
    silencedBy: a.status.silencedBy ?? [],
    inhibitedBy: a.status.inhibitedBy ?? [],
    ackedBy: ack ? ackOperator(ack.comment, ack.createdBy) : null,
    ackedAt: ack ? ack.startsAt : null,
    ackId: ack ? ack.id : null,
    // an acked alert says when its ack runs out, and whether the gateway keeps it going while it fires
    ...(ack ? { ackExpiresAt: ack.endsAt, ackExtensions: c.extensionsOf?.(ack.id) ?? 0, ackAutoExtend: !!c.autoExtend } : {}),
  };
}

/**
 * Everything of a listed alert (and its ack) that toAlert reads, as one string. Alertmanager moves `updatedAt`
 * whenever the alert is received again, so changed annotations or times change it; labels cannot change
 * under one fingerprint.
 */
function listingSig(raw: AmAlert, ack: Silence | undefined, c: ListingContext): string {
  const st = raw.status;
  const ackPart = ack ? `${ack.id}\u0000${ack.startsAt}\u0000${ack.endsAt}\u0000${ack.comment}\u0000${ack.createdBy}\u0000${c.extensionsOf?.(ack.id) ?? 0}` : '';
  return `${raw.updatedAt ?? ''}\u0001${raw.startsAt}\u0001${raw.generatorURL ?? ''}\u0001${(st.silencedBy ?? []).join(',')}\u0001${(st.inhibitedBy ?? []).join(',')}\u0001${ackPart}\u0001${c.cluster ?? ''}\u0001${c.autoExtend ? 1 : 0}`;
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

const sameRecord = (x: Readonly<Record<string, string>>, y: Readonly<Record<string, string>>): boolean => {
  let n = 0;
  for (const k in x) {
    if (x[k] !== y[k]) return false;
    n++;
  }
  for (const _ in y) n--;
  return n === 0;
};
const sameList = (x: readonly string[], y: readonly string[]) => x.length === y.length && x.every((v, i) => v === y[i]);

/**
 * sameState for alerts, field by field: a poll compares every listed alert with what was reported, and a
 * generic deep comparison costs tens of microseconds per alert — a second of CPU per poll at 10k alerts.
 * Every field of AlertSchema is compared; a field absent on one side equals undefined on the other.
 */
function sameAlert(a: Alert, b: Alert): boolean {
  return (
    a.fingerprint === b.fingerprint &&
    a.alertname === b.alertname &&
    a.state === b.state &&
    a.severity === b.severity &&
    a.startsAt === b.startsAt &&
    a.endsAt === b.endsAt &&
    a.generatorUrl === b.generatorUrl &&
    a.ackedBy === b.ackedBy &&
    a.ackedAt === b.ackedAt &&
    a.ackId === b.ackId &&
    a.cluster === b.cluster &&
    a.ackExpiresAt === b.ackExpiresAt &&
    a.ackExtensions === b.ackExtensions &&
    a.ackAutoExtend === b.ackAutoExtend &&
    sameList(a.silencedBy, b.silencedBy) &&
    sameList(a.inhibitedBy, b.inhibitedBy) &&
    sameRecord(a.labels, b.labels) &&
    sameRecord(a.annotations, b.annotations)
  );
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
  c: ListingContext = {},
  /**
   * fingerprint → the signature of the listing that gave the alert as reported (kept by the caller across
   * calls): an alert whose signature did not change is the reported one, without building and comparing it
   * again — at 10k alerts per poll that work is most of a poll's CPU
   */
  sigs?: Map<string, string>,
): ReconcileResult {
  const events: SourceEvent[] = [];
  const view: View = { alerts: new Map(prev.alerts), silences: new Map(), resolvedAt: new Map(prev.resolvedAt) };

  for (const raw of amSilences) {
    const s = toSilence(raw, now, c);
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
    const ack = acks.size > 0 ? acks.get(labelKey(raw.labels)) : undefined;
    const old = prev.alerts.get(raw.fingerprint);
    const sig = sigs && listingSig(raw, ack, c);
    if (sig !== undefined && old?.state === 'firing' && sigs!.get(raw.fingerprint) === sig) continue;
    const a = toAlert(raw, ack, now, c);
    if (sig !== undefined) sigs!.set(raw.fingerprint, sig);
    if (old && sameAlert(old, a)) continue;
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

/**
 * What a source has reported so far, moved forward by each listing of the upstream: `seed` with what the
 * gateway stored (SourceContext.known), then `update` with every fresh listing to get the events to emit.
 */
export class AlertTracker {
  private view: View = emptyView();
  private readonly sigs = new Map<string, string>();
  constructor(private readonly resolvedRetentionMs: number) {}
  seed(known: { alerts: unknown[]; silences: unknown[] } | undefined): void {
    this.view = viewFromKnown(known);
    this.sigs.clear();
  }
  /** the events that take what was reported to this listing */
  update(amAlerts: AmAlert[], amSilences: AmSilence[], now: number, c?: ListingContext): SourceEvent[] {
    const next = reconcile(this.view, amAlerts, amSilences, now, this.resolvedRetentionMs, c, this.sigs);
    this.view = next.view;
    // signatures of alerts no longer reported as firing are not needed (a re-fired one is built afresh)
    if (this.sigs.size > next.view.alerts.size) for (const fp of this.sigs.keys()) if (!next.view.alerts.has(fp)) this.sigs.delete(fp);
    return next.events;
  }
  /** an alert as last reported (firing or resolved), or undefined */
  alert(fingerprint: string): Alert | undefined {
    return this.view.alerts.get(fingerprint);
  }
  /** a silence as last reported, or undefined */
  silence(id: string): Silence | undefined {
    return this.view.silences.get(id);
  }
  /** the alerts as last reported */
  alerts(): IterableIterator<Alert> {
    return this.view.alerts.values();
  }
}
