/**
 * The names inside the documents a console sends (a checklist run, a runbook step run, a handover record):
 * the gateway records who sent them from the credential, but these documents also say who started a run, who
 * ticked each step and who hands over, and other consoles show those names. A name there must be one the
 * platform can stand behind: the sender's own record name, a person the gateway knows (`users`), or a name
 * that says it is unverified ("… (shared token)"), or a step's automatic check. Anything else is refused,
 * naming the name. The same holds for the people an incident update puts in a role (`patch.roles`: incident
 * commander, tech lead, comms, on call): a role goes to the sender or to a person the platform knows.
 */
import { AUTO_CHECK_ACTOR } from '@shared/checklists';
import { SHARED_MARK } from '@shared/identity';

const text = (v: unknown): string | null => (typeof v === 'string' && v.trim() ? v : null);

/**
 * the person names a process action's payload carries in its document, and the incident roles it assigns
 * (not other assignments such as a step owner)
 */
export function documentNames(type: string, payload: unknown): string[] {
  const p = payload as { result?: unknown; record?: unknown; patch?: unknown } | null;
  if (type === 'incident.update') {
    const roles = (p?.patch as { roles?: unknown } | null | undefined)?.roles;
    if (!roles || typeof roles !== 'object' || Array.isArray(roles)) return [];
    return Object.values(roles as Record<string, unknown>)
      .map(text)
      .filter((n): n is string => n !== null);
  }
  if (type === 'checklist.result') {
    const r = p?.result as { startedBy?: unknown; finishedBy?: unknown; steps?: unknown } | null | undefined;
    if (!r || typeof r !== 'object') return [];
    const steps = Array.isArray(r.steps) ? r.steps : [];
    return [r.startedBy, r.finishedBy, ...steps.map((s) => (s as { updatedBy?: unknown } | null)?.updatedBy)]
      .map(text)
      .filter((n): n is string => n !== null);
  }
  if (type === 'handover.submit') {
    const outgoing = text((p?.record as { outgoing?: unknown } | null | undefined)?.outgoing);
    return outgoing ? [outgoing] : [];
  }
  return [];
}

/**
 * Why a process action's document names someone the platform cannot stand behind, or null. `sender` is the
 * record name of the person the credential proved; `known` the display names of the gateway's people.
 * A handover's `outgoing` must be the sender: the person handing over is the one who submits it.
 */
export function unprovenName(type: string, payload: unknown, sender: string, known: ReadonlySet<string>): string | null {
  for (const name of documentNames(type, payload)) {
    // with the shared token the sender is the typed name, marked; an older console sends it unmarked
    if (name === sender || (sender.endsWith(SHARED_MARK) && `${name.trim()}${SHARED_MARK}` === sender)) continue;
    if (type === 'handover.submit')
      return `this handover says it is handed over by "${name.slice(0, 80)}", but it is sent by ${sender}: the person handing over submits it`;
    if (known.has(name) || name.endsWith(SHARED_MARK) || name === AUTO_CHECK_ACTOR) continue;
    return `this ${type} names "${name.slice(0, 80)}", who is not a person this platform knows (${sender} sent it): only names the platform can prove are recorded`;
  }
  return null;
}
