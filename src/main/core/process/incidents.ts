/**
 * Incidents (the war-room): declaration through the decision tree, roles, change freeze, the timeline,
 * status updates, response/resolution timers and closing with a postmortem. Every change is stored
 * locally first and queued for the platform in the same transaction.
 *
 * The pieces: incident-store.ts (the rows), incident-timeline.ts (the minutes), incident-patch.ts (what
 * an update changes, pure), incident-alarms.ts (the reminders). This file is the operations over them.
 */
import type { Language } from '@shared/domain';
import type { Comms } from '@shared/paging';
import {
  commsEntryId,
  DeclareSchema,
  decideSeverity,
  entryText,
  type CommsLine,
  type DeclareInput,
  type Incident,
  type IncidentDetail,
  type IncidentPatch,
  type Review,
  type StatusPhase,
  type TimelineAdd,
  type TimelineEntry,
} from '@shared/incidents';
import { ApiError } from '@shared/rpc';
import type { ActionSink, CoreContext } from '../context';
import type { ChecklistEngine } from './checklists';
import { createIncidentAlarms } from './incident-alarms';
import { applyPatch, closedIncident } from './incident-patch';
import { alarmsOf, createIncidentStore } from './incident-store';
import { createIncidentTimeline } from './incident-timeline';
import { remoteIncident } from './platform';
import { renderPostmortem } from './postmortem';
import { createTargetsRepo, incidentClocks } from './targets';
import { TEMPLATE_IDS } from './templates';
import { notFound, processText } from './texts';
import { sendAction } from './util';

type Declare = ReturnType<typeof DeclareSchema.parse>;

/** The war-room and the eight-step flow start with the incident, bound to it; a failure is logged, not fatal. */
async function startWarRoom(ctx: CoreContext, checklists: ChecklistEngine, incidentId: string, actor: string): Promise<void> {
  for (const templateId of [TEMPLATE_IDS.warRoom, TEMPLATE_IDS.responseFlow]) {
    try {
      await checklists.start({ templateId, incidentId }, actor);
    } catch (err) {
      ctx.log.log('warn', 'incident.checklist_not_started', { templateId, err: String(err) });
    }
  }
}

export interface IncidentServiceDeps {
  ctx: CoreContext;
  actions: ActionSink;
  checklists: ChecklistEngine;
  /** whether a role may go to this name (see ProcessOptions.knownPerson); default: anyone */
  knownPerson?: (name: string) => boolean;
}

/** A new incident as declared (nothing stored yet). */
export function newIncident(id: string, d: Declare, actor: string, now: number): Incident {
  return {
    id,
    title: d.title,
    severity: d.severity,
    proposedSeverity: decideSeverity(d.triage),
    triage: d.triage,
    status: 'investigating',
    changeFreeze: false,
    roles: { commander: null, techLead: null, comms: null, onCall: null },
    fingerprints: [...new Set(d.fingerprints)],
    impact: d.impact || null,
    declaredBy: actor,
    declaredAt: now,
    respondedAt: null,
    resolvedAt: null,
    closedAt: null,
    review: null,
    postmortem: null,
    updatedAt: now,
  };
}

/** The response and resolution targets: read, and written with an audit line and the reminders re-armed. */
function targetSettings(ctx: CoreContext, targets: ReturnType<typeof createTargetsRepo>, alarms: { rearm(): void }) {
  return {
    read: targets.read,
    write(t: Parameters<typeof targets.write>[0], actor: string) {
      const out = targets.write(t);
      ctx.audit(actor, 'incident.targets', out);
      alarms.rearm();
      return out;
    },
  };
}

/** A role newly given goes to someone the platform or a roster knows (or whoever is signed in here). */
function checkRoles(ctx: CoreContext, knownPerson: IncidentServiceDeps['knownPerson'], cur: Incident, patch: IncidentPatch) {
  if (!knownPerson || !patch.roles) return;
  const me = ctx.me()?.name;
  for (const [role, name] of Object.entries(patch.roles) as [keyof Incident['roles'], string | null][])
    if (name && name !== cur.roles[role] && name !== me && !knownPerson(name))
      throw new ApiError('unknown_person', processText.in(ctx.language()).incidents.unknownPerson({ name }));
}

/** the timeline entry that says where the status update `statusEntryId` went */
function commsEntry(incidentId: string, statusEntryId: string, author: string, at: number, params: Record<string, string>): TimelineEntry {
  const system = { code: 'comms' as const, params };
  return { id: commsEntryId(statusEntryId), incidentId, at, kind: 'status_update', author, text: entryText({ text: '', system, author }, 'en'), system };
}

