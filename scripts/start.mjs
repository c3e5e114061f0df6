#!/usr/bin/env node
/**
 * `npm start`: the desktop app. Builds when the sources are newer than out/, then starts Electron with a
 * better-sqlite3 built for Electron's ABI. Where the Electron binary (or that native build) cannot be had,
 * it says so and starts the browser host instead.
 * `npm run start:web -- [host options]`: the browser host directly.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ensureBuilt } from './ensure-built.mjs';
import { buildForElectron, electronAbi, electronExecutable } from './native.mjs';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const argv = process.argv.slice(2);
const webOnly = argv.includes('--web');
const hostArgs = argv.filter((a) => a !== '--web');

/** The Electron executable, downloading it once if that is possible here; null with the reason if not. */
function electronBinary() {
  let bin = electronExecutable();
  if (bin) return { bin };
  if (!fs.existsSync(path.join(root, 'node_modules/electron/install.js'))) return { reason: 'the electron package is not installed' };
  if (process.env.VIGIL_NO_ELECTRON_DOWNLOAD !== '1') {
    console.log('Fetching the Electron binary (once)…');
    const res = spawnSync(process.execPath, ['node_modules/electron/install.js'], { cwd: root, stdio: 'pipe', timeout: 180_000 });
    bin = electronExecutable();
    if (bin) return { bin };
    const err = String(res.stderr ?? '').split('\n').find((l) => /Error|ENOTFOUND|ECONNREFUSED|EAI_AGAIN|timed out|fetch failed/i.test(l));
    return { reason: `it could not be downloaded${err ? ` (${err.trim().slice(0, 160)})` : ''}` };
  }
  return { reason: 'VIGIL_NO_ELECTRON_DOWNLOAD=1' };
}

function startWeb(args) {
  const child = spawn(process.execPath, [path.join(root, 'out/main/host.js'), ...args], { stdio: 'inherit' });
  child.on('exit', (code) => process.exit(code ?? 0));
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
}

ensureBuilt(root);
if (webOnly) {
  startWeb(hostArgs);
} else {
  const electron = electronBinary();
  if (!electron.bin) {
    console.log(`The Electron binary is not available: ${electron.reason}. Starting the browser host instead.`);
    startWeb(hostArgs);
  } else {
    // this build comes from Electron's headers; packaging relies on node-abi knowing the ABI, so say if it does not
    const abi = electronAbi();
    for (const p of abi.problems)
      console.log(`Note: ${p.tool} uses node-abi ${p.nodeAbi}, which ${p.abi ? `maps Electron ${abi.version} to ABI ${p.abi}, not ${abi.stated}` : `does not know Electron ${abi.version}`}; \`npm run dist\` will fail until it is updated.`);
    const native = buildForElectron({ quiet: true });
    if (!native.ok) {
      console.log(`Electron is installed but its SQLite module is not: ${native.reason}. Starting the browser host instead.`);
      startWeb(hostArgs);
    } else {
      const child = spawn(electron.bin, [root], { stdio: 'inherit', env: { ...process.env, VIGIL_NATIVE_BINDING: native.path } });
      child.on('exit', (code) => process.exit(code ?? 0));
    }
  }
}
