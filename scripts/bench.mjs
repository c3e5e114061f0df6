#!/usr/bin/env node
/**
 * `npm run bench`: runs every benchmark in bench/ (vitest files that print JSON figures), collects every JSON
 * object they print, writes one report to bench/results/latest.json and prints a short table.
 *   npm run bench -- <filter>   runs only the bench files whose path contains <filter>
 *
 * out/ is built first when any source or build file is newer (scripts/ensure-built.mjs), unless
 * $VIGIL_OUT_DIR names the build to measure. A benchmark file fails the run when vitest fails it, when it
 * prints no figures, or when it prints a result marked `skipped`: a benchmark never passes without figures.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ensureBuilt } from './ensure-built.mjs';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const filter = process.argv[2];
const files = fs
  .readdirSync(path.join(root, 'bench'))
  .filter((f) => f.endsWith('.bench.test.ts') && (!filter || f.includes(filter)))
  .map((f) => `bench/${f}`);
if (files.length === 0) {
  console.error('no benchmarks matched');
  process.exit(1);
}

if (!process.env.VIGIL_OUT_DIR) ensureBuilt(root);

const results = [];
const failures = [];
for (const file of files) {
  process.stderr.write(`== ${file}\n`);
  const out = await new Promise((resolve) => {
    let text = '';
    const child = spawn(process.execPath, [path.join(root, 'node_modules/vitest/vitest.mjs'), 'run', '--config', 'bench/vitest.bench.config.mts', file], {
      cwd: root,
      env: { ...process.env, FORCE_COLOR: '0' },
    });
    child.stdout.on('data', (d) => (text += d));
    child.stderr.on('data', (d) => process.stderr.write(d));
    child.on('exit', (code) => resolve({ text, code }));
  });
  const before = results.length;
  for (const line of out.text.split('\n')) {
    // vitest may colour the line that carries a test's stdout; the figures are the JSON object in it
    // eslint-disable-next-line no-control-regex -- ANSI colour codes start with ESC
    const plain = line.replace(/\x1b\[[0-9;]*m/g, '');
    const t = plain.slice(plain.indexOf('{')).trim();
    if (!t.startsWith('{')) continue;
    try {
      results.push({ file, ...JSON.parse(t) });
    } catch {
      /* not a figures line */
    }
  }
  const mine = results.slice(before);
  const skipped = mine.filter((r) => r.skipped);
  if (out.code !== 0) failures.push(`${file}: vitest exited with ${out.code}`);
  else if (mine.length === 0) failures.push(`${file}: printed no figures`);
  else if (skipped.length) failures.push(`${file}: skipped (${skipped.map((r) => r.skipped).join('; ')})`);
}

const report = {
  at: new Date().toISOString(),
  loadAverage: os.loadavg().map((x) => Math.round(x * 10) / 10),
  failures,
  machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, memGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version, platform: `${os.platform()} ${os.release()}` },
  results,
};
fs.mkdirSync(path.join(root, 'bench/results'), { recursive: true });
fs.writeFileSync(path.join(root, 'bench/results/latest.json'), JSON.stringify(report, null, 2));

// one row per figure: results may carry { figures: [{ name, value, unit, target, reference, ratio }] } or flat fields
const rows = [];
for (const r of results) {
  const figs = Array.isArray(r.figures) ? r.figures : [r];
  for (const f of figs) {
    rows.push({
      bench: r.bench ?? r.name ?? path.basename(r.file, '.bench.test.ts'),
      figure: f.name ?? f.figure ?? '',
      value: f.value ?? '',
      unit: f.unit ?? '',
      target: f.target ?? '',
      reference: f.reference ?? '',
      ratio: f.ratio ?? '',
    });
  }
}
console.table(rows);
console.log(`report: bench/results/latest.json (${results.length} result lines from ${files.length} files${failures.length ? `, ${failures.length} failed` : ''})`);
for (const f of failures) console.error(`FAILED ${f}`);
process.exit(failures.length ? 1 : 0);
