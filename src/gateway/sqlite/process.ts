/**
 * The process records on SQLite (incidents, incident_timeline, incident_status_updates, checklist_results,
 * handovers): one handler per process action, each checking the action's rules against the records,
 * changing them and returning the events that carry the new state. `apply` runs a handler in a savepoint,
 * so a refusal changes nothing; the store calls it inside the transaction that records the action id.
 */
import type { ActionPayload } from '@shared/actions';
import { SeveritySchema } from '@shared/domain';
import { ERROR_CODES, type HandoverDoc, type IncidentDoc } from '@shared/protocol';
import type { SqlConnection } from '@node/sql';
import { refuse, Refusal, type ProcessAction, type ProcessEvent, type ProcessOutcome } from '../process';

interface IncidentRow {
  id: string;
  title: string;
  severity: IncidentDoc['severity'];
  proposed_severity: IncidentDoc['proposedSeverity'];
  status: IncidentDoc['status'];
  fingerprints: string;
  fields: string;
  declared_by: string;
  declared_at: number;
  closed_at: number | null;
  closed_by: string | null;
  postmortem: string | null;
  updated_at: number;
}

interface HandoverRow {
  record: string;
  submitted_by: string | null;
  submitted_login: string | null;
  submitted_at: number | null;
  signed_by: string | null;
  signed_login: string | null;
  signed_at: number | null;
  note: string | null;
}

type Statements = ReturnType<typeof statements>;

function statements(db: SqlConnection) {
  return {
    incident: db.prepare('SELECT * FROM incidents WHERE id = ?'),
    declare:
      db.prepare(`INSERT INTO incidents (id, title, severity, proposed_severity, status, fingerprints, fields, declared_by, declared_at, updated_at)
      VALUES (?, ?, ?, ?, 'open', ?, '{}', ?, ?, ?)`),
    patch: db.prepare('UPDATE incidents SET title = ?, severity = ?, fields = ?, updated_at = ? WHERE id = ?'),
    touch: db.prepare('UPDATE incidents SET updated_at = ? WHERE id = ?'),
    close: db.prepare(
      `UPDATE incidents SET status = 'closed', closed_at = ?, closed_by = ?, postmortem = ?, updated_at = ? WHERE id = ?`,
    ),
    reopen: db.prepare(`UPDATE incidents SET status = 'open', closed_at = NULL, closed_by = NULL, updated_at = ? WHERE id = ?`),
    timeline: db.prepare(
      'SELECT id, kind, text, at, author FROM incident_timeline WHERE incident_id = ? ORDER BY at, rowid',
    ),
    timelineEntry: db.prepare('SELECT incident_id FROM incident_timeline WHERE id = ?'),
    addTimeline: db.prepare(
      'INSERT INTO incident_timeline (id, incident_id, kind, text, at, author) VALUES (?, ?, ?, ?, ?, ?)',
    ),
    statusUpdates: db.prepare(
      'SELECT phase, text, at, author FROM incident_status_updates WHERE incident_id = ? ORDER BY id',
    ),
    addStatus: db.prepare(
      'INSERT INTO incident_status_updates (incident_id, phase, text, at, author) VALUES (?, ?, ?, ?, ?)',
    ),
    checklist:
      db.prepare(`INSERT INTO checklist_results (run_id, template_id, result, at, author) VALUES (?, ?, ?, ?, ?)
      ON CONFLICT(run_id) DO UPDATE SET template_id = excluded.template_id, result = excluded.result, at = excluded.at, author = excluded.author`),
    handover: db.prepare('SELECT * FROM handovers WHERE id = ?'),
    submitHandover:
      db.prepare(`INSERT INTO handovers (id, record, submitted_by, submitted_login, submitted_at) VALUES (?, ?, ?, ?, ?)
      ON CONFLICT(id) DO UPDATE SET record = excluded.record, submitted_by = excluded.submitted_by,
        submitted_login = excluded.submitted_login, submitted_at = excluded.submitted_at`),
    signHandover: db.prepare(
      'UPDATE handovers SET signed_by = ?, signed_login = ?, signed_at = ?, note = ? WHERE id = ?',
    ),
  };
}

