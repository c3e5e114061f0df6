#!/usr/bin/env node
/**
 * `npm run test:chaos [-- --actions N --gateway-kills N --client-kills N --seed N --keep]`
 *
 * Runs test/chaos (a real Alertmanager, the built gateway and the built console, killed and restarted while
 * thousands of actions go through the outbox) and exits with its status. Defaults are CI-sized (300
 * actions); the same knobs are environment variables (CHAOS_ACTIONS=5000 …). The app is built into a temp
 * dir unless VIGIL_OUT_DIR points at a build.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({
  options: {
    actions: { type: 'string' },
    'gateway-kills': { type: 'string' },
    'client-kills': { type: 'string' },
    seed: { type: 'string' },
    concurrency: { type: 'string' },
    keep: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (values.help) {
  console.log(
    'Usage: npm run test:chaos -- [--actions N] [--gateway-kills N] [--client-kills N] [--seed N] [--concurrency N] [--keep]',
  );
  process.exit(0);
}
const env = { ...process.env };
const set = (name, v) => {
  if (v === undefined) return;
  if (!/^\d+$/.test(v)) {
    console.error(`${name} must be a whole number, got "${v}"`);
    process.exit(2);
  }
  env[name] = v;
};
set('CHAOS_ACTIONS', values.actions);
set('CHAOS_GATEWAY_KILLS', values['gateway-kills']);
set('CHAOS_CLIENT_KILLS', values['client-kills']);
set('CHAOS_SEED', values.seed);
set('CHAOS_CONCURRENCY', values.concurrency);
if (values.keep) env.CHAOS_KEEP = '1';

const r = spawnSync('npx', ['vitest', 'run', '--config', 'test/chaos/vitest.config.mts'], {
  cwd: root,
  env,
  stdio: 'inherit',
});
process.exit(r.status ?? 1);
