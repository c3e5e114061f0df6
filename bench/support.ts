/**
 * What the benchmarks share: the build they measure (never a missing or stale one), percentiles and medians,
 * the machine's load, CPU time of a process, and evicting files from the page cache for cold-cache runs.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildState } from '../scripts/ensure-built.mjs';

const ROOT = path.resolve(__dirname, '..');

/**
 * The build a benchmark runs: $VIGIL_OUT_DIR as given (e.g. an older build kept for a before/after run;
 * it must exist), else out/, which must be at least as new as every source and build file. Throws
 * otherwise: a benchmark that measures no build, or a stale one, must fail, not pass without figures.
 * `npm run bench` builds first when the build is stale (scripts/ensure-built.mjs).
 */
export function builtOutDir(): string {
  const given = process.env.VIGIL_OUT_DIR;
  const outDir = path.resolve(given ?? path.join(ROOT, 'out'));
  if (given) {
    if (!fs.existsSync(path.join(outDir, 'main/host.js'))) throw new Error(`VIGIL_OUT_DIR=${given} holds no build (main/host.js is missing)`);
    return outDir;
  }
  const state = buildState(ROOT, outDir);
  if (!state.fresh) throw new Error(`out/ is not a fresh build (${state.why}): run \`npm run bench\` (it builds) or \`npx electron-vite build\``);
  return outDir;
}

/* percentiles: percentile() in ./helpers */

export function median(xs: readonly number[]): number {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export const round1 = (x: number) => Math.round(x * 10) / 10;

/** the 1-minute load average and the core count, printed beside every wall-clock figure */
export const machineLoad = () => ({ load1: round1(os.loadavg()[0]), cpus: os.cpus().length });

/** user + system CPU time a process has used so far, in ms (Linux /proc) */
export function processCpuMs(pid: number): number | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // fields after the command (which may hold spaces) start after the last ')'
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(f[11]) + Number(f[12]); // utime, stime (fields 14 and 15)
    return Math.round((ticks * 1000) / 100); // USER_HZ is 100 on Linux
  } catch {
    return null;
  }
}

/** resident set size of a process in MiB (Linux /proc) */
export function rssMiB(pid: number): number | null {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? round1(Number(m[1]) / 1024) : null;
}

/** every regular file under `p` (or `p` itself) */
function filesUnder(p: string): string[] {
  if (!fs.existsSync(p)) return [];
  const st = fs.statSync(p);
  if (st.isFile()) return [p];
  if (!st.isDirectory()) return [];
  return fs.readdirSync(p).flatMap((e) => filesUnder(path.join(p, e)));
}

/**
 * Drops the pages of `paths` (files or folders) from the page cache (`dd iflag=nocache count=0`, after a
 * sync so dirty pages can go), for runs that start from a cold cache without dropping every cache on a
 * shared machine. Returns how many MiB of those files were still cached afterwards (fincore), to report.
 */
export function evictFromPageCache(paths: readonly string[]): { files: number; mib: number; stillCachedMiB: number | null } {
  const files = paths.flatMap(filesUnder);
  let bytes = 0;
  for (const f of files) {
    bytes += fs.statSync(f).size;
    execFileSync('sync', [f]);
    execFileSync('dd', [`if=${f}`, 'iflag=nocache', 'count=0', 'status=none']);
  }
  let still: number | null = null;
  try {
    // fincore prints the resident bytes of each file; summed over files, chunked to keep argv short
    still = 0;
    for (let i = 0; i < files.length; i += 200) {
      const out = execFileSync('fincore', ['--bytes', '--noheadings', '--output', 'RES', ...files.slice(i, i + 200)], { encoding: 'utf8' });
      still += out.split('\n').reduce((s, l) => s + (Number(l.trim()) || 0), 0);
    }
    still = round1(still / 2 ** 20);
  } catch {
    still = null;
  }
  return { files: files.length, mib: round1(bytes / 2 ** 20), stillCachedMiB: still };
}

/** the packages the built host requires at run time (package.json "dependencies"), as folders */
export function runtimeDependencyDirs(): string[] {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
  return Object.keys(pkg.dependencies).map((d) => path.join(ROOT, 'node_modules', d));
}

/** prints one benchmark's figures as the JSON line scripts/bench.mjs collects */
export function report(figures: Record<string, unknown>): void {
  console.log(JSON.stringify({ ...figures, machine: machineLoad() }));
}

/**
 * With $BENCH_CPU_PROF set to a folder, profiles this process (node:inspector) from now until the returned
 * function is called and writes `<folder>/<name>.cpuprofile` (open it in Chrome DevTools); without it, a
 * no-op. Benchmarks use it around the window they time, so the profile shows exactly that work.
 */
export function cpuProfile(name: string): () => Promise<string | null> {
  const dir = process.env.BENCH_CPU_PROF;
  if (!dir) return async () => null;
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- only when asked for
  const inspector = require('node:inspector') as typeof import('node:inspector');
  const session = new inspector.Session();
  session.connect();
  const post = (method: string, params?: object) =>
    new Promise<unknown>((resolve, reject) => session.post(method, params ?? {}, (err, res) => (err ? reject(err) : resolve(res))));
  const started = post('Profiler.enable').then(() => post('Profiler.setSamplingInterval', { interval: 250 })).then(() => post('Profiler.start'));
  return async () => {
    await started;
    const { profile } = (await post('Profiler.stop')) as { profile: unknown };
    session.disconnect();
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, `${name}.cpuprofile`);
    fs.writeFileSync(file, JSON.stringify(profile));
    return file;
  };
}
