#!/usr/bin/env node
/**
 * better-sqlite3 for two runtimes without either breaking the other.
 *
 * - Node's ABI (browser host, gateway, tests): the copy `npm install` builds in node_modules/better-sqlite3.
 * - Electron's ABI (desktop app): built by this script into .native/electron-<version>/better_sqlite3.node and
 *   handed to the core as `nativeBinding`, so node_modules is never rebuilt in place.
 *
 * Building for Electron needs Electron's headers (a download from electronjs.org). Where they cannot be
 * fetched this exits non-zero with the reason; `npm start` then falls back to the browser host.
 *
 *   node scripts/native.mjs electron        build (or reuse) the Electron binding, print its path
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');

/**
 * The Electron executable if it is installed, else null — found the way node_modules/electron/index.js finds
 * it (path.txt, ELECTRON_OVERRIDE_DIST_PATH) but without requiring that file: since Electron 45 requiring it
 * starts a download when the binary is missing, which must never happen behind the caller's back.
 */
export function electronExecutable() {
  const dir = path.join(root, 'node_modules/electron');
  let rel = null;
  try {
    rel = fs.readFileSync(path.join(dir, 'path.txt'), 'utf8').trim() || null;
  } catch {
    rel = null;
  }
  const override = process.env.ELECTRON_OVERRIDE_DIST_PATH;
  const bin = override ? path.join(override, rel || 'electron') : rel ? path.join(dir, 'dist', rel) : null;
  return bin && fs.existsSync(bin) ? bin : null;
}

export function electronVersion() {
  return require(path.join(root, 'node_modules/electron/package.json')).version;
}

/**
 * Electron's ABI (NODE_MODULE_VERSION) as the electron package states it, and as node-abi knows it. node-abi
 * is what electron-builder's rebuild (@electron/rebuild) and better-sqlite3's prebuild-install use to pick
 * the native build for a packaged app; this script itself builds from Electron's headers and needs neither.
 * A node-abi too old for the installed Electron fails packaging, so the unit test and `npm start` check it.
 */
export function electronAbi(version = electronVersion()) {
  let stated = null;
  try {
    stated = fs.readFileSync(path.join(root, 'node_modules/electron/abi_version'), 'utf8').trim() || null;
  } catch {
    /* older electron packages do not ship the file */
  }
  const known = [];
  const users = { 'electron-builder (@electron/rebuild)': 'node_modules/@electron/rebuild', 'better-sqlite3 (prebuild-install)': 'node_modules/prebuild-install' };
  for (const [tool, from] of Object.entries(users)) {
    let abiPath;
    try {
      abiPath = require.resolve('node-abi', { paths: [path.join(root, from)] });
    } catch {
      continue; // that tool is not installed
    }
    const pkg = require(path.join(path.dirname(abiPath), 'package.json'));
    let abi = null;
    try {
      abi = require(abiPath).getAbi(version, 'electron');
    } catch {
      abi = null;
    }
    known.push({ tool, nodeAbi: pkg.version, abi });
  }
  const problems = known.filter((k) => k.abi === null || (stated && k.abi !== stated));
  return { version, stated, known, ok: problems.length === 0, problems };
}

export function electronBindingPath(version = electronVersion()) {
  return path.join(root, '.native', `electron-${version}`, 'better_sqlite3.node');
}

function nodeGyp() {
  const candidates = [
    process.env.npm_config_node_gyp,
    path.join(path.dirname(process.execPath), '../lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js'),
    '/usr/lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js',
  ].filter(Boolean);
  return candidates.find((c) => fs.existsSync(c));
}

export function buildForElectron({ quiet = false } = {}) {
  const version = electronVersion();
  const out = electronBindingPath(version);
  if (fs.existsSync(out)) return { ok: true, path: out };
  const gyp = nodeGyp();
  if (!gyp) return { ok: false, reason: 'node-gyp was not found (it ships with npm)' };
  const src = path.dirname(require.resolve('better-sqlite3/package.json', { paths: [root] }));
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-native-'));
  try {
    fs.cpSync(src, work, { recursive: true, filter: (p) => !p.includes(`${path.sep}build${path.sep}`) && !p.endsWith(`${path.sep}build`) });
    const env = { ...process.env };
    // A nodedir configured for Node's headers would silently build for the wrong ABI.
    for (const k of Object.keys(env)) if (/^npm_config_(nodedir|target|runtime|disturl|dist_url)$/i.test(k)) delete env[k];
    const res = spawnSync(
      process.execPath,
      [gyp, 'rebuild', '--release', '--runtime=electron', `--target=${version}`, '--dist-url=https://electronjs.org/headers'],
      { cwd: work, env, stdio: quiet ? 'pipe' : 'inherit', timeout: 10 * 60_000 },
    );
    const built = path.join(work, 'build', 'Release', 'better_sqlite3.node');
    if (res.status !== 0 || !fs.existsSync(built)) {
      const tail = quiet ? String(res.stderr ?? '').trim().split('\n').slice(-3).join(' | ') : '';
      return { ok: false, reason: `building better-sqlite3 for Electron ${version} failed (Electron headers could not be fetched?)${tail ? `: ${tail}` : ''}` };
    }
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.copyFileSync(built, out);
    return { ok: true, path: out };
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const target = process.argv[2];
  if (target !== 'electron') {
    console.error('usage: node scripts/native.mjs electron');
    process.exit(2);
  }
  const r = buildForElectron();
  if (r.ok) console.log(r.path);
  else {
    console.error(r.reason);
    process.exit(1);
  }
}
