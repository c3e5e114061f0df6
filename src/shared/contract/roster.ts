/** Rosters and escalation slice: on-call now/next, file import, the escalation ladders in progress. */
import { z } from 'zod';
import type { Role } from '../identity';
import { event, method } from '../rpc';
import { RosterImportRequestSchema, type EscalationState, type Roster, type RosterImportResult, type RotationOnCall } from '../roster';

/** Someone an incident role can be given to: a person the platform knows, someone in a roster, or both. */
export interface KnownPerson {
  name: string;
  /** the platform login (null: only in a roster) */
  login: string | null;
  /** the platform role (null: only in a roster) */
  role: Role | null;
  inRoster: boolean;
}

export const rosterMethods = {
  /** the people incident roles are chosen from: the platform's people and the rosters' (one per name) */
  peopleKnown: method<KnownPerson[]>()(z.tuple([])),
  /** every cached roster with its people (the roster view, the incident form's people picker) */
  rostersList: method<Roster[]>()(z.tuple([])),
  /** who is on call now and next, per rotation of every cached roster (at `at`, default now) */
  rosterOnCall: method<RotationOnCall[]>()(z.tuple([z.number().int().nonnegative().optional()])),
  /** validates a YAML roster document or a CSV contact sheet and stores it unless `dryRun` or any issue */
  rosterImport: method<RosterImportResult>()(z.tuple([RosterImportRequestSchema])),
  /** removes a roster imported on this machine (platform rosters come and go with the platform) */
  rosterRemove: method<{ removed: boolean }>()(z.tuple([z.string().min(1).max(200)])),
  /** escalation ladders in progress, and those stopped in the last 24 h */
  escalationsList: method<EscalationState[]>()(z.tuple([])),
};

export const rosterEvents = {
  /** an escalation ladder moved (a new level, or stopped); views showing escalation state refetch */
  escalationChanged: event(
    z.object({
      subjectKind: z.enum(['alert', 'incident']),
      subjectId: z.string(),
      level: z.number().int(),
      stopped: z.boolean(),
    }),
  ),
};
