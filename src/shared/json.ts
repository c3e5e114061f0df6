/** The one way to read JSON text that may be damaged: a result or a refusal, never a throw. */

export type JsonRead<T = unknown> = { ok: true; value: T } | { ok: false; value?: undefined; error: string };

/**
 * Parses `text` as JSON. Total: anything that is not a non-empty string, or not valid JSON, is refused
 * with a reason (the parser's message) instead of throwing. `parseJson<T>(col).value ?? fallback` reads
 * a stored column. The type argument is a promise the caller makes about trusted data (its own
 * database); anything from outside still goes through a schema.
 */
export function parseJson<T = unknown>(text: unknown): JsonRead<T> {
  if (typeof text !== 'string')
    return { ok: false, error: `expected JSON text, got ${text === null ? 'null' : typeof text}` };
  if (text === '') return { ok: false, error: 'empty text' };
  try {
    return { ok: true, value: JSON.parse(text) as T };
  } catch (e) {
    return { ok: false, error: e instanceof Error ? e.message : String(e) };
  }
}
