/**
 * The real processes the proof suites start: the built gateway (out/main/gateway.js) and the built browser
 * host (out/main/host.js, the console's core as users run it), plus a JSON-RPC client that talks to the
 * host exactly as the page does (Origin, per-launch secret, then `{jsonrpc, id, method, params}`).
 *
 * The build is $VIGIL_OUT_DIR when it holds one; otherwise it is built once per test process into
 * $TMPDIR/vigil-proof-build-<uid> (never into the repo's out/), which takes a few seconds with electron-vite.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import { signalGroup } from '../services/common';
import { startProcess, type Started } from '../services/processes';

export const REPO = path.resolve(__dirname, '../..');

let built: string | null = null;

/** The directory with main/host.js, main/gateway.js and renderer/index.html. */
export function builtApp(): string {
  if (built) return built;
  const has = (d: string) =>
    ['main/host.js', 'main/gateway.js', 'renderer/index.html'].every((f) => fs.existsSync(path.join(d, f)));
  const given = process.env.VIGIL_OUT_DIR;
  if (given && has(path.resolve(given))) return (built = path.resolve(given));
  // one fixed place per user, rebuilt once per test process (never the repo's out/)
  const dir = path.join(os.tmpdir(), `vigil-proof-build-${process.getuid?.() ?? 'user'}`);
  const r = spawnSync('npx', ['electron-vite', 'build', '--outDir', dir, '--logLevel', 'warn'], {
    cwd: REPO,
    encoding: 'utf8',
  });
  if (r.status !== 0 || !has(dir))
    throw new Error(`electron-vite build failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  return (built = dir);
}

/** Environment for a built process: dependencies resolve from the repo even when the build is in /tmp. */
export const nodeEnv = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({
  ...process.env,
  NODE_PATH: path.join(REPO, 'node_modules'),
  ...extra,
});

export interface GatewayProc extends Started {
  url: string;
  port: number;
  /** SIGKILL: no close frames, no flush, as a crash or an OOM kill */
  kill(): Promise<void>;
}

const killed = (p: Started) =>
  new Promise<void>((resolve) => {
    if (p.child.exitCode !== null || p.child.signalCode !== null) return resolve();
    p.child.once('exit', () => resolve());
    signalGroup(p.child, 'SIGKILL');
  });

export async function startGatewayProc(o: {
  dataDir: string;
  token: string;
  port?: number;
  source?: 'demo' | 'alertmanager';
  alertmanagerUrl?: string;
  pollIntervalMs?: number;
  demoDir?: string;
  /** pass the token as VIGIL_GATEWAY_TOKEN instead of --token */
  tokenInEnv?: boolean;
  /** more flags (--store, --replica-name …) */
  extraArgs?: string[];
  /** flags for node itself, before the script (--cpu-prof …) */
  nodeArgs?: string[];
  env?: NodeJS.ProcessEnv;
}): Promise<GatewayProc> {
  const args = [
    ...(o.nodeArgs ?? []),
    path.join(builtApp(), 'main/gateway.js'),
    '--source',
    o.source ?? 'demo',
    '--port',
    String(o.port ?? 0),
    '--data-dir',
    o.dataDir,
  ];
  if (!o.tokenInEnv) args.push('--token', o.token);
  if (o.alertmanagerUrl) args.push('--alertmanager-url', o.alertmanagerUrl);
  if (o.pollIntervalMs) args.push('--poll-interval', String(o.pollIntervalMs));
  if (o.demoDir) args.push('--demo-dir', o.demoDir);
  args.push(...(o.extraArgs ?? []));
  const p = await startProcess(process.execPath, args, {
    env: nodeEnv({ ...(o.tokenInEnv ? { VIGIL_GATEWAY_TOKEN: o.token } : {}), ...o.env }),
    ready: /Vigil gateway listening on (ws:\/\/\S+)/,
    timeoutMs: 60_000,
  });
  const url = p.match[1];
  return { ...p, url, port: Number(new URL(url).port), kill: () => killed(p) };
}

export interface HostProc extends Started {
  /** the page URL with #secret= */
  url: string;
  origin: string;
  port: number;
  kill(): Promise<void>;
}

export async function startHostProc(o: {
  dataDir: string;
  secret: string;
  port?: number;
  platform?: string;
  token?: string;
  env?: NodeJS.ProcessEnv;
}): Promise<HostProc> {
  const args = [
    path.join(builtApp(), 'main/host.js'),
    '--no-open',
    '--data-dir',
    o.dataDir,
    '--port',
    String(o.port ?? 0),
  ];
  if (o.platform) args.push('--platform', o.platform);
  if (o.token) args.push('--token', o.token);
  const p = await startProcess(process.execPath, args, {
    env: nodeEnv({ VIGIL_WEB_SECRET: o.secret, ...o.env }),
    ready: /Vigil console: (\S+)/,
    timeoutMs: 60_000,
  });
  const url = p.match[1];
  const u = new URL(url);
  return { ...p, url, origin: u.origin, port: Number(u.port), kill: () => killed(p) };
}

export interface Rpc {
  call<T = unknown>(method: string, ...params: unknown[]): Promise<T>;
  /** pushed events, by name, in arrival order */
  events: { name: string; payload: unknown }[];
  close(): void;
  closed(): boolean;
}

/** Connects to a host's /rpc like the page does; rejects pending calls when the host goes away. */
export function hostRpc(origin: string, secret: string): Promise<Rpc> {
  const ws = new WebSocket(`${origin.replace('http', 'ws')}/rpc`, { headers: { Origin: origin } });
  const pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void; method: string }>();
  const events: Rpc['events'] = [];
  let next = 1;
  let isClosed = false;
  return new Promise((resolve, reject) => {
    ws.once('error', reject);
    ws.once('open', () => ws.send(JSON.stringify({ type: 'auth', secret })));
    ws.on('close', (code) => {
      isClosed = true;
      for (const p of pending.values()) p.reject(new Error(`host connection closed (${code}) during ${p.method}`));
      pending.clear();
      reject(new Error(`host connection closed (${code}) before it was ready`));
    });
    ws.on('message', (d) => {
      const f = JSON.parse(d.toString()) as {
        type?: string;
        id?: number;
        method?: string;
        params?: { name: string; payload: unknown };
        result?: { ok: true; value: unknown } | { ok: false; error: { code: string; message: string } };
      };
      if (f.type === 'ready')
        return resolve({
          events,
          closed: () => isClosed,
          close: () => ws.close(),
          call: <T>(method: string, ...params: unknown[]) =>
            new Promise<T>((res, rej) => {
              if (isClosed) return rej(new Error(`host connection closed before ${method}`));
              const id = next++;
              pending.set(id, { resolve: res as (v: unknown) => void, reject: rej, method });
              ws.send(JSON.stringify({ jsonrpc: '2.0', id, method, params }));
            }),
        });
      if (f.method === 'event' && f.params) {
        events.push(f.params);
        if (events.length > 10_000) events.splice(0, 5_000);
        return;
      }
      if (typeof f.id === 'number') {
        const p = pending.get(f.id);
        pending.delete(f.id);
        if (!p || !f.result) return;
        if (f.result.ok) p.resolve(f.result.value);
        else
          p.reject(
            Object.assign(new Error(`${p.method}: ${f.result.error.code}: ${f.result.error.message}`), {
              code: f.result.error.code,
            }),
          );
      }
    });
  });
}

/** Every regular file under `dir`, recursively. */
export function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? filesUnder(p) : e.isFile() ? [p] : [];
  });
}
