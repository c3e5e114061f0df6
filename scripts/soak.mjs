#!/usr/bin/env node
/**
 * `npm run test:soak [-- --minutes 30 --rate 200 --alerts 2000 --disconnect-seconds 120 --sample-seconds 10]`
 *
 * Not part of CI. Runs test/soak: the built console synced to a gateway logging `rate` events/s over a
 * fixed set of alerts, the link cut every `disconnect-seconds`; prints one JSON line per sample (console
 * RSS, database size, cursor lag) and fails on growth beyond the data. The same knobs are SOAK_* variables.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const flags = {
  minutes: 'SOAK_MINUTES',
  rate: 'SOAK_RATE',
  alerts: 'SOAK_ALERTS',
  'disconnect-seconds': 'SOAK_DISCONNECT_SECONDS',
  'sample-seconds': 'SOAK_SAMPLE_SECONDS',
};
const { values } = parseArgs({
  options: {
    ...Object.fromEntries(Object.keys(flags).map((k) => [k, { type: 'string' }])),
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (values.help) {
  console.log(
    'Usage: npm run test:soak -- [--minutes 30] [--rate 200] [--alerts 2000] [--disconnect-seconds 120] [--sample-seconds 10]',
  );
  process.exit(0);
}
const env = { ...process.env };
for (const [flag, name] of Object.entries(flags)) {
  const v = values[flag];
  if (v === undefined) continue;
  if (!(Number(v) > 0)) {
    console.error(`--${flag} must be a positive number, got "${v}"`);
    process.exit(2);
  }
  env[name] = v;
}
const r = spawnSync('npx', ['vitest', 'run', '--config', 'test/soak/vitest.config.mts'], {
  cwd: root,
  env,
  stdio: 'inherit',
});
process.exit(r.status ?? 1);
