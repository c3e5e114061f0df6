/** Starting real processes for integration and e2e tests, and waiting for their first line of output. */
import type { ChildProcess, SpawnOptions } from 'node:child_process';
import path from 'node:path';
import { signalGroup, spawnInGroup } from './common';

/** the repo's node_modules: a build outside the repo ($VIGIL_OUT_DIR) still resolves its dependencies */
const NODE_PATH = path.resolve(__dirname, '../../node_modules');

export interface Started {
  child: ChildProcess;
  /** everything printed so far (stdout + stderr) */
  output(): string;
  /** signals the process group (default SIGTERM, SIGKILL after 5 s) and resolves once the process is gone */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

export async function startProcess(
  cmd: string,
  args: string[],
  opts: SpawnOptions & { ready: RegExp; timeoutMs?: number },
): Promise<Started & { match: RegExpMatchArray }> {
  const env = { NODE_PATH, ...(opts.env ?? process.env) };
  const child = spawnInGroup(cmd, args, { ...opts, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const match = await new Promise<RegExpMatchArray>((resolve, reject) => {
    const timer = setTimeout(() => {
      signalGroup(child, 'SIGKILL');
      reject(new Error(`${cmd} did not become ready in ${opts.timeoutMs ?? 20000} ms. Output:\n${out}`));
    }, opts.timeoutMs ?? 20000);
    let ready = false;
    // one listener for the whole life of the process: it collects output and, until then, watches for readiness
    const onData = (d: Buffer) => {
      out += d.toString();
      if (ready) return;
      const m = out.match(opts.ready);
      if (m) {
        ready = true;
        clearTimeout(timer);
        resolve(m);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      if (!ready) reject(new Error(`${cmd} exited with ${code} before it was ready. Output:\n${out}`));
    });
  });
  return {
    child,
    match,
    output: () => out,
    stop: (signal = 'SIGTERM') =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        const t = setTimeout(() => signalGroup(child, 'SIGKILL'), 5000);
        child.once('exit', () => {
          clearTimeout(t);
          resolve();
        });
        signalGroup(child, signal);
      }),
  };
}
