/** Every "now" and every timer in the core comes from a Clock, so time-driven logic is tested without sleeping. */
export type TimerHandle = { readonly id: number };

export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle | null | undefined): void;
}

export const systemClock: Clock = (() => {
  const timers = new Map<number, NodeJS.Timeout>();
  let next = 1;
  return {
    now: () => Date.now(),
    setTimeout(fn, ms) {
      const id = next++;
      const t = setTimeout(() => {
        timers.delete(id);
        fn();
      }, Math.max(0, ms));
      t.unref?.();
      timers.set(id, t);
      return { id };
    },
    clearTimeout(handle) {
      if (!handle) return;
      const t = timers.get(handle.id);
      if (t) clearTimeout(t);
      timers.delete(handle.id);
    },
  };
})();

/** A manual clock for tests: time moves only when `advance` or `set` is called; due timers run in order. */
export class FakeClock implements Clock {
  private t: number;
  private seq = 1;
  private timers = new Map<number, { at: number; fn: () => void }>();
  constructor(start: number | Date = Date.UTC(2026, 0, 5, 9, 0, 0)) {
    this.t = typeof start === 'number' ? start : start.getTime();
  }
  now(): number {
    return this.t;
  }
  setTimeout(fn: () => void, ms: number): TimerHandle {
    const id = this.seq++;
    this.timers.set(id, { at: this.t + Math.max(0, ms), fn });
    return { id };
  }
  clearTimeout(handle: TimerHandle | null | undefined): void {
    if (handle) this.timers.delete(handle.id);
  }
  /** Moves time forward by `ms`, running every timer that falls due on the way, in time order. */
  advance(ms: number): void {
    const end = this.t + ms;
    for (;;) {
      let nextId = -1;
      let nextAt = Infinity;
      for (const [id, tm] of this.timers) {
        if (tm.at <= end && (tm.at < nextAt || (tm.at === nextAt && id < nextId))) {
          nextAt = tm.at;
          nextId = id;
        }
      }
      if (nextId < 0) break;
      const tm = this.timers.get(nextId)!;
      this.timers.delete(nextId);
      this.t = Math.max(this.t, tm.at);
      tm.fn();
    }
    this.t = end;
  }
  set(at: number | Date): void {
    const target = typeof at === 'number' ? at : at.getTime();
    this.advance(Math.max(0, target - this.t));
  }
  pendingTimers(): number {
    return this.timers.size;
  }
}
