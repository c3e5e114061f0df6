/**
 * The gateway's sources config file: every field read, defaults, relative paths, and every problem reported
 * with its line and column before the gateway starts. The CLI's --config and the shorthand flags.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, parseDuration, parseSourcesConfig } from '@gateway/config';
import { parseCli } from '@gateway/cli';
import { tempDir } from '@test/helpers/tmp';

const tmp = tempDir('vigil-config-');
afterAll(() => tmp.cleanup());
for (const f of ['am-pass', 'prom-token', 'ca.pem', 'client.pem', 'client-key.pem']) fs.writeFileSync(path.join(tmp.dir, f), 'secret\n');
fs.mkdirSync(path.join(tmp.dir, 'runbooks'));
fs.mkdirSync(path.join(tmp.dir, 'dashboards'));
fs.writeFileSync(path.join(tmp.dir, 'roster.yaml'), 'x: 1\n');
const file = path.join(tmp.dir, 'vigil.yaml');

const FULL = `
pollInterval: 3s
requestTimeout: 4s
ackDuration: 2h
resolvedRetention: 30m
ackExtension: { enabled: true, extendIfExpiringIn: 10m, extendBy: 30m, maxDuration: 24h }
runbooks: ./runbooks
roster: roster.yaml
clusters:
  - name: prod
    members: [http://127.0.0.1:9093, "http://127.0.0.1:9094/"]
    prometheus: http://127.0.0.1:9090
    dashboards: ./dashboards
    runbooks: ./runbooks
    headers: { X-Scope-OrgID: team-a }
    basicAuth: { username: vigil, passwordFile: am-pass }
    tls: { caFile: ca.pem, certFile: client.pem, keyFile: client-key.pem, serverName: am.internal }
    ackExtension: { extendBy: 20m }
  - name: staging
    members: [https://am.staging.example:9093]
    prometheus:
      url: https://prom.staging.example
      bearerTokenFile: prom-token
    bearerTokenFile: prom-token
    ackExtension: { enabled: false }
`;

const problems = (text: string): string[] => {
  try {
    parseSourcesConfig(text, file);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as ConfigError).problems;
  }
  throw new Error('expected the config to be refused');
};

describe('the sources config file', () => {
  it('reads every field, resolving paths against the file and filling defaults per cluster', () => {
    const c = parseSourcesConfig(FULL, file);
    expect(c).toMatchObject({
      pollIntervalMs: 3000,
      requestTimeoutMs: 4000,
      ackDurationMinutes: 120,
      resolvedRetentionMs: 1_800_000,
      runbooks: path.join(tmp.dir, 'runbooks'),
      roster: path.join(tmp.dir, 'roster.yaml'),
    });
    const [prod, staging] = c.clusters;
    expect(prod).toEqual({
      name: 'prod',
      members: ['http://127.0.0.1:9093', 'http://127.0.0.1:9094'],
      prometheus: { url: 'http://127.0.0.1:9090' },
      dashboards: path.join(tmp.dir, 'dashboards'),
      runbooks: path.join(tmp.dir, 'runbooks'),
      access: {
        headers: { 'X-Scope-OrgID': 'team-a' },
        basicAuth: { username: 'vigil', passwordFile: path.join(tmp.dir, 'am-pass') },
        bearerTokenFile: undefined,
        tls: {
          caFile: path.join(tmp.dir, 'ca.pem'),
          certFile: path.join(tmp.dir, 'client.pem'),
          keyFile: path.join(tmp.dir, 'client-key.pem'),
          serverName: 'am.internal',
        },
      },
      ackExtension: { enabled: true, extendIfExpiringInMs: 600_000, extendByMs: 1_200_000, maxDurationMs: 86_400_000 },
    });
    expect(staging.prometheus).toEqual({ url: 'https://prom.staging.example', access: expect.objectContaining({ bearerTokenFile: path.join(tmp.dir, 'prom-token') }) });
    expect(staging.ackExtension.enabled).toBe(false);
  });

  it('reports every problem with its line and column', () => {
    const p = problems(`clusters:
  - name: prod
    members: [http://127.0.0.1:9093, ftp://x, "http://u:p@h:1"]
    memebers: []
  - name: Prod
    members: []
pollInterval: 2 minutes
`);
    expect(p).toEqual([
      'line 3, column 38: clusters[0].members[1]: "ftp://x" must start with http:// or https://',
      'line 3, column 47: clusters[0].members[2]: put credentials in basicAuth (passwordFile), not in the URL',
      'line 4, column 5: clusters[0]: unknown field memebers',
      'line 6, column 14: clusters[1].members: a cluster needs at least one member',
      'line 7, column 15: pollInterval: "2 minutes" is not a duration (write e.g. 90s, 5m or 1h30m)',
    ]);
  });

  it('checks names, members, files and settings across the file', () => {
    const p = problems(`clusters:
  - name: prod
    members: [http://127.0.0.1:9093]
    basicAuth: { username: vigil, passwordFile: missing-pass }
    bearerTokenFile: prom-token
    tls: { certFile: client.pem }
    dashboards: ./dashboards
    ackExtension: { extendBy: 1m }
  - name: PROD
    members: [http://127.0.0.1:9093]
`);
    expect(p.join('\n')).toMatch(/line 4, column \d+: clusters\[0\]\.basicAuth\.passwordFile: .*missing-pass cannot be read \(ENOENT\)/);
    expect(p.join('\n')).toContain('clusters[0].bearerTokenFile: use basicAuth or bearerTokenFile, not both');
    expect(p.join('\n')).toContain('clusters[0].tls: certFile and keyFile go together');
    expect(p.join('\n')).toContain("clusters[0].dashboards: dashboards need the cluster's prometheus");
    expect(p.join('\n')).toContain('ackExtension.extendBy must be longer than extendIfExpiringIn');
    expect(p.join('\n')).toContain('line 9, column 11: clusters[1].name: the name "PROD" is already used by clusters[0]');
    expect(p.join('\n')).toContain('line 10, column 15: clusters[1].members[0]: http://127.0.0.1:9093 is already a member of cluster "prod"');
  });

  it('says where the YAML itself is broken, and what is missing', () => {
    expect(problems('clusters: [\n')[0]).toMatch(/^line \d+, column \d+: /);
    expect(problems('clusters:\n  - members: [http://a:1]\n')).toEqual(['line 2, column 5: clusters[0].name: is required']);
    expect(problems('{}')).toEqual(['line 1, column 1: clusters: is required']);
  });

  it('reads Prometheus-style durations', () => {
    expect(parseDuration('1h30m')).toBe(5_400_000);
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('0')).toBe(0);
    expect(parseDuration('5 m')).toBeNull();
  });
});

describe('the command line', () => {
  const base = ['--port', '0', '--token', 'secret-token-1'];
  it('takes --config for clusters and refuses it beside the shorthand flags', () => {
    fs.writeFileSync(file, FULL);
    const cfg = parseCli([...base, '--config', file]);
    expect(cfg !== 'help' && cfg.config?.clusters.map((c) => c.name)).toEqual(['prod', 'staging']);
    expect(() => parseCli([...base, '--config', file, '--alertmanager-url', 'http://x:1'])).toThrow(/--config describes the sources; drop --alertmanager-url/);
    fs.writeFileSync(file, 'clusters: []\n');
    expect(() => parseCli([...base, '--config', file])).toThrow(/line 1, column 11: clusters: list at least one cluster/);
  });
  it('takes --config with personal tokens, the SSO proxy and TLS, and no shared token', () => {
    fs.writeFileSync(file, FULL);
    const cfg = parseCli(['--port', '0', '--config', file, '--auth', 'token,trusted-header', '--trusted-proxy', '127.0.0.1/32', '--tls-cert', 'c.pem', '--tls-key', 'k.pem'], {});
    expect(cfg).toMatchObject({ token: null, personalTokens: true, trustedHeader: { proxies: ['127.0.0.1/32'] }, tls: { certFile: 'c.pem', keyFile: 'k.pem' } });
    expect(cfg !== 'help' && cfg.config?.clusters).toHaveLength(2);
  });
  it('keeps the flags as the shorthand for one cluster, with one URL per HA member', () => {
    const cfg = parseCli([...base, '--source', 'alertmanager', '--alertmanager-url', 'http://a:1/', '--alertmanager-url', 'http://b:1', '--ack-extension', 'off']);
    expect(cfg !== 'help' && [cfg.alertmanagerUrls, cfg.ackExtension]).toEqual([['http://a:1', 'http://b:1'], false]);
    expect(() => parseCli([...base, '--source', 'alertmanager', '--alertmanager-url', 'http://a:1', '--ack-extension', 'maybe'])).toThrow(/on" or "off/);
  });
  it('never drops a flag silently: --max-silence-days holds with --config too, --ack-extension is refused for the demo', () => {
    fs.writeFileSync(file, FULL);
    const cfg = parseCli([...base, '--config', file, '--max-silence-days', '7']);
    expect(cfg !== 'help' && cfg.maxSilenceMinutes).toBe(7 * 1440);
    expect(() => parseCli([...base, '--config', file, '--max-silence-days', '0'])).toThrow(/--max-silence-days must be 1–365/);
    expect(() => parseCli([...base, '--source', 'demo', '--ack-extension', 'off'])).toThrow(/--ack-extension need --source alertmanager/);
  });
});
