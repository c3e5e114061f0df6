/**
 * CI and the tests clean up only what they started (issue #13): on a shared machine, killing by name ends
 * other people's processes. Every tracked script, test, benchmark and CI file is scanned for the ways to
 * kill by name (pkill, killall, pgrep piped into kill, fuser -k, `kill $(pidof …)`); processes are stopped
 * by PID or process group (test/services/common.ts: signalGroup). This file spells the names in pieces so
 * it does not find itself.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const REPO = path.resolve(__dirname, '../../..');
const BY_NAME = [
  new RegExp(`\\bp${'kill'}\\b`),
  new RegExp(`\\bkill${'all'}\\b`),
  new RegExp(`\\bpg${'rep'}\\b`),
  new RegExp(`\\bpid${'of'}\\b`),
  new RegExp(`\\bfus${'er'}\\s+(-\\w*k|--kill)`),
  new RegExp(`xargs\\s+(-\\S+\\s+)*kill\\b`),
];

describe('nothing kills processes by name', () => {
  it('no tracked script, test, benchmark or CI file does', () => {
    const files = execFileSync('git', ['ls-files', '.ci', 'scripts', 'test', 'bench', 'package.json', 'playwright.config.ts', 'vitest.config.mts'], {
      cwd: REPO,
      encoding: 'utf8',
    })
      .split('\n')
      .filter((f) => f && f !== 'test/unit/foundation/kill-by-pid.test.ts')
      .filter((f) => f === 'package.json' || !/\.(json|md|csv|ya?ml)$/.test(f));
    expect(files.length).toBeGreaterThan(50);
    const found = files.flatMap((f) =>
      fs
        .readFileSync(path.join(REPO, f), 'utf8')
        .split('\n')
        .flatMap((line, i) => (BY_NAME.some((re) => re.test(line)) ? [`${f}:${i + 1}: ${line.trim()}`] : [])),
    );
    expect(found).toEqual([]);
  });
});
