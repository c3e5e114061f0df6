/**
 * The whole renderer API, declared once. The preload and the browser bridge build the `window.vigil`
 * object from these tables; the main side registers one handler per entry and validates every argument
 * against the same schema before the core sees it. Channel names are derived here and nowhere else.
 *
 * Each feature adds its slice in `contract/<feature>.ts` and is merged below.
 */
import type { z } from 'zod';
import { ApiError, describeZodError, type ArgsOf, type EventSpec, type ParsedArgsOf, type ResultOf } from './rpc';
import { appEvents, appMethods } from './contract/app';
import { linkEvents, linkMethods } from './contract/link';
import { alertEvents, alertMethods } from './contract/alerts';
import { knowledgeEvents, knowledgeMethods } from './contract/knowledge';
import { processEvents, processMethods } from './contract/process';
import { rosterEvents, rosterMethods } from './contract/roster';

export const methods = {
  ...appMethods,
  ...linkMethods,
  ...alertMethods,
  ...knowledgeMethods,
  ...processMethods,
  ...rosterMethods,
} as const;

export const events = {
  ...appEvents,
  ...linkEvents,
  ...alertEvents,
  ...knowledgeEvents,
  ...processEvents,
  ...rosterEvents,
} as const;

export type Methods = typeof methods;
export type MethodName = keyof Methods;
export type Events = typeof events;
export type EventName = keyof Events;
export type EventPayload<E extends EventName> = Events[E] extends EventSpec<infer S> ? z.output<S> : never;

export const methodNames = Object.keys(methods) as MethodName[];
export const eventNames = Object.keys(events) as EventName[];

export const CHANNEL_PREFIX = 'vigil:call:';
export const EVENT_CHANNEL_PREFIX = 'vigil:event:';
export const channelOf = (name: MethodName): string => `${CHANNEL_PREFIX}${name}`;
export const eventChannelOf = (name: EventName): string => `${EVENT_CHANNEL_PREFIX}${name}`;

export function isMethodName(name: unknown): name is MethodName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(methods, name);
}
export function isEventName(name: unknown): name is EventName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(events, name);
}

/** What the renderer sees as `window.vigil`, whichever transport carries it. */
export type VigilApi = {
  [K in MethodName]: (...args: ArgsOf<Methods[K]>) => Promise<ResultOf<Methods[K]>>;
} & {
  on<E extends EventName>(name: E, listener: (payload: EventPayload<E>) => void): () => void;
};

/** What the core implements: one handler per method, receiving already-validated arguments. */
export type Handlers = {
  [K in MethodName]: (...args: ParsedArgsOf<Methods[K]>) => ResultOf<Methods[K]> | Promise<ResultOf<Methods[K]>>;
};

/** Validates raw arguments for `name`; throws ApiError('bad_arguments') with a readable message. */
export function parseArgs<K extends MethodName>(name: K, raw: unknown): ParsedArgsOf<Methods[K]> {
  if (!Array.isArray(raw)) throw new ApiError('bad_arguments', `${name}: arguments must be a list`);
  const res = methods[name].args.safeParse(raw);
  if (!res.success)
    throw new ApiError(
      'bad_arguments',
      `${name}: ${describeZodError(res.error, { prefix: 'argument', root: 'arguments' })}`,
    );
  return res.data as ParsedArgsOf<Methods[K]>;
}