/** Reading the records back: the rows the rules check, and the documents the events carry. */
function reads(s: Statements) {
  function incidentRow(id: string): IncidentRow {
    const r = s.incident.get(id) as IncidentRow | undefined;
    if (!r) refuse(ERROR_CODES.notFound, `incident ${id} is not known to the platform (declare it first)`);
    return r!;
  }
  function incidentDoc(id: string): IncidentDoc {
    const r = incidentRow(id);
    return {
      id: r.id,
      title: r.title,
      severity: r.severity,
      proposedSeverity: r.proposed_severity,
      status: r.status,
      fingerprints: JSON.parse(r.fingerprints),
      declaredBy: r.declared_by,
      declaredAt: r.declared_at,
      fields: JSON.parse(r.fields),
      timeline: s.timeline.all(id) as IncidentDoc['timeline'],
      statusUpdates: s.statusUpdates.all(id) as IncidentDoc['statusUpdates'],
      closedAt: r.closed_at,
      closedBy: r.closed_by,
      postmortem: r.postmortem,
      updatedAt: r.updated_at,
    };
  }
  return {
    incidentRow,
    /** an incident that still takes changes */
    open(id: string): IncidentRow {
      const r = incidentRow(id);
      if (r.status === 'closed') refuse(ERROR_CODES.conflict, `incident ${id} is closed; it takes no more changes`);
      return r;
    },
    incidentEvent(id: string): ProcessEvent {
      const doc = incidentDoc(id);
      return { kind: 'incident.update', data: { id, incident: doc, updatedAt: doc.updatedAt } };
    },
    handover: (id: string) => s.handover.get(id) as HandoverRow | undefined,
    handoverEvent(id: string, at: number): ProcessEvent {
      const r = s.handover.get(id) as HandoverRow;
      const doc: HandoverDoc = {
        id,
        record: JSON.parse(r.record),
        submittedBy: r.submitted_by,
        submittedLogin: r.submitted_login,
        submittedAt: r.submitted_at,
        signedBy: r.signed_by,
        signedLogin: r.signed_login,
        signedAt: r.signed_at,
        note: r.note,
      };
      return { kind: 'handover.update', data: { id, handover: doc, at } };
    },
  };
}

/** who takes a process action: the name records carry and the login the credential proved (null: shared token) */
export interface Actor {
  name: string;
  login: string | null;
}

type Handlers<T extends ProcessAction> = {
  [K in T]: (p: ActionPayload<K>, actor: Actor, at: number) => ProcessEvent[];
};

/** the same person: by login when either side has one, else (two shared-token names) by name */
const samePerson = (a: Actor, name: string | null, login: string | null): boolean =>
  a.login !== null || login !== null ? a.login === login : a.name === name;
type IncidentAction = Extract<ProcessAction, `incident.${string}`>;

