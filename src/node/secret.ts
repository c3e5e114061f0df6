/** Comparing a presented secret with the expected one without leaking, through timing, how much matched. */
import { createHash, timingSafeEqual } from 'node:crypto';

const digest = (s: string) => createHash('sha256').update(s).digest();

/** Constant-time equality of two secrets of any length (both are hashed to 32 bytes first). */
export function secretMatches(given: string, expected: string): boolean {
  return timingSafeEqual(digest(given), digest(expected));
}
