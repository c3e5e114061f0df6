/** Small helpers shared by the process services: ids from the injected clock, sending actions. */
import { v7 as uuidv7 } from 'uuid';
import type { ActionPayload, ActionType } from '@shared/actions';
import { ApiError } from '@shared/rpc';
import type { ActionSink, CoreContext } from '../context';

/** A time-ordered id (UUID v7) whose time part comes from the core's clock, not the wall clock. */
export const newId = (ctx: Pick<CoreContext, 'clock'>): string => uuidv7({ msecs: ctx.clock.now() });

/**
 * Sends an action through the outbox. Call it inside the transaction that stores the local change, so
 * both are written or neither. A build without a platform link (the link refuses with not_available /
 * not_ready) keeps the local record and says so; any other refusal (a bad payload) aborts the change.
 */
export function sendAction<T extends ActionType>(
  ctx: Pick<CoreContext, 'log'>,
  actions: ActionSink,
  type: T,
  payload: ActionPayload<T>,
  actor: string,
): boolean {
  try {
    actions.submit(type, payload, actor);
    return true;
  } catch (err) {
    if (err instanceof ApiError && (err.code === 'not_available' || err.code === 'not_ready')) {
      ctx.log.log('warn', 'process.action_not_queued', { type, reason: err.message });
      return false;
    }
    throw err;
  }
}
