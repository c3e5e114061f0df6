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

/** How describeZodError words its sentence. */
export interface ZodErrorWording {
  /** the word before every path: "argument" gives "argument a.b: …"; default none */
  prefix?: string;
  /** what an issue about the value as a whole (an empty path) is called; default "(top level)" */
  root?: string;
  /** describe only the first n issues; default all */
  first?: number;
  /** the longest sentence in characters; a longer one is cut and ends with "…" */
  max?: number;
}

/**
 * The one way to say why a value was refused: a zod error (or any list of path + message) as one readable
 * sentence, `a.b: message; c: message`, naming the paths and never the values (they may hold secrets).
 * Total: any list (empty, symbol keys, a missing message) gives a sentence, and it never throws.
 */
export function describeZodError(
  err:
    | { readonly issues: readonly { readonly path: readonly PropertyKey[]; readonly message: string }[] }
    | null
    | undefined,
  w: ZodErrorWording = {},
): string {
  const root = w.root ?? '(top level)';
  const prefix = w.prefix ? `${w.prefix} ` : '';
  const all = Array.isArray(err?.issues) ? err.issues : [];
  const issues = all.slice(0, w.first === undefined ? all.length : Math.max(1, Math.floor(w.first)));
  const text = issues.length
    ? issues
        .map((i) => {
          const path = Array.isArray(i?.path) ? i.path.map(String).join('.') : '';
          const message = typeof i?.message === 'string' && i.message ? i.message : 'invalid';
          return `${path ? `${prefix}${path}` : root}: ${message}`;
        })
        .join('; ')
    : `${root}: invalid`;
  const max = w.max === undefined ? Infinity : Math.max(1, Math.floor(w.max));
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** The handler type for one slice of the contract (a feature module implements its own slice). */
export type SliceHandlers<T extends MethodTable> = {
  [K in keyof T]: (...args: ParsedArgsOf<T[K]>) => ResultOf<T[K]> | Promise<ResultOf<T[K]>>;
};
