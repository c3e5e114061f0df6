/** What every source's apply() does around its handlers: one handler per action type, never a throw. */
import { actionPayloads, type ActionPayload, type ActionType } from '@shared/actions';
import { describeZodError } from '@shared/rpc';
import type { ActionOutcome, ApplyOptions, SourceAction } from '../source';

/** a refusal, its message cut to what a result frame carries */
export const fail = (code: string, message: string): ActionOutcome => ({
  ok: false,
  error: { code, message: message.slice(0, 2000) },
});

export type ActionHandler<T extends ActionType> = (
  p: ActionPayload<T>,
  a: SourceAction,
  resumed: boolean,
) => ActionOutcome | Promise<ActionOutcome>;
export type ActionHandlers = { [T in ActionType]?: ActionHandler<T> };

/**
 * Runs the handler for the action's type with its payload checked again (a source may be called without the
 * gateway in front of it): no handler → `unsupported`, a bad payload → `bad_payload`, a throw → `internal`.
 * `then` runs after a successful handler, inside the same guard.
 */
export async function applyWith(
  source: string,
  handlers: ActionHandlers,
  action: SourceAction,
  opts: ApplyOptions | undefined,
  then?: () => void,
): Promise<ActionOutcome> {
  const handler = handlers[action.type] as
    ((p: unknown, a: SourceAction, resumed: boolean) => ActionOutcome | Promise<ActionOutcome>) | undefined;
  if (!handler) return fail('unsupported', `${action.type} is not handled by the ${source} source`);
  const payload = actionPayloads[action.type].safeParse(action.payload);
  if (!payload.success)
    return fail('bad_payload', `${action.type}: ${describeZodError(payload.error, { root: 'payload' })}`);
  try {
    const out = await handler(payload.data, action, opts?.resumed ?? false);
    if (out.ok) then?.();
    return out;
  } catch (e) {
    // the contract is "never throws": anything unforeseen becomes a clear failure
    return fail('internal', `${action.type} failed: ${(e as Error)?.message ?? String(e)}`);
  }
}
