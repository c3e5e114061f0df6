/**
 * Sending actions: every unanswered outbox entry goes once per connection, in submit order, and only
 * after the server welcomed the connection (an unanswered action is resent on each new socket; the
 * gateway dedups on its id).
 */
import { sendFrame, type Conn } from './conn';
import type { Outbox } from './outbox';

/** returns the function that sends what `c` has not carried yet; `changed` runs when any went */
export function createActionSender(outbox: Outbox, changed: () => void) {
  return function sendUnanswered(c: Conn | null): void {
    if (!c || !c.welcomed) return;
    let sent = false;
    for (const e of outbox.unanswered()) {
      if (c.sent.has(e.id)) continue;
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
      });
    }
    if (sent) changed();
  };
}
