/**
 * The cached rosters, parsed once per change. Both the roster view and the status-bar "on call now"
 * read it; on-call is computed here from the cached rotations and overrides with the same shared code
 * the core uses, so it keeps working with the platform gone.
 */
import { create } from 'zustand';
import { onCallAt } from '@shared/rotation';
import { RosterDocumentSchema, type Roster, type RosterDocument, type RosterPerson, type OnCallSegment, type Rotation } from '@shared/roster';
import { hasHiddenChars, revealPlain } from '@shared/spoofing';
import { vigil } from '@renderer/api';

/**
 * The names as every roster view shows them: hidden characters (zero-width, bidi overrides, controls)
 * written as ⟦U+200B⟧, so "Li\u200bWei" cannot pass for "LiWei" in the on-call panel, the people table, the
 * ladders or the status bar. Display only: the renderer never writes a roster document back.
 */
export function revealNames(doc: RosterDocument): RosterDocument {
  const shown = <T extends { name: string }>(x: T): T => (hasHiddenChars(x.name) ? { ...x, name: revealPlain(x.name) } : x);
  return { ...doc, people: doc.people.map(shown), teams: doc.teams.map(shown), rotations: doc.rotations.map(shown) };
}

export interface ParsedRoster {
  roster: Roster;
  doc: RosterDocument | null;
  error: string | null;
  people: Map<string, RosterPerson>;
}

interface RosterState {
  items: ParsedRoster[] | null;
  error: string | null;
  load(): Promise<void>;
}

export const useRosters = create<RosterState>((set) => ({
  items: null,
  error: null,
  async load() {
    try {
      const list = await vigil().rostersList();
      set({
        error: null,
        items: list.map((roster) => {
          const parsed = RosterDocumentSchema.safeParse(roster.document);
          const doc = parsed.success ? revealNames(parsed.data) : null;
          return {
            roster,
            doc,
            error: parsed.success ? null : (parsed.error.issues[0]?.message ?? 'invalid'),
            people: new Map((doc?.people ?? []).map((p) => [p.id, p])),
          };
        }),
      });
    } catch (err) {
      set({ error: err instanceof Error ? err.message : String(err) });
    }
  },
}));

let bound = false;
/** Loads the rosters once and keeps them current for the app's lifetime. */
export function bindRosters(): void {
  if (bound) return;
  bound = true;
  void useRosters.getState().load();
  vigil().on('dataChanged', (c) => {
    if (c.collection === 'rosters') void useRosters.getState().load();
  });
}

export interface RotationNow {
  rotation: Rotation;
  teamName: string;
  now: OnCallSegment;
  next: OnCallSegment | null;
}

export function onCallNow(r: ParsedRoster, at: number): RotationNow[] {
  if (!r.doc) return [];
  const teams = new Map(r.doc.teams.map((t) => [t.id, t.name]));
  return r.doc.rotations.map((rotation) => ({
    rotation,
    teamName: teams.get(rotation.team) ?? rotation.team,
    ...onCallAt(rotation, r.doc!.overrides, at),
  }));
}
