/** Builds out/ with electron-vite when any source is newer than the last build (used by npm start and npm run gateway). */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

function newestMtime(dir) {
  let newest = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestMtime(p) : fs.statSync(p).mtimeMs);
  }
  return newest;
}

export function ensureBuilt(root) {
  const marker = path.join(root, 'out/main/host.js');
  const html = path.join(root, 'out/renderer/index.html');
  const fresh =
    fs.existsSync(marker) &&
    fs.existsSync(html) &&
    fs.statSync(marker).mtimeMs >= Math.max(newestMtime(path.join(root, 'src')), fs.statSync(path.join(root, 'package.json')).mtimeMs);
  if (fresh) return;
  console.log('Building Vigil…');
  const res = spawnSync(process.execPath, [path.join(root, 'node_modules/electron-vite/bin/electron-vite.js'), 'build', '--logLevel', 'warn'], {
    cwd: root,
    stdio: 'inherit',
  });
  if (res.status !== 0) process.exit(res.status ?? 1);
}
