/**
 * A throwaway PostgreSQL 15 for tests: `initdb` into a temp dir and `postgres` on a free loopback port, started
 * by the test itself (nothing assumes a server that is already running), in its own process group, and removed
 * afterwards. The server refuses to run as root, so under root both run as the `postgres` system user
 * (`setpriv`, which execs in place: the process we signal is the server itself).
 *
 *   const pg = await startPostgres();
 *   const url = await pg.createDatabase('gw');   // postgres://postgres@127.0.0.1:PORT/gw
 *   …
 *   await pg.kill();  // SIGKILL, as a lost machine (restart with pg.start())
 *   await pg.stop();  // fast shutdown and removal of the data dir; safe to call twice
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { freePort, makeTempDir, signalGroup, spawnChild, type Child } from './common';

const BIN_DIR = process.env.PG_BIN_DIR ?? findBinDir();

function findBinDir(): string {
  const base = '/usr/lib/postgresql';
  const versions = fs.existsSync(base)
    ? fs
        .readdirSync(base)
        .filter((v) => fs.existsSync(path.join(base, v, 'bin', 'postgres')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  return versions.length ? path.join(base, versions[0], 'bin') : '';
}

export const postgresAvailable = (): boolean => !!BIN_DIR && fs.existsSync(path.join(BIN_DIR, 'postgres'));

const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;

/** the command line that runs `bin` as the postgres user when we are root */
function asServerUser(bin: string, args: string[]): [string, string[]] {
  if (!asRoot) return [bin, args];
  return ['setpriv', ['--reuid=postgres', '--regid=postgres', '--init-groups', '--', bin, ...args]];
}

export interface PostgresService {
  readonly port: number;
  /** postgres://postgres@127.0.0.1:PORT/postgres */
  readonly url: string;
  /** creates a database and returns its URL */
  createDatabase(name: string): Promise<string>;
  /** runs SQL with psql and returns its unaligned output (for assertions and set-up) */
  psql(sql: string, database?: string): string;
  /** SIGKILL the server (a lost machine); start() brings it back on the same port and data */
  kill(): Promise<void>;
  start(): Promise<void>;
  /** fast shutdown and removal of the data dir */
  stop(): Promise<void>;
  output(): string;
}

export async function startPostgres(): Promise<PostgresService> {
  if (!postgresAvailable())
    throw new Error('PostgreSQL server binaries not found (Debian package "postgresql"; or set PG_BIN_DIR).');
  const tmp = makeTempDir('vigil-pg-');
  const data = path.join(tmp.dir, 'data');
  const sockets = path.join(tmp.dir, 'run');
  fs.mkdirSync(sockets);
  if (asRoot) {
    const pw = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
    if (pw.status !== 0) throw new Error('Running as root needs the "postgres" system user (Debian package postgresql).');
    spawnSync('chown', ['-R', 'postgres:postgres', tmp.dir]);
  }
  const [initCmd, initArgs] = asServerUser(path.join(BIN_DIR, 'initdb'), [
    '-D',
    data,
    '-U',
    'postgres',
    '--auth=trust',
    '-E',
    'UTF8',
    '--locale=C',
    '--no-sync',
  ]);
  const init = spawnSync(initCmd, initArgs, { encoding: 'utf8', timeout: 120_000 });
  if (init.status !== 0) throw new Error(`initdb failed (${init.status}): ${init.stderr || init.stdout}`);

  const port = await freePort();
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  let child: Child | null = null;
  let log = '';

  const psql = (sql: string, database = 'postgres'): string => {
    const r = spawnSync(
      'psql',
      ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '-d', database, '-v', 'ON_ERROR_STOP=1', '-A', '-t', '-c', sql],
      { encoding: 'utf8', timeout: 60_000 },
    );
    if (r.status !== 0) throw new Error(`psql failed: ${r.stderr}`);
    return r.stdout.trim();
  };

  const ready = async () => {
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      if (child?.exited()) throw new Error(`postgres exited before it was ready. Output:\n${child.output()}`);
      const r = spawnSync(path.join(BIN_DIR, 'pg_isready'), ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres'], {
        encoding: 'utf8',
      });
      if (r.status === 0) return;
      await new Promise((res) => setTimeout(res, 100));
    }
    throw new Error(`postgres was not ready on port ${port} within 60 s. Output:\n${child?.output() ?? ''}`);
  };

  const start = async () => {
    const [cmd, args] = asServerUser(path.join(BIN_DIR, 'postgres'), [
      '-D',
      data,
      '-p',
      String(port),
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      `unix_socket_directories=${sockets}`,
      '-c',
      'fsync=off',
      '-c',
      'max_connections=300',
    ]);
    child = spawnChild(cmd, args, tmp.dir);
    await ready();
  };

  const waitExit = (c: Child, signal: NodeJS.Signals) =>
    new Promise<void>((resolve) => {
      if (c.exited()) return resolve();
      c.process.once('exit', () => resolve());
      signalGroup(c.process, signal);
    });

  await start();
  let stopped = false;
  return {
    port,
    url,
    async createDatabase(name) {
      if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`not a plain database name: ${name}`);
      psql(`CREATE DATABASE ${name}`);
      return `postgres://postgres@127.0.0.1:${port}/${name}`;
    },
    psql,
    async kill() {
      if (!child) return;
      log += child.output();
      await waitExit(child, 'SIGKILL');
      child = null;
    },
    start,
    async stop() {
      if (stopped) return;
      stopped = true;
      if (child) {
        // SIGINT = fast shutdown: open sessions are ended, nothing waits for clients to disconnect
        const c = child;
        const hard = setTimeout(() => signalGroup(c.process, 'SIGKILL'), 10_000);
        await waitExit(c, 'SIGINT');
        clearTimeout(hard);
        child = null;
      }
      tmp.remove();
    },
    output: () => log + (child?.output() ?? ''),
  };
}