/** the gateway's word on where a status update went and whether it arrived (`comms.update`) */
function recordComms(
  c: Comms,
  store: Pick<ReturnType<typeof createIncidentStore>, 'load'>,
  minutes: Pick<ReturnType<typeof createIncidentTimeline>, 'put'>,
  changed: (id: string) => void,
): boolean {
  if (c.kind !== 'incident' || !c.incidentId || !store.load(c.incidentId)) return false;
  const lines: CommsLine[] = c.deliveries.map((d) => ({ channel: d.channel, person: d.person, state: d.state, attempts: d.attempts, error: d.error }));
  const params: Record<string, string> = { phase: c.phase ?? '', deliveries: JSON.stringify(lines) };
  if (!lines.length && c.none) params.none = c.none;
  minutes.put(commsEntry(c.incidentId, c.id, c.by, c.at, params));
  changed(c.incidentId);
  return true;
}

export function createIncidentService({ ctx, actions, checklists, knownPerson }: IncidentServiceDeps) {
  const { db } = ctx;
  const store = createIncidentStore(db);
  const targets = createTargetsRepo(db);
  const minutes = createIncidentTimeline({ ctx, actions });
  const timeZone = () => ctx.settings().timeZone;
  const say = () => processText.in(ctx.language()).incidents;
  const changed = (id: string) => ctx.emit('dataChanged', { collection: 'incidents', ids: [id] });
  const alarms = createIncidentAlarms({ ctx, store, targets: targets.read, changed });

  const mustLoad = (id: string) => store.load(id) ?? notFound(ctx.language(), 'incident', id);
  /** an open incident, or the refusal `closed` words */
  function mustBeOpen(id: string, closed: (p: { id: string }) => string) {
    const l = mustLoad(id);
    if (l.inc.status === 'closed') throw new ApiError('conflict', closed({ id }));
    return l;
  }

  function detail(inc: Incident): IncidentDetail {
    const clocks = incidentClocks(inc, targets.read(), timeZone(), ctx.clock.now());
    return { incident: inc, alerts: minutes.linkedAlerts(inc.fingerprints), timeline: minutes.of(inc), ...clocks, runIds: checklists.runIdsFor(inc.id) };
  }

  /** Ends every change: the audit line, the reminders re-armed, the console told. */
  function done(actor: string, action: string, fields: Record<string, unknown>, id: string): void {
    ctx.audit(actor, action, fields);
    alarms.rearm();
    changed(id);
  }

  async function declare(input: DeclareInput, actor: string): Promise<IncidentDetail> {
    const d = DeclareSchema.parse(input);
    const now = ctx.clock.now();
    const inc = newIncident(store.newIncidentId(ctx, now), d, actor, now);
    const proposed = decideSeverity(d.triage);
    db.transaction(() => {
      store.write(inc, { respond: null, resolve: null });
      const { id, title, severity, fingerprints } = inc;
      sendAction(ctx, actions, 'incident.declare', { incidentId: id, title, severity, proposedSeverity: proposed, fingerprints }, actor);
      // The declaration has no room for these; the platform merges them from the first update.
      sendAction(ctx, actions, 'incident.update', { incidentId: id, patch: { triage: inc.triage, status: inc.status, impact: inc.impact, updatedAt: now } }, actor);
      minutes.system(id, actor, now, { kind: 'decision', code: 'declared', params: { severity } });
      if (severity !== proposed) minutes.system(id, actor, now, { kind: 'decision', code: 'override', params: { severity, proposed, reason: d.overrideReason ?? '' } });
      if (fingerprints.length) minutes.system(id, actor, now, { kind: 'action', code: 'alerts_linked', params: { names: minutes.alertNames(fingerprints) } });
    })();
    ctx.audit(actor, 'incident.declare', { id: inc.id, severity: inc.severity, proposed });
    await startWarRoom(ctx, checklists, inc.id, actor);
    alarms.rearm();
    changed(inc.id);
    return detail(inc);
  }

  function update(id: string, patch: IncidentPatch, actor: string): IncidentDetail {
    const now = ctx.clock.now();
    const inc = db.transaction(() => {
      const { inc: cur, row } = mustBeOpen(id, say().closedNoChange);
      checkRoles(ctx, knownPerson, cur, patch);
      const r = applyPatch(cur, alarmsOf(row), patch, now, minutes.alertNames);
      if (!Object.keys(r.sent).length) return cur;
      for (const line of r.lines) minutes.system(id, actor, now, line);
      store.write(r.next, r.alarms);
      sendAction(ctx, actions, 'incident.update', { incidentId: id, patch: { ...r.sent, updatedAt: now } }, actor);
      return r.next;
    })();
    done(actor, 'incident.update', { id, fields: Object.keys(patch) }, id);
    return detail(inc);
  }

  function addTimeline(id: string, input: TimelineAdd, actor: string): TimelineEntry {
    const now = ctx.clock.now();
    const e = db.transaction(() => {
      mustBeOpen(id, say().closedTimeline);
      if (input.at !== undefined && input.at > now) throw new ApiError('bad_arguments', say().future());
      return minutes.note(id, input.kind, actor, input.at ?? now, input.text);
    })();
    changed(id);
    return e;
  }

  function statusUpdate(id: string, phase: StatusPhase, text: string, actor: string): TimelineEntry {
    const now = ctx.clock.now();
    const e = db.transaction(() => {
      const { inc, row } = mustBeOpen(id, say().closedNoUpdate);
      const created = minutes.note(id, 'status_update', actor, now, text);
      // where it goes is the gateway's to say (comms.update); until then the timeline says it is queued
      if (sendAction(ctx, actions, 'incident.status_update', { incidentId: id, phase, text, updateId: created.id }, actor))
        minutes.put(commsEntry(id, created.id, actor, now, { phase, queued: '1', deliveries: '' }));
      // Sending the first message is how handbook 003 acknowledges an incident.
      if (phase === 'start' && inc.respondedAt === null) {
        store.write({ ...inc, respondedAt: now, updatedAt: now }, alarmsOf(row));
        minutes.system(id, actor, now, { kind: 'action', code: 'responded', params: {} });
        sendAction(ctx, actions, 'incident.update', { incidentId: id, patch: { respondedAt: now, updatedAt: now } }, actor);
      }
      return created;
    })();
    done(actor, 'incident.status_update', { id, phase }, id);
    return e;
  }

  function close(id: string, review: Review, lng: Language, actor: string): IncidentDetail {
    const now = ctx.clock.now();
    const inc = db.transaction(() => {
      const { inc: cur, row } = mustBeOpen(id, say().alreadyClosed);
      const next = closedIncident(cur, review, now);
      if (cur.changeFreeze) minutes.system(id, actor, now, { kind: 'decision', code: 'freeze_off', params: {} });
      minutes.system(id, actor, now, { kind: 'action', code: 'closed', params: {} });
      next.postmortem = renderPostmortem({ incident: next, timeline: minutes.of(next), alerts: minutes.linkedAlerts(next.fingerprints), lng, timeZone: timeZone() });
      store.write(next, alarmsOf(row));
      // The platform takes no update after the close: the review and final times go first.
      const patch = { review, changeFreeze: false, respondedAt: next.respondedAt, resolvedAt: next.resolvedAt, updatedAt: now };
      sendAction(ctx, actions, 'incident.update', { incidentId: id, patch }, actor);
      sendAction(ctx, actions, 'incident.close', { incidentId: id, postmortem: next.postmortem }, actor);
      return next;
    })();
    done(actor, 'incident.close', { id }, id);
    return detail(inc);
  }

  /** A closed incident opens again (it recurred, or was closed by mistake): investigating, not resolved. */
  function reopen(id: string, reason: string, actor: string): IncidentDetail {
    const now = ctx.clock.now();
    const inc = db.transaction(() => {
      const { inc: cur, row } = mustLoad(id);
      if (cur.status !== 'closed') throw new ApiError('conflict', say().notClosed({ id }));
      const next: Incident = { ...cur, status: 'investigating', resolvedAt: null, closedAt: null, updatedAt: now };
      // the platform opens it first: it takes no timeline entry for a closed incident
      sendAction(ctx, actions, 'incident.reopen', { incidentId: id, reason }, actor);
      minutes.system(id, actor, now, { kind: 'decision', code: 'reopened', params: { reason } });
      // the resolution clock runs again
      store.write(next, { ...alarmsOf(row), resolve: null });
      sendAction(ctx, actions, 'incident.update', { incidentId: id, patch: { status: 'investigating', resolvedAt: null, updatedAt: now } }, actor);
      return next;
    })();
    done(actor, 'incident.reopen', { id }, id);
    return detail(inc);
  }

  /** An incident from the platform (declared elsewhere, or ours echoed back); the newer copy wins. */
  function applyRemote(data: unknown): string {
    const { incident: inc, timeline: entries } = remoteIncident(data, (id) => store.load(id)?.inc ?? null);
    const local = store.load(inc.id);
    // Events arrive in the platform's order, so the platform's copy is the latest word, except while
    // this desk still has changes to it waiting in the outbox: their echo will bring them back.
    // (Comparing timestamps instead would trust two machines' clocks to agree.)
    if (!local || !store.hasUnsent(inc.id)) store.write(inc, local ? alarmsOf(local.row) : { respond: null, resolve: null });
    for (const e of entries) if (!e.derived) minutes.store({ ...e, incidentId: inc.id });
    alarms.rearm();
    return inc.id;
  }

  return {
    scheduler: alarms,
    declare,
    update,
    addTimeline,
    statusUpdate,
    close,
    reopen,
    applyRemote,
    recordComms: (c: Comms) => recordComms(c, store, minutes, changed),
    list: store.list,
    get(id: string): IncidentDetail | null {
      const l = store.load(id);
      return l ? detail(l.inc) : null;
    },
    postmortem(id: string, lng: Language): string {
      const { inc } = mustLoad(id);
      return renderPostmortem({ incident: inc, timeline: minutes.of(inc), alerts: minutes.linkedAlerts(inc.fingerprints), lng, timeZone: timeZone() });
    },
    freezeState: store.frozen,
    targets: targetSettings(ctx, targets, alarms),
  };
}
export type IncidentService = ReturnType<typeof createIncidentService>;
