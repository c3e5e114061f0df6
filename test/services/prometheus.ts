/**
 * Starts the real `prometheus` binary for tests on 127.0.0.1 with a random port, a temp config and TSDB dir,
 * scraping the targets you pass (host:port) every `scrapeInterval`.
 *
 *   const prom = await startPrometheus({ targets: ['127.0.0.1:5555'] });
 *   await prom.waitForSeries('up == 1');    // a new target is scraped only after discovery (~5 s)
 *   await prom.stop();
 *
 * Rule files (`rules`, as YAML text) are evaluated every `evaluationInterval`; with `alertmanagerUrl` set, rule
 * alerts are sent there — but only once Prometheus has discovered that Alertmanager, again a few seconds in.
 */
import fs from 'node:fs';
import path from 'node:path';
import { freePort, httpJson, makeTempDir, spawnChild, waitReady, type Child } from './common';

export const PROMETHEUS_BIN = process.env.PROMETHEUS_BIN ?? 'prometheus';

export interface PrometheusOptions {
  /** host:port pairs to scrape at /metrics under job "vigil-test" */
  targets: string[];
  scrapeInterval?: string;
  evaluationInterval?: string;
  /** rule files' YAML text */
  rules?: string[];
  /** e.g. http://127.0.0.1:9093 */
  alertmanagerUrl?: string;
}

export interface PrometheusHarness {
  readonly url: string;
  readonly port: number;
  /** instant query; returns the `result` array */
  query(expr: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]>;
  /** polls an instant query until it returns at least one series */
  waitForSeries(expr: string, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
  output(): string;
}

export async function startPrometheus(opts: PrometheusOptions): Promise<PrometheusHarness> {
  const tmp = makeTempDir('vigil-prom-');
  const ruleFiles = (opts.rules ?? []).map((text, i) => {
    const file = path.join(tmp.dir, `rules-${i}.yml`);
    fs.writeFileSync(file, text);
    return file;
  });
  const amTarget = opts.alertmanagerUrl ? new URL(opts.alertmanagerUrl).host : null;
  const config = {
    global: { scrape_interval: opts.scrapeInterval ?? '1s', evaluation_interval: opts.evaluationInterval ?? '1s' },
    rule_files: ruleFiles,
    scrape_configs: [{ job_name: 'vigil-test', static_configs: [{ targets: opts.targets }] }],
    ...(amTarget ? { alerting: { alertmanagers: [{ static_configs: [{ targets: [amTarget] }] }] } } : {}),
  };
  // JSON is valid YAML, so the config needs no YAML writer
  fs.writeFileSync(path.join(tmp.dir, 'prometheus.yml'), JSON.stringify(config, null, 2));

  let port = 0;
  let child: Child | null = null;
  for (let attempt = 1; ; attempt++) {
    port = await freePort();
    child = spawnChild(
      PROMETHEUS_BIN,
      [
        `--config.file=${path.join(tmp.dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${path.join(tmp.dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--log.level=warn',
      ],
      tmp.dir,
    );
    try {
      await waitReady(`http://127.0.0.1:${port}/-/ready`, child, 'Prometheus');
      break;
    } catch (e) {
      await child.stop();
      if (attempt >= 3 || !/address already in use/.test(child.output())) {
        tmp.remove();
        throw e;
      }
    }
  }

  const url = `http://127.0.0.1:${port}`;
  const query: PrometheusHarness['query'] = async (expr) => {
    const body = await httpJson<{ data: { result: { metric: Record<string, string>; value: [number, string] }[] } }>(
      `${url}/api/v1/query?query=${encodeURIComponent(expr)}`,
    );
    return body.data.result;
  };
  let stopped = false;
  return {
    url,
    port,
    query,
    waitForSeries: async (expr, timeoutMs = 30_000) => {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        if ((await query(expr)).length > 0) return;
        await new Promise((r) => setTimeout(r, 250));
      }
      throw new Error(`Prometheus returned no series for ${expr} within ${timeoutMs} ms. Output:\n${child!.output()}`);
    },
    stop: async () => {
      if (stopped) return;
      stopped = true;
      await child!.stop();
      tmp.remove();
    },
    output: () => child!.output(),
  };
}
