/**
 * What the gateway echoes back, turned into Vigil's own records. The gateway keeps an incident as the
 * declaration plus every `incident.update` patch merged into `fields` (src/shared/protocol.ts
 * IncidentDoc); Vigil sends everything it needs to rebuild the incident in those patches (triage, status,
 * roles, freeze, times, review), so a second console sees the same war-room.
 */
import { z } from 'zod';
import { HandoverSchema, type Handover } from '@shared/handover';
import {
  IncidentRecordSchema,
  IncidentSchema,
  IncidentStatusSchema,
  ReviewSchema,
  escalationLine,
  RolesSchema,
  type Incident,
  type TimelineEntry,
} from '@shared/incidents';
import { IncidentDocSchema, type HandoverDoc, type IncidentDoc } from '@shared/protocol';

const FieldSchemas = {
  triage: IncidentSchema.shape.triage,
  status: IncidentStatusSchema,
  changeFreeze: z.boolean(),
  roles: RolesSchema.partial(),
  impact: z.string().max(2000).nullable(),
  fingerprints: z.array(z.string().min(1).max(128)).max(500),
  respondedAt: z.number().nullable(),
  resolvedAt: z.number().nullable(),
  review: ReviewSchema.nullable(),
};

/** A field from the merged patches when present and valid; otherwise what this desk already has. */
function field<K extends keyof typeof FieldSchemas>(fields: Record<string, unknown>, k: K, fallback: z.infer<(typeof FieldSchemas)[K]>) {
  if (!(k in fields)) return fallback;
  const r = FieldSchemas[k].safeParse(fields[k]);
  return r.success ? (r.data as z.infer<(typeof FieldSchemas)[K]>) : fallback;
}

export function incidentFromDoc(doc: IncidentDoc, local: Incident | null): { incident: Incident; timeline: TimelineEntry[] } {
  const f = doc.fields;
  const closed = doc.status === 'closed';
  const roles = { commander: null, techLead: null, comms: null, onCall: null, ...local?.roles, ...field(f, 'roles', {}) };
  const incident: Incident = {
    id: doc.id,
    title: doc.title,
    severity: doc.severity,
    proposedSeverity: doc.proposedSeverity,
    triage: field(f, 'triage', local?.triage ?? null),
    status: closed ? 'closed' : field(f, 'status', local && local.status !== 'closed' ? local.status : 'investigating'),
    changeFreeze: closed ? false : field(f, 'changeFreeze', local?.changeFreeze ?? false),
    roles,
    fingerprints: field(f, 'fingerprints', doc.fingerprints),
    impact: field(f, 'impact', local?.impact ?? null),
    declaredBy: doc.declaredBy,
    declaredAt: doc.declaredAt,
    respondedAt: field(f, 'respondedAt', local?.respondedAt ?? null),
    resolvedAt: field(f, 'resolvedAt', local?.resolvedAt ?? null) ?? (closed ? doc.closedAt : null),
    closedAt: doc.closedAt,
    review: field(f, 'review', local?.review ?? null),
    postmortem: doc.postmortem ?? local?.postmortem ?? null,
    updatedAt: doc.updatedAt,
  };
  // The platform keeps text only; an automatic escalation's entry is known by its id and read in any language.
  const timeline: TimelineEntry[] = doc.timeline.map((e) => ({ ...e, incidentId: doc.id, system: escalationLine(e.id, e.at) }));
  // Status updates sent by a console that did not also log them as timeline entries still belong in the minutes.
  const logged = new Set(timeline.filter((e) => e.kind === 'status_update').map((e) => e.text));
  doc.statusUpdates.forEach((u, i) => {
    if (!logged.has(u.text)) timeline.push({ id: `su:${doc.id}:${i}`, incidentId: doc.id, at: u.at, kind: 'status_update', author: u.author, text: u.text, system: null });
  });
  return { incident, timeline };
}

/**
 * An incident as the platform sends it: the gateway's own document, merged over what this desk has
 * (`local`), or a full Vigil record (another platform, a test), taken as is.
 */
export function remoteIncident(data: unknown, local: (id: string) => Incident | null): { incident: Incident; timeline: TimelineEntry[] } {
  const full = IncidentRecordSchema.safeParse(data);
  if (full.success) {
    const { timeline, ...incident } = full.data;
    return { incident, timeline: timeline ?? [] };
  }
  const doc = IncidentDocSchema.parse(data);
  return incidentFromDoc(doc, local(doc.id));
}

export function handoverFromDoc(doc: HandoverDoc): Handover {
  const base = HandoverSchema.parse(doc.record);
  if (base.id !== doc.id) throw new Error(`handover.update: record ${base.id} arrived as ${doc.id}`);
  return {
    ...base,
    // who handed over is what the gateway's credential check recorded, not what the record claims
    outgoing: doc.submittedBy ?? base.outgoing,
    state: doc.signedAt !== null ? 'signed' : 'submitted',
    signedAt: doc.signedAt,
    signedBy: doc.signedBy,
    signNote: doc.note,
  };
}
