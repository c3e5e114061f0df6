/**
 * The embedded demo platform: with no platform URL configured, the browser host and the desktop app run
 * a gateway with the demo source in-process, on a random loopback port with a random token, and the link
 * connects to it like to any other platform. A first launch therefore shows a live console.
 *
 * Its database starts empty on every launch: the demo world is simulated afresh, so a log from the
 * previous run would only hold entities the new simulation never removes. The console takes a snapshot
 * (new server id) and its cache follows.
 *
 * The person is whoever runs the app: the OS user becomes the gateway's one person (an admin of their own
 * demo) with a personal token minted in-process, so a first launch needs no sign-in and every record names
 * someone the OS vouched for.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DisplayNameSchema, LoginSchema } from '@shared/identity';
import { createDemoSource } from './sources/demo';
import { findDemoDir } from './resources';
import type { Logger } from '@node/log';
import { startGateway } from './server';
import type { Source } from './source';
import { openUserStore } from './sqlite/users';
import { mintToken } from './tokens';

export interface EmbeddedOptions {
  /** the console's data dir; the gateway keeps its database in <dataDir>/embedded-gateway */
  dataDir: string;
  /** the host's logger: the gateway's lines go there, and its random token is registered as a secret */
  log: Logger;
  /** replaces the demo source (tests) */
  source?: Source;
  /** the OS user name (default: os.userInfo()) */
  osUser?: string;
}

/** the full name the OS keeps for a user (the GECOS field of /etc/passwd), or null */
function fullName(user: string): string | null {
  try {
    const line = fs
      .readFileSync('/etc/passwd', 'utf8')
      .split('\n')
      .find((l) => l.startsWith(`${user}:`));
    const gecos = line?.split(':')[4]?.split(',')[0]?.trim();
    return gecos || null;
  } catch {
    return null;
  }
}

/** the OS user as a login and a display name */
function osPerson(given?: string): { login: string; name: string } {
  let user = given;
  if (!user)
    try {
      user = os.userInfo().username;
    } catch {
      user = process.env.USER ?? process.env.USERNAME ?? 'me';
    }
  const login = LoginSchema.safeParse(user).success
    ? user
    : user.replace(/[^\p{L}\p{N}._@+-]/gu, '_').replace(/^[^\p{L}\p{N}]+/u, '') || 'me';
  const name = (fullName(user) ?? user).trim().slice(0, 64);
  return { login, name: DisplayNameSchema.safeParse(name).success ? name : login };
}

export async function startEmbeddedGateway(
  o: EmbeddedOptions,
): Promise<{ url: string; token: string; login: string; close(): Promise<void> }> {
  const dir = path.join(o.dataDir, 'embedded-gateway');
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const users = openUserStore(path.join(dir, 'gateway.db'));
  const me = osPerson(o.osUser);
  const minted = await mintToken();
  try {
    users.addUser({ ...me, role: 'admin', origin: 'embedded' }, Date.now(), 'embedded');
    users.addToken({ id: minted.id, login: me.login, hash: minted.hash, expiresAt: null }, Date.now(), 'embedded');
  } catch (err) {
    users.close();
    throw err;
  }
  const token = minted.token;
  o.log.addSecret(token);
  const warn = (message: string) => o.log.log('warn', 'gateway.source_content', { source: 'demo', message });
  const source = o.source ?? createDemoSource({ resourcesDir: findDemoDir(), seed: Date.now() % 100_000, warn });
  const gw = await startGateway({ source, users, dataDir: dir, host: '127.0.0.1', port: 0, log: o.log });
  return { url: gw.url, token, login: me.login, close: () => gw.close() };
}
