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
 * What the warm-up waits for: the console's first load of the alert cache. It opens on `release()` (the
 * last page of the load was answered, someone waits for the warm-up, the core closes), when `waitMs` pass
 * by the clock without a page being asked for (no page at all, or a load that stopped half way), or at
 * `maxMs` whatever happens. `loading()` says another page was answered and more follow: the wait starts
 * again. The release takes effect a turn later, after the answer under way has been sent.
 *
 * Why the whole load and not the first page: the warm-up's slices run on the thread that reads the pages,
 * and seeding the notification policy alone is ~1 s of it with 100k alerts; started after the first
 * screen's page it delayed the next page by that much (docs/performance.md, round four).
 */
export function warmupGate(clock: Clock, waitMs: number, maxMs: number): { after: Promise<void>; release(): void; loading(): void } {
  let release = () => {};
  let loading = () => {};
  const after = new Promise<void>((resolve) => {
    let timer = clock.setTimeout(() => release(), waitMs);
    const cap = clock.setTimeout(() => release(), maxMs);
    release = () => {
      clock.clearTimeout(timer);
      clock.clearTimeout(cap);
      release = () => {};
      loading = () => {};
      setImmediate(resolve);
    };
    loading = () => {
      clock.clearTimeout(timer);
      timer = clock.setTimeout(() => release(), waitMs);
    };
  });
  return { after, release: () => release(), loading: () => loading() };
}

/** Runs `jobs` to completion without yielding (tests that drive a module by hand); resolves when all are done. */
export async function runWarmupNow(jobs: readonly WarmupJob[]): Promise<void> {
  for (const job of jobs) {
    const r = job.run();
    if (isIterator(r)) while (!r.next().done);
    else await r;
  }
}
