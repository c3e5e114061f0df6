/** Contact rosters: people, teams, rotations, overrides and escalation policies. */
import { z } from 'zod';

export const PersonSchema = z.object({
  id: z.string().min(1),
  name: z.string().min(1),
  role: z.string().nullable(),
  phone: z.string().nullable(),
  email: z.string().nullable(),
  im: z.object({
    slack: z.string().nullable().optional(),
    dingtalk: z.string().nullable().optional(),
    teams: z.string().nullable().optional(),
    wecom: z.string().nullable().optional(),
  }),
});
export type Person = z.infer<typeof PersonSchema>;

export const RosterSchema = z.object({
  id: z.string().min(1),
  name: z.string(),
  /** the roster document as synced or imported; the roster module owns its full shape */
  people: z.array(PersonSchema),
  document: z.unknown(),
  updatedAt: z.number(),
  fetchedAt: z.number(),
});
export type Roster = z.infer<typeof RosterSchema>;
