/**
 * A clock-driven loop of passes, used by the console's escalation engine and the gateway's paging runner.
 * Feature-free: it knows only the injected Clock.
 */
import type { Clock, TimerHandle } from './clock';

/**
 * Runs `pass` now and again when it asks (the instant it returns), at least every `tickMs`; `poke()`
 * brings the next pass forward to now. A failing pass is reported and the loop goes on.
 */
export function createPassLoop(clock: Clock, tickMs: number, pass: () => number, onError: (err: unknown) => void) {
  let timer: TimerHandle | null = null;
  let running = false;
  function schedule(at: number) {
    clock.clearTimeout(timer);
    timer = clock.setTimeout(run, Math.max(0, at - clock.now()));
  }
  function run() {
    timer = null;
    let wake = Infinity;
    try {
      wake = pass();
    } catch (err) {
      onError(err);
    }
    if (running) schedule(Math.min(wake, clock.now() + tickMs));
  }
  return {
    poke() {
      if (running) schedule(clock.now());
    },
    start() {
      running = true;
      schedule(clock.now());
    },
    stop() {
      running = false;
      clock.clearTimeout(timer);
      timer = null;
    },
  };
}
