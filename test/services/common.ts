/**
 * What the services tests start (Alertmanager, Prometheus, PostgreSQL, the gateway, the host) share: a free
 * loopback port, a child process in its own process group with its output kept for error messages, readiness
 * polling, and cleanup that runs even when a test fails or the runner exits. Processes are stopped by their
 * process group id, never by name: other people's processes run on the same machine.
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

/** A port that was free a moment ago on 127.0.0.1 (the binary is started right after). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

// Children and temp dirs still alive when the runner exits (a crashed test, a missed afterAll) are removed here.
const live = new Set<ChildProcess>();
const dirs = new Set<string>();
let exitHookInstalled = false;
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const c of live) signalGroup(c, 'SIGKILL');
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  });
}

export function makeTempDir(prefix: string): { dir: string; remove(): void } {
  installExitHook();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  dirs.add(dir);
  return {
    dir,
    remove: () => {
      fs.rmSync(dir, { recursive: true, force: true });
      dirs.delete(dir);
    },
  };
}

/**
 * Sends `signal` to the child's whole process group (it was spawned detached, so it leads its own group):
 * a wrapper script and everything it started go together. Falls back to the child alone.
 */
export function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    try {
      child.kill(signal);
    } catch {
      /* already gone */
    }
  }
}

/** spawn() in a new process group, remembered so the exit hook stops it if a test forgets to */
export function spawnInGroup(cmd: string, args: string[], opts: SpawnOptions): ChildProcess {
  installExitHook();
  const child = spawn(cmd, args, { ...opts, detached: true });
  live.add(child);
  child.once('exit', () => live.delete(child));
  return child;
}

export interface Child {
  readonly process: ChildProcess;
  output(): string;
  exited(): boolean;
  /** SIGTERM, then SIGKILL after 5 s; resolves once the process is gone */
  stop(): Promise<void>;
}

export function spawnChild(cmd: string, args: string[], cwd: string, env?: NodeJS.ProcessEnv): Child {
  const child = spawnInGroup(cmd, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const keep = (d: Buffer) => {
    out += d.toString();
    if (out.length > 200_000) out = out.slice(-100_000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  child.once('error', (e) => (out += `\n[spawn error] ${e.message}`));
  const exited = () => child.exitCode !== null || child.signalCode !== null;
  return {
    process: child,
    output: () => out,
    exited,
    stop: () =>
      new Promise<void>((resolve) => {
        if (exited()) return resolve();
        const hard = setTimeout(() => signalGroup(child, 'SIGKILL'), 5000);
        child.once('exit', () => {
          clearTimeout(hard);
          resolve();
        });
        signalGroup(child, 'SIGTERM');
      }),
  };
}

/** Polls `url` until it answers 200; fails early with the process output when the process dies. */
export async function waitReady(url: string, child: Child, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exited()) throw new Error(`${what} exited before it was ready. Output:\n${child.output()}`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} was not ready at ${url} within ${timeoutMs} ms. Output:\n${child.output()}`);
}

/** fetch that throws with the status and body on anything but 2xx, and parses JSON when there is a body. */
export async function httpJson<T = unknown>(url: string, init?: RequestInit): Promise<T> {
  const res = await fetch(url, { ...init, signal: AbortSignal.timeout(10_000) });
  const text = await res.text();
  if (!res.ok) throw new Error(`${init?.method ?? 'GET'} ${url} → ${res.status}: ${text}`);
  return (text ? JSON.parse(text) : undefined) as T;
}
