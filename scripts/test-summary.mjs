#!/usr/bin/env node
/** Prints one closing line for CI from the JSON reports the test command writes: "N passed, N failed, N skipped". */
import fs from 'node:fs';

let passed = 0, failed = 0, skipped = 0;
for (const f of ['test-results/vitest-unit.json', 'test-results/vitest-integration.json']) {
  if (!fs.existsSync(f)) continue;
  const r = JSON.parse(fs.readFileSync(f, 'utf8'));
  passed += r.numPassedTests ?? 0;
  failed += r.numFailedTests ?? 0;
  skipped += (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
}
const pw = 'test-results/playwright.json';
if (fs.existsSync(pw)) {
  const s = JSON.parse(fs.readFileSync(pw, 'utf8')).stats ?? {};
  passed += (s.expected ?? 0) + (s.flaky ?? 0);
  failed += s.unexpected ?? 0;
  skipped += s.skipped ?? 0;
}
console.log(`Vigil tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
