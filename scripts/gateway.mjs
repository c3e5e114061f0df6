#!/usr/bin/env node
/**
 * `npm run gateway -- <flags>`: runs the gateway (out/main/gateway.js, from src/gateway/cli.ts; built first when stale) under
 * plain Node with the flags given. See `npm run gateway -- --help` and docs/protocol.md.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureBuilt } from './ensure-built.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outDir = path.resolve(root, process.env.VIGIL_OUT_DIR ?? 'out');
const entry = path.join(outDir, 'main/gateway.js');
if (!process.env.VIGIL_OUT_DIR) ensureBuilt(root);
if (!fs.existsSync(entry)) {
  console.error(`The gateway is not built (${entry} is missing). Run "npm run build" first.`);
  process.exit(1);
}
const child = spawn(process.execPath, [entry, ...process.argv.slice(2)], { stdio: 'inherit', cwd: root });
// Ctrl-C reaches the child through the terminal's process group; a TERM sent to this wrapper is passed on.
for (const sig of ['SIGTERM', 'SIGHUP']) process.on(sig, () => child.kill(sig));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
