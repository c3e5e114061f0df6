/**
 * Sending actions: every unanswered outbox entry goes once per connection, in submit order, and only
 * after the server welcomed the connection (an unanswered action is resent on each new socket; the
 * gateway dedups on its id). An entry goes only on a connection signed in as the person who queued it
 * (`mayCarry`), with their login as a claim the gateway checks: signed in as someone else, it waits.
 */
import type { Identity } from '@shared/identity';
import { sendFrame, type Conn } from './conn';
import type { Outbox } from './outbox';
import type { OutboxItem } from '@shared/contract/link';

/** whether a connection signed in as `who` may carry an action queued by `e`'s person */
export function mayCarry(e: Pick<OutboxItem, 'login' | 'via'>, who: Identity | null): boolean {
  if (e.via === null || e.via === 'local') return true; // queued before identity, or with no platform: nobody to wait for
  if (!who) return false;
  if (e.via === 'shared') return who.via === 'shared';
  return who.via !== 'shared' && e.login === who.login;
}

/** returns the function that sends what `c` has not carried yet; `changed` runs when any went */
export function createActionSender(outbox: Outbox, changed: () => void) {
  return function sendUnanswered(c: Conn | null): void {
    if (!c || !c.welcomed) return;
    let sent = false;
    for (const e of outbox.unanswered()) {
      if (c.sent.has(e.id) || !mayCarry(e, c.identity)) continue;
      if (c.ws.readyState !== c.ws.OPEN) break;
      outbox.markSent(e.id);
      sent = true;
      c.sent.add(e.id);
      sendFrame(c, {
        type: 'action',
        id: e.id,
        action: e.type,
        payload: e.payload,
        at: e.createdAt,
        actor: e.actor || undefined,
        ...(e.via === 'shared' ? { login: null } : e.via === 'token' || e.via === 'proxy' ? { login: e.login } : {}),
      });
    }
    if (sent) changed();
  };
}
