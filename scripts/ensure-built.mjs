/**
 * Builds out/ with electron-vite when any input of the build is newer than the last build (used by npm start,
 * npm run gateway and npm run bench). The inputs: everything under src/, the build's configuration
 * (electron.vite.config.ts, aliases.mjs) and the manifests (package.json, package-lock.json).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/** the files besides src/ whose change changes what the build produces */
export const BUILD_CONFIG = ['electron.vite.config.ts', 'aliases.mjs', 'package.json', 'package-lock.json'];

function newestMtime(dir) {
  let newest = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestMtime(p) : fs.statSync(p).mtimeMs);
  }
  return newest;
}

/**
 * Whether out/ under `root` (or `outDir`) holds a build at least as new as every input; `why` says what is
 * missing or newer when it does not.
 */
export function buildState(root, outDir = path.join(root, 'out')) {
  const marker = path.join(outDir, 'main/host.js');
  for (const f of [marker, path.join(outDir, 'main/gateway.js'), path.join(outDir, 'renderer/index.html')])
    if (!fs.existsSync(f)) return { fresh: false, why: `${path.relative(root, f)} is missing` };
  const built = fs.statSync(marker).mtimeMs;
  const inputs = [['src/', newestMtime(path.join(root, 'src'))]];
  for (const f of BUILD_CONFIG) {
    const p = path.join(root, f);
    if (fs.existsSync(p)) inputs.push([f, fs.statSync(p).mtimeMs]);
  }
  const newer = inputs.filter(([, t]) => t > built).map(([f]) => f);
  return newer.length ? { fresh: false, why: `${newer.join(', ')} changed after the last build` } : { fresh: true, why: null };
}

export function ensureBuilt(root) {
  const state = buildState(root);
  if (state.fresh) return;
  console.log(`Building Vigil (${state.why})…`);
  const res = spawnSync(process.execPath, [path.join(root, 'node_modules/electron-vite/bin/electron-vite.js'), 'build', '--logLevel', 'warn'], {
    cwd: root,
    stdio: 'inherit',
  });
  if (res.status !== 0) process.exit(res.status ?? 1);
}
