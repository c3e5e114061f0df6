import { describe, expect, it } from 'vitest';
import { createBackoff } from '@core/link/backoff';

describe('backoff', () => {
  it('grows exponentially up to the cap, with full jitter below the ceiling', () => {
    const top = createBackoff({ baseMs: 500, capMs: 30_000, random: () => 0.999999 });
    const ceilings = Array.from({ length: 10 }, () => top.next());
    expect(ceilings).toEqual([499, 999, 1999, 3999, 7999, 15999, 29999, 29999, 29999, 29999]);
    const low = createBackoff({ baseMs: 500, capMs: 30_000, random: () => 0 });
    expect(low.next()).toBe(0);
  });

  it('spreads delays over the whole range (jitter), stays finite after many failures, resets', () => {
    let x = 0;
    const b = createBackoff({
      baseMs: 1000,
      capMs: 8000,
      random: () => ((x = (x * 9301 + 49297) % 233280), x / 233280),
    });
    for (let i = 0; i < 3; i++) b.next();
    const delays = Array.from({ length: 2000 }, () => b.next());
    expect(Math.max(...delays)).toBeLessThan(8000);
    expect(Math.min(...delays)).toBeLessThan(800);
    expect(new Set(delays).size).toBeGreaterThan(500);
    for (let i = 0; i < 5000; i++) expect(Number.isFinite(b.next())).toBe(true);
    b.reset();
    expect(b.attempts).toBe(0);
    expect(b.next()).toBeLessThan(1000);
  });
});
