/**
 * The embedded demo platform: with no platform URL configured, the browser host and the desktop app run
 * a gateway with the demo source in-process, on a random loopback port with a random token, and the link
 * connects to it like to any other platform. A first launch therefore shows a live console.
 *
 * Its database starts empty on every launch: the demo world is simulated afresh, so a log from the
 * previous run would only hold entities the new simulation never removes. The console takes a snapshot
 * (new server id) and its cache follows.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { createDemoSource } from './sources/demo';
import { findDemoDir } from './resources';
import type { Logger } from '@node/log';
import { startGateway } from './server';
import type { Source } from './source';

export interface EmbeddedOptions {
  /** the console's data dir; the gateway keeps its database in <dataDir>/embedded-gateway */
  dataDir: string;
  /** the host's logger: the gateway's lines go there, and its random token is registered as a secret */
  log: Logger;
  /** replaces the demo source (tests) */
  source?: Source;
}

export async function startEmbeddedGateway(
  o: EmbeddedOptions,
): Promise<{ url: string; token: string; close(): Promise<void> }> {
  const dir = path.join(o.dataDir, 'embedded-gateway');
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const token = randomBytes(32).toString('base64url');
  const warn = (message: string) => o.log.log('warn', 'gateway.source_content', { source: 'demo', message });
  const source = o.source ?? createDemoSource({ resourcesDir: findDemoDir(), seed: Date.now() % 100_000, warn });
  const gw = await startGateway({ source, token, dataDir: dir, host: '127.0.0.1', port: 0, log: o.log });
  return { url: gw.url, token, close: () => gw.close() };
}
