/**
 * The core's event bus: the one way anything in the core says "this happened". A module emits through
 * `ctx.emit` and listens through `ctx.on` (in its own file, so a reader sees who reacts to what); the
 * transport (IPC or the browser host) listens to every event through `Core.on` and forwards it to the
 * renderer. Delivery is synchronous, in subscription order; a listener that throws is logged and never
 * stops the others or the emitter.
 */
import type { EventName, EventPayload } from '@shared/api';
import type { Logger } from '@node/log';

/** every event the core emits: the renderer events declared in the contract (src/shared/contract/*.ts) */
export type CoreEvents = { [E in EventName]: EventPayload<E> };

export type Listener<P> = (payload: P) => void;
export type AnyListener<M> = <E extends keyof M>(name: E, payload: M[E]) => void;

export interface EventBus<M> {
  emit<E extends keyof M>(name: E, payload: M[E]): void;
  /** listens to one event; returns the unsubscribe function */
  on<E extends keyof M>(name: E, listener: Listener<M[E]>): () => void;
  /** listens to every event (the transport's forwarder); returns the unsubscribe function */
  onAny(listener: AnyListener<M>): () => void;
  /** drops every listener (the core is closing) */
  clear(): void;
}

export type CoreBus = EventBus<CoreEvents>;

export function createBus<M>(log: Logger): EventBus<M> {
  const byName = new Map<keyof M, Set<Listener<never>>>();
  const any = new Set<AnyListener<M>>();

  function guarded(name: keyof M, call: () => void): void {
    try {
      call();
    } catch (err) {
      log.log('error', 'event.listener_failed', { event: String(name), err: String(err) });
    }
  }

  return {
    emit(name, payload) {
      // copies: a listener may unsubscribe (itself or another) while the event is delivered
      for (const l of [...(byName.get(name) ?? [])]) guarded(name, () => (l as Listener<typeof payload>)(payload));
      for (const l of [...any]) guarded(name, () => l(name, payload));
    },
    on(name, listener) {
      let set = byName.get(name);
      if (!set) byName.set(name, (set = new Set()));
      const entry = listener as Listener<never>;
      set.add(entry);
      return () => void set.delete(entry);
    },
    onAny(listener) {
      any.add(listener);
      return () => void any.delete(listener);
    },
    clear() {
      byName.clear();
      any.clear();
    },
  };
}
