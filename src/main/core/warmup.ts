/**
 * Start-up work that must not delay the first screen: the integrity check of the store, seeding the
 * notification policy from the firing alerts, the bundled checklist templates, the first history prune.
 * The core answers the renderer as soon as the store is open and the modules are built; this work runs
 * afterwards, each job either
 *  - in slices (a generator: every `yield` hands the thread back, and the next slice runs in a later turn
 *    of the event loop, after whatever I/O — a renderer's call — arrived meanwhile), sized by the job so a
 *    slice stays well under 50 ms, or
 *  - off the thread (a promise, e.g. a check in a worker thread).
 * What is still running is public (StartupState.warmingUp), so the UI can say what is still warming up.
 *
 * Slices are scheduled with setImmediate, not the injected clock: this is about yielding the thread, not
 * about time, and a test on a FakeClock still sees the work done (`done()` resolves when it is).
 */
import type { WarmupTask } from '@shared/domain';
import type { Clock } from '@node/clock';
import type { Logger } from '@node/log';

export interface WarmupJob {
  task: WarmupTask;
  /** a generator yields between slices; a promise runs elsewhere and resolves when done */
  run(): Iterator<unknown> | Promise<unknown>;
}

export interface Warmup {
  /** the tasks not finished yet, in start order */
  pending(): WarmupTask[];
  /** resolves once every job has finished (or the warm-up was stopped) */
  done(): Promise<void>;
  /** stops running slices (the store is closing); jobs off the thread are left to finish and ignored */
  stop(): void;
}

const isIterator = (x: unknown): x is Iterator<unknown> => !!x && typeof (x as Iterator<unknown>).next === 'function';

/**
 * Starts `jobs` (all at once: sliced jobs take turns) once `after` resolves (at once without it) and calls
 * `changed` whenever the pending list shrinks. The jobs are pending from the start.
 */
export function startWarmup(jobs: readonly WarmupJob[], o: { log: Logger; clock: Clock; changed(pending: WarmupTask[]): void; after?: Promise<unknown> }): Warmup {
  const pending: WarmupTask[] = jobs.map((j) => j.task);
  let stopped = false;
  let resolveDone!: () => void;
  const doneP = new Promise<void>((r) => (resolveDone = r));
  let running = jobs.length;

  const startedAt = o.clock.now();
  /**
   * per sliced task: how many slices, the longest by the injected clock (wall time: on a loaded machine
   * it includes time the thread was not running), and the longest in CPU time of the process (an upper
   * bound of this thread's: it includes other threads', e.g. the integrity check's worker)
   */
  const slices = new Map<WarmupTask, { n: number; longest: number; longestCpu: number }>();
  const finished = (task: WarmupTask, err?: unknown) => {
    if (err !== undefined) o.log.log('error', 'startup.task_failed', { task, err: err instanceof Error ? err.message : String(err) });
    else o.log.log('info', 'startup.task_done', { task, afterMs: o.clock.now() - startedAt, slices: slices.get(task)?.n ?? null, longestSliceMs: slices.get(task)?.longest ?? null, longestSliceCpuMs: slices.get(task)?.longestCpu ?? null });
    const i = pending.indexOf(task);
    if (i >= 0) pending.splice(i, 1);
    if (!stopped) o.changed([...pending]);
    if (--running === 0) resolveDone();
  };

  /** sliced jobs take turns: one slice of each per turn of the event loop */
  const sliced: { task: WarmupTask; it: Iterator<unknown> }[] = [];
  const turn = () => {
    if (stopped) return;
    for (const job of [...sliced]) {
      let step: IteratorResult<unknown>;
      const t0 = o.clock.now();
      const cpu0 = process.cpuUsage();
      try {
        step = job.it.next();
        const cpu = process.cpuUsage(cpu0);
        const st = slices.get(job.task) ?? { n: 0, longest: 0, longestCpu: 0 };
        st.n++;
        st.longest = Math.max(st.longest, o.clock.now() - t0);
        st.longestCpu = Math.max(st.longestCpu, Math.round((cpu.user + cpu.system) / 1000));
        slices.set(job.task, st);
      } catch (err) {
        sliced.splice(sliced.indexOf(job), 1);
        finished(job.task, err);
        continue;
      }
      if (step.done) {
        sliced.splice(sliced.indexOf(job), 1);
        finished(job.task);
      }
    }
    if (sliced.length) setImmediate(turn);
  };

  const start = () => {
    if (stopped) return;
    for (const job of jobs) {
      let r: Iterator<unknown> | Promise<unknown>;
      try {
        r = job.run();
      } catch (err) {
        finished(job.task, err);
        continue;
      }
      if (isIterator(r)) sliced.push({ task: job.task, it: r });
      else
        r.then(
          () => finished(job.task),
          (err) => finished(job.task, err),
        );
    }
    if (sliced.length) setImmediate(turn);
  };
  if (running === 0) resolveDone();
  else if (o.after) void o.after.then(start, start);
  else start();

  return {
    pending: () => [...pending],
    done: () => doneP,
    stop() {
      if (stopped) return;
      stopped = true;
      for (const job of sliced) job.it.return?.(undefined);
      sliced.length = 0;
      resolveDone();
    },
  };
}

/**
 * What the warm-up waits for: `release()` (the first screen's page was answered, someone waits for the
 * warm-up, the core closes) or `waitMs` by the clock, whichever comes first. The release takes effect a
 * turn later, after the answer under way has been sent.
 */
export function warmupGate(clock: Clock, waitMs: number): { after: Promise<void>; release(): void } {
  let release = () => {};
  const after = new Promise<void>((resolve) => {
    const timer = clock.setTimeout(() => release(), waitMs);
    release = () => {
      clock.clearTimeout(timer);
      release = () => {};
      setImmediate(resolve);
    };
  });
  return { after, release: () => release() };
}

/** Runs `jobs` to completion without yielding (tests that drive a module by hand); resolves when all are done. */
export async function runWarmupNow(jobs: readonly WarmupJob[]): Promise<void> {
  for (const job of jobs) {
    const r = job.run();
    if (isIterator(r)) while (!r.next().done);
    else await r;
  }
}
