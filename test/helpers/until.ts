/**
 * Waiting on real servers and processes: there is nothing to fake there, so tests poll. This is the one way to.
 */

export type Truthy<T> = Exclude<T, false | null | undefined | 0 | ''>;

/**
 * Polls `fn` every `everyMs` until it returns a truthy value, and returns that value. A throw counts as
 * "not yet"; after `timeoutMs` it fails, naming `what` and the last value or error.
 */
export async function until<T>(
  fn: () => T | Promise<T>,
  what: string,
  timeoutMs = 15_000,
  everyMs = 25,
): Promise<Truthy<T>> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v as Truthy<T>;
      last = v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > end)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last: ${String(last)})`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
