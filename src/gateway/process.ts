/**
 * The process actions the gateway keeps itself (no upstream holds them): incidents with their timeline
 * and status updates, checklist results, handovers. Each action changes the gateway's process records and
 * yields the events (`incident.update`, `checklist.result`, `handover.update`) that carry the new state to
 * every client. The store applies one inside the transaction that records the action id
 * (GatewayStore.applyProcessAction), so an id is applied once; the SQLite records are in sqlite/process.ts.
 */
import type { ActionType } from '@shared/actions';
import type { WireError } from '@shared/protocol';

export const PROCESS_ACTIONS = [
  'incident.declare',
  'incident.update',
  'incident.timeline',
  'incident.status_update',
  'incident.close',
  'incident.reopen',
  'checklist.result',
  'handover.submit',
  'handover.sign',
] as const satisfies readonly ActionType[];
export type ProcessAction = (typeof PROCESS_ACTIONS)[number];
export const isProcessAction = (t: ActionType): t is ProcessAction =>
  (PROCESS_ACTIONS as readonly string[]).includes(t);

export type ProcessEvent = { kind: 'incident.update' | 'checklist.result' | 'handover.update'; data: unknown };
export type ProcessOutcome = { ok: true; events: ProcessEvent[] } | { ok: false; error: WireError };

/** A process action refused by its rules (not found, closed, already signed…): changes nothing. */
export class Refusal extends Error {
  constructor(readonly wire: WireError) {
    super(wire.message);
  }
}
export const refuse = (code: string, message: string): never => {
  throw new Refusal({ code, message });
};
