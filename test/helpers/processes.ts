/** Starting real processes for integration and e2e tests, and waiting for their first line of output. */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';

export interface Started {
  child: ChildProcess;
  /** everything printed so far (stdout + stderr) */
  output(): string;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

export async function startProcess(
  cmd: string,
  args: string[],
  opts: SpawnOptions & { ready: RegExp; timeoutMs?: number },
): Promise<Started & { match: RegExpMatchArray }> {
  const child = spawn(cmd, args, { ...opts, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const match = await new Promise<RegExpMatchArray>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${cmd} did not become ready in ${opts.timeoutMs ?? 20000} ms. Output:\n${out}`));
    }, opts.timeoutMs ?? 20000);
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = out.match(opts.ready);
      if (m) {
        clearTimeout(timer);
        resolve(m);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${cmd} exited with ${code} before it was ready. Output:\n${out}`));
    });
  });
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  return {
    child,
    match,
    output: () => out,
    stop: (signal = 'SIGTERM') =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        const t = setTimeout(() => child.kill('SIGKILL'), 5000);
        child.once('exit', () => {
          clearTimeout(t);
          resolve();
        });
        child.kill(signal);
      }),
  };
}
