/** Rosters and escalation slice: on-call now/next, file import, the escalation ladders in progress. */
import { z } from 'zod';
import type { Role } from '../identity';
import type { PageLadder, UndeliveredPage } from '../paging';
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
  /** the gateway's ladder for an alert (who was paged, where, how delivery went, what comes next), or null */
  gatewayPage: method<PageLadder | null>()(z.tuple([z.string().min(1).max(200)])),
  /** the gateway's page messages that have not arrived (retrying, or given up with the provider's answer) */
  pagesUndelivered: method<UndeliveredPage[]>()(z.tuple([])),
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
  /**
   * the gateway's ladder for an alert changed; `paged` is set when a level was just paged: who (and whether
   * their console got it), on which channels, and who pressed `e` (null: the ladder's time came)
   */
  pageChanged: event(
    z.object({
      fingerprint: z.string(),
      alertname: z.string(),
      stopped: z.boolean(),
      paged: z
        .object({
          level: z.number().int(),
          name: z.string().nullable(),
          by: z.string().nullable(),
          people: z.array(z.object({ name: z.string(), console: z.enum(['delivered', 'not_connected', 'no_login']) })),
          channels: z.array(z.string()),
        })
        .nullable(),
    }),
  ),
};
