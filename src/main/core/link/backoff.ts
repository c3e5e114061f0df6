/**
 * Reconnect delays: exponential with full jitter, capped (the AWS "full jitter" scheme). A fleet of
 * consoles that lost the gateway together does not come back in lockstep.
 */
export interface BackoffOptions {
  baseMs: number;
  capMs: number;
  /** a number in [0, 1); injectable so tests are deterministic */
  random?: () => number;
  /**
   * 'full' (default): anywhere in [0, ceiling); 'equal': in [ceiling/2, ceiling), for retries that must
   * not come back at once (a full disk is not fixed in a few milliseconds)
   */
  jitter?: 'full' | 'equal';
}

export function createBackoff(opts: BackoffOptions) {
  const random = opts.random ?? Math.random;
  let attempt = 0;
  return {
    /** the delay before the next attempt; each call counts one more failure */
    next(): number {
      // 2^attempt overflows into Infinity long after the cap is reached; min() keeps it finite.
      const ceiling = Math.min(opts.capMs, opts.baseMs * 2 ** Math.min(attempt, 30));
      attempt++;
      if (opts.jitter === 'equal') return Math.floor(ceiling / 2 + (random() * ceiling) / 2);
      return Math.floor(random() * ceiling);
    },
    reset(): void {
      attempt = 0;
    },
    get attempts(): number {
      return attempt;
    },
  };
}
export type Backoff = ReturnType<typeof createBackoff>;
