/**
 * The renderer's one door to the core. In Electron the preload put `window.vigil` there; in a browser we
 * build the same object over the host's JSON-RPC WebSocket. Views never know which one they have.
 */
import { CLOSE_BAD_SECRET, HostFrameSchema, RPC_PATH } from '@shared/jsonrpc';
import type { EventName, MethodName, VigilApi } from '@shared/api';
import { buildApi } from '@shared/bridge';
import { pageFromWire } from '@shared/contract/alert-rows';
import type { Envelope } from '@shared/rpc';

declare global {
  interface Window {
    vigil?: VigilApi;
  }
}

export type BridgeFailure = 'bad_secret' | 'unreachable';

export class BridgeError extends Error {
  constructor(readonly reason: BridgeFailure) {
    super(reason);
  }
}

let api: VigilApi | null = null;
export function vigil(): VigilApi {
  if (!api) throw new Error('Vigil API used before connect()');
  return api;
}

/** Resolves with the API once the transport is ready; rejects with a BridgeError the UI can explain. */
export async function connect(onLost: () => void): Promise<VigilApi> {
  if (window.vigil) {
    api = window.vigil;
    return api;
  }
  const secret = new URLSearchParams(location.hash.replace(/^#/, '')).get('secret') ?? '';
  const ws = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${RPC_PATH}`);
  const pending = new Map<number, (e: Envelope) => void>();
  const listeners = new Map<string, Set<(p: unknown) => void>>();
  let nextId = 1;

  await new Promise<void>((resolve, reject) => {
    let ready = false;
    ws.onopen = () => ws.send(JSON.stringify({ type: 'auth', secret }));
    ws.onclose = (ev) => {
      for (const cb of pending.values()) cb({ ok: false, error: { code: 'transport', message: 'connection to Vigil lost' } });
      pending.clear();
      if (!ready) reject(new BridgeError(ev.code === CLOSE_BAD_SECRET ? 'bad_secret' : 'unreachable'));
      else onLost();
    };
    ws.onmessage = (ev) => {
      let parsed;
      try {
        parsed = HostFrameSchema.safeParse(JSON.parse(String(ev.data)));
      } catch {
        return;
      }
      if (!parsed.success) return;
      const f = parsed.data;
      if ('type' in f) {
        ready = true;
        resolve();
      } else if ('id' in f) {
        pending.get(f.id)?.(f.result as Envelope);
        pending.delete(f.id);
      } else {
        listeners.get(f.params.name)?.forEach((cb) => cb(f.params.payload));
      }
    };
  });

  api = buildApi({
    call: (name: MethodName, args: unknown[]) =>
      new Promise<Envelope>((resolve) => {
        if (ws.readyState !== WebSocket.OPEN) {
          resolve({ ok: false, error: { code: 'transport', message: 'connection to Vigil lost' } });
          return;
        }
        const id = nextId++;
        pending.set(id, name === 'alertsPage' ? (env) => resolve(alertPageOf(env)) : resolve);
        ws.send(JSON.stringify({ jsonrpc: '2.0', id, method: name, params: args }));
      }),
    subscribe: (name: EventName, cb) => {
      let set = listeners.get(name);
      if (!set) listeners.set(name, (set = new Set()));
      set.add(cb);
      return () => {
        set.delete(cb);
      };
    },
  });
  return api;
}

/**
 * alertsPage's answer: the host sends the page's wire form (alert rows, @shared/contract/alert-rows), or
 * the page itself when the core answered it on its object path (a stored row SQLite would not write).
 */
function alertPageOf(env: Envelope): Envelope {
  if (!env.ok) return env;
  const v = env.value as { alerts?: unknown } | null;
  if (typeof v === 'object' && v !== null && Array.isArray(v.alerts)) return env;
  const page = pageFromWire(env.value);
  return page ? { ok: true, value: page } : { ok: false, error: { code: 'transport', message: 'alertsPage: malformed page from the host' } };
}
