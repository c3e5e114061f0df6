/**
 * resources/demo/prometheus/alerts.yml is the demo model's rules for a real Prometheus. This keeps the file in
 * step with resources/demo/alerts and checks it with the real `promtool`.
 * Regenerate: VIGIL_WRITE_RULES=1 npx vitest run --project unit test/unit/sources/demo-rules.test.ts
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { stringify } from 'yaml';
import { parseModel, toPrometheusRules } from '@gateway/sources/demo-model';

const RESOURCES = path.resolve(__dirname, '../../../resources/demo');
const RULES = path.join(RESOURCES, 'prometheus', 'alerts.yml');

it('alerts.yml is generated from the demo model and valid for promtool', () => {
  const dir = path.join(RESOURCES, 'alerts');
  const model = parseModel(
    fs
      .readdirSync(dir)
      .sort()
      .map((n) => ({ name: n, text: fs.readFileSync(path.join(dir, n), 'utf8') })),
  );
  const text = `# Generated from resources/demo/alerts by toPrometheusRules (src/gateway/sources/demo-model.ts); do not edit.\n${stringify(toPrometheusRules(model), { lineWidth: 0 })}`;
  if (process.env.VIGIL_WRITE_RULES) fs.writeFileSync(RULES, text);
  expect(fs.readFileSync(RULES, 'utf8')).toBe(text);
  const out = execFileSync('promtool', ['check', 'rules', RULES], { encoding: 'utf8' });
  expect(out).toMatch(new RegExp(`SUCCESS: ${model.alerts.length} rules found`));
});
