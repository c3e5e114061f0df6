/**
 * Builds the `window.vigil` object from the contract, given a transport. Used by the Electron preload
 * (ipcRenderer.invoke) and by the browser bridge (JSON-RPC over WebSocket), so both expose exactly the
 * same named methods — never a generic invoke(channel).
 */
import { eventNames, isEventName, methodNames, type EventName, type EventPayload, type MethodName, type VigilApi } from './api';
import { ApiError, type Envelope } from './rpc';

export interface Transport {
  call(name: MethodName, args: unknown[]): Promise<Envelope>;
  subscribe(name: EventName, listener: (payload: unknown) => void): () => void;
}

export function buildApi(transport: Transport): VigilApi {
  const api: Record<string, unknown> = {};
  for (const name of methodNames) {
    api[name] = async (...args: unknown[]) => {
      // An omitted optional argument must stay omitted: JSON would turn a trailing undefined into null.
      while (args.length > 0 && args[args.length - 1] === undefined) args.pop();
      const env = await transport.call(name, args);
      if (!env || typeof env !== 'object' || !('ok' in env)) throw new ApiError('transport', `${name}: malformed reply`);
      if (env.ok) return env.value;
      throw new ApiError(env.error.code, env.error.message);
    };
  }
  api.on = <E extends EventName>(name: E, listener: (payload: EventPayload<E>) => void) => {
    if (!isEventName(name)) throw new ApiError('unknown_event', `No such event: ${String(name)}`);
    return transport.subscribe(name, listener as (p: unknown) => void);
  };
  return Object.freeze(api) as VigilApi;
}

export { eventNames };
