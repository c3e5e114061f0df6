/**
 * Building blocks for the one contract. A method is declared once with a zod tuple for its arguments
 * and a phantom result type; an event with a zod schema for its payload. Everything else (channel names,
 * the preload bridge, the browser bridge, the main-side dispatcher) is derived from these declarations.
 */
import { z } from 'zod';

export interface MethodSpec<A extends z.ZodTuple = z.ZodTuple, R = unknown> {
  readonly args: A;
  /** phantom: never set at runtime, only carries the result type */
  readonly __result?: R;
}

export interface EventSpec<S extends z.ZodType = z.ZodType> {
  readonly payload: S;
}

/** `method<Result>()(z.tuple([...]))` — declare a method with its argument schema and result type. */
export function method<R>() {
  return <A extends z.ZodTuple>(args: A): MethodSpec<A, R> => ({ args });
}

export function event<S extends z.ZodType>(payload: S): EventSpec<S> {
  return { payload };
}

export type MethodTable = Record<string, MethodSpec<z.ZodTuple, unknown>>;
export type EventTable = Record<string, EventSpec>;

export type ArgsOf<M> = M extends MethodSpec<infer A, unknown> ? z.input<A> : never;
export type ParsedArgsOf<M> = M extends MethodSpec<infer A, unknown> ? z.output<A> : never;
export type ResultOf<M> = M extends MethodSpec<z.ZodTuple, infer R> ? R : never;

/** The error every transport hands back in place of a result. */
export interface ApiErrorShape {
  code: string;
  message: string;
}

export type Envelope<T = unknown> = { ok: true; value: T } | { ok: false; error: ApiErrorShape };

export class ApiError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
  }
  toJSON(): ApiErrorShape {
    return { code: this.code, message: this.message };
  }
}

/** How describeZodError names what an issue is about; the defaults name RPC arguments. */
export interface ZodErrorWording {
  /** the word before a path: "argument" gives "argument a.b: …"; '' gives "a.b: …" */
  prefix?: string;
  /** what an issue without a path is about (default "arguments") */
  root?: string;
  /** describe only the first n issues */
  first?: number;
}

/** Formats a zod error into one readable sentence naming the paths (never the values). */
export function describeZodError(err: z.ZodError, w: ZodErrorWording = {}): string {
  const { prefix = 'argument', root = 'arguments', first = err.issues.length } = w;
  return err.issues
    .slice(0, first)
    .map((i) => {
      const path = i.path.length ? `${prefix ? `${prefix} ` : ''}${i.path.map(String).join('.')}` : root;
      return `${path}: ${i.message}`;
    })
    .join('; ');
}

/** The handler type for one slice of the contract (a feature module implements its own slice). */
export type SliceHandlers<T extends MethodTable> = {
  [K in keyof T]: (...args: ParsedArgsOf<T[K]>) => ResultOf<T[K]> | Promise<ResultOf<T[K]>>;
};