function incidentHandlers(s: Statements, r: ReturnType<typeof reads>): Handlers<IncidentAction> {
  return {
    'incident.declare'(p, actor, at) {
      if (s.incident.get(p.incidentId)) refuse(ERROR_CODES.conflict, `incident ${p.incidentId} was already declared`);
      s.declare.run(
        p.incidentId,
        p.title,
        p.severity,
        p.proposedSeverity,
        JSON.stringify(p.fingerprints),
        actor.name,
        at,
        at,
      );
      return [r.incidentEvent(p.incidentId)];
    },
    'incident.update'(p, _actor, at) {
      const row = r.open(p.incidentId);
      const { title, severity, ...rest } = p.patch as { title?: unknown; severity?: unknown } & Record<string, unknown>;
      if (title !== undefined && (typeof title !== 'string' || !title.trim()))
        refuse(ERROR_CODES.badPayload, 'incident.update: title must be a non-empty text');
      const sev = severity === undefined ? row.severity : SeveritySchema.safeParse(severity);
      if (typeof sev === 'object' && !sev.success)
        refuse(ERROR_CODES.badPayload, 'incident.update: severity must be one of P0, P1, P2, P3');
      const fields = { ...JSON.parse(row.fields), ...rest };
      s.patch.run(
        typeof title === 'string' ? title.trim() : row.title,
        typeof sev === 'object' ? sev.data! : sev,
        JSON.stringify(fields),
        at,
        p.incidentId,
      );
      return [r.incidentEvent(p.incidentId)];
    },
    'incident.timeline'(p, actor, at) {
      r.open(p.incidentId);
      if (s.timelineEntry.get(p.entryId)) refuse(ERROR_CODES.conflict, `timeline entry ${p.entryId} already exists`);
      s.addTimeline.run(p.entryId, p.incidentId, p.kind, p.text, p.at, actor.name);
      s.touch.run(at, p.incidentId);
      return [r.incidentEvent(p.incidentId)];
    },
    'incident.status_update'(p, actor, at) {
      r.open(p.incidentId);
      s.addStatus.run(p.incidentId, p.phase, p.text, at, actor.name);
      s.touch.run(at, p.incidentId);
      return [r.incidentEvent(p.incidentId)];
    },
    'incident.close'(p, actor, at) {
      r.open(p.incidentId);
      s.close.run(at, actor.name, p.postmortem, at, p.incidentId);
      return [r.incidentEvent(p.incidentId)];
    },
    'incident.reopen'(p, _actor, at) {
      const row = r.incidentRow(p.incidentId);
      if (row.status !== 'closed') refuse(ERROR_CODES.conflict, `incident ${p.incidentId} is not closed`);
      // the reason reaches the minutes as the console's own timeline entry
      s.reopen.run(at, p.incidentId);
      return [r.incidentEvent(p.incidentId)];
    },
  };
}

function recordHandlers(s: Statements, r: ReturnType<typeof reads>): Handlers<Exclude<ProcessAction, IncidentAction>> {
  return {
    'checklist.result'(p, actor, at) {
      s.checklist.run(p.runId, p.templateId, JSON.stringify(p.result ?? null), at, actor.name);
      return [{ kind: 'checklist.result', data: { runId: p.runId, result: p.result ?? null, at } }];
    },
    'handover.submit'(p, actor, at) {
      const prev = r.handover(p.handoverId);
      if (prev?.signed_by)
        refuse(
          ERROR_CODES.conflict,
          `handover ${p.handoverId} is already signed by ${prev.signed_by}; it cannot change`,
        );
      s.submitHandover.run(p.handoverId, JSON.stringify(p.record ?? null), actor.name, actor.login, at);
      return [r.handoverEvent(p.handoverId, at)];
    },
    'handover.sign'(p, actor, at) {
      // the signer is whoever's credential sent this; a payload's signedBy (older consoles) is not believed
      const prev = r.handover(p.handoverId);
      if (!prev) refuse(ERROR_CODES.notFound, `handover ${p.handoverId} was not submitted, so it cannot be signed`);
      if (prev!.signed_by)
        refuse(ERROR_CODES.conflict, `handover ${p.handoverId} is already signed by ${prev!.signed_by}`);
      if (samePerson(actor, prev!.submitted_by, prev!.submitted_login))
        refuse(
          ERROR_CODES.forbidden,
          `${actor.name} submitted handover ${p.handoverId}; the next on-call signs it, not the person handing over`,
        );
      s.signHandover.run(actor.name, actor.login, at, p.note ?? null, p.handoverId);
      return [r.handoverEvent(p.handoverId, at)];
    },
  };
}

export interface ProcessStore {
  /** applies one validated process action; call inside a transaction. Refusals change nothing. */
  apply(type: ProcessAction, payload: unknown, actor: Actor, at: number): ProcessOutcome;
}

export function createProcessStore(db: SqlConnection): ProcessStore {
  const s = statements(db);
  const r = reads(s);
  const handlers: Handlers<ProcessAction> = { ...incidentHandlers(s, r), ...recordHandlers(s, r) };
  return {
    apply(type, payload, actor, at) {
      const sp = db.transaction(() =>
        (handlers[type] as (p: unknown, a: Actor, t: number) => ProcessEvent[])(payload, actor, at),
      );
      try {
        return { ok: true, events: sp() };
      } catch (err) {
        if (err instanceof Refusal) return { ok: false, error: err.wire };
        throw err;
      }
    },
  };
}
