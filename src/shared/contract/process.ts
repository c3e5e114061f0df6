/**
 * Checklists, incidents and handover slice. Changes are announced with the app's `dataChanged` event
 * (collections 'checklists', 'incidents', 'handovers'); views refetch.
 */
import { z } from 'zod';
import { method } from '../rpc';
import { LanguageSchema } from '../domain';
import {
  RunIdSchema,
  RunListQuerySchema,
  RunStartSchema,
  StepUpdateSchema,
  type RunSummary,
  type RunView,
  type TemplateSummary,
} from '../checklists';
import {
  DeclareSchema,
  IncidentIdSchema,
  IncidentPatchSchema,
  ReviewSchema,
  StatusPhaseSchema,
  TargetsSchema,
  TimelineAddSchema,
  type Incident,
  type IncidentDetail,
  type Targets,
  type TimelineEntry,
  ReopenReasonSchema,
} from '../incidents';
import {
  HandoverDraftQuerySchema,
  HandoverQuerySchema,
  HandoverSignSchema,
  HandoverSubmitSchema,
  type Handover,
  type HandoverDraft,
} from '../handover';

export const processMethods = {
  // checklists
  checklistTemplates: method<TemplateSummary[]>()(z.tuple([])),
  checklistRuns: method<RunSummary[]>()(z.tuple([RunListQuerySchema])),
  checklistRun: method<RunView | null>()(z.tuple([RunIdSchema])),
  checklistStart: method<RunView>()(z.tuple([RunStartSchema])),
  checklistStep: method<RunView>()(z.tuple([StepUpdateSchema])),
  /** evaluates the run's auto-checks again on the current cached data */
  checklistRecheck: method<RunView>()(z.tuple([RunIdSchema])),
  checklistFinish: method<RunView>()(z.tuple([RunIdSchema])),

  // incidents
  incidentsList: method<Incident[]>()(z.tuple([z.object({ open: z.boolean().optional() }).strict()])),
  incidentGet: method<IncidentDetail | null>()(z.tuple([IncidentIdSchema])),
  incidentDeclare: method<IncidentDetail>()(z.tuple([DeclareSchema])),
  incidentUpdate: method<IncidentDetail>()(z.tuple([IncidentIdSchema, IncidentPatchSchema])),
  incidentTimelineAdd: method<TimelineEntry>()(z.tuple([IncidentIdSchema, TimelineAddSchema])),
  incidentStatusUpdate: method<TimelineEntry>()(
    z.tuple([IncidentIdSchema, z.object({ phase: StatusPhaseSchema, text: z.string().trim().min(1).max(10_000) }).strict()]),
  ),
  incidentClose: method<IncidentDetail>()(z.tuple([IncidentIdSchema, ReviewSchema, LanguageSchema])),
  /** reopens a closed incident (it recurred, or was closed by mistake); the reason goes into the timeline */
  incidentReopen: method<IncidentDetail>()(z.tuple([IncidentIdSchema, ReopenReasonSchema])),
  /** the postmortem in either language, rendered from the recorded data */
  incidentPostmortem: method<string>()(z.tuple([IncidentIdSchema, LanguageSchema])),
  /** incidents with the change-freeze flag on (the banner shown everywhere) */
  freezeState: method<Pick<Incident, 'id' | 'title' | 'severity' | 'declaredAt'>[]>()(z.tuple([])),
  targetsGet: method<Targets>()(z.tuple([])),
  targetsSet: method<Targets>()(z.tuple([TargetsSchema])),

  // handover
  handoverDraft: method<HandoverDraft>()(z.tuple([HandoverDraftQuerySchema])),
  handoverSubmit: method<Handover>()(z.tuple([HandoverSubmitSchema])),
  handoverSign: method<Handover>()(z.tuple([HandoverSignSchema])),
  handoversList: method<Handover[]>()(z.tuple([HandoverQuerySchema])),
};

export const processEvents = {};
