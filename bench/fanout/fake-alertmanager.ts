/**
 * The upstream the fan-out benchmark's leader polls: an HTTP server answering Alertmanager's
 * GET /api/v2/alerts and /api/v2/silences (no silences) with a fixed pool of firing alerts. While `start(rate)`
 * runs, every answer first changes one annotation of as many alerts as `rate` events/s make for the time
 * since the previous answer (round robin through the pool), so whatever the poll interval, the gateway logs
 * `rate` events/s on average, and `changes` says how many it must log in all. One server per gateway under
 * test, so two gateways never share the changes.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeAlertmanager {
  url: string;
  /** alert changes served since start() */
  readonly changes: number;
  start(eventsPerSecond: number): void;
  stop(): void;
  close(): Promise<void>;
}

export async function startFakeAlertmanager(pool = 500): Promise<FakeAlertmanager> {
  const startsAt = new Date(Date.now() - 3600_000).toISOString();
  const endsAt = new Date(Date.now() + 24 * 3600_000).toISOString();
  const rev = new Array<number>(pool).fill(0);
  let rate = 0;
  let last = 0;
  let owed = 0;
  let next = 0;
  let changes = 0;

  const alertJson = (i: number) =>
    JSON.stringify({
      fingerprint: `bench${i.toString(16).padStart(6, '0')}`,
      labels: { alertname: 'BenchFanOut', instance: `node-${i}:9100`, severity: 'warning', service: 'bench' },
      annotations: { summary: `fan-out bench alert ${i}`, rev: String(rev[i]) },
      startsAt,
      endsAt,
      updatedAt: new Date().toISOString(),
      generatorURL: 'http://prometheus.invalid/graph',
      status: { state: 'active', silencedBy: [], inhibitedBy: [] },
    });

  const advance = () => {
    if (!rate) return;
    const now = Date.now();
    owed += ((now - last) * rate) / 1000;
    last = now;
    const n = Math.min(pool, Math.floor(owed));
    owed -= n;
    for (let k = 0; k < n; k++) {
      rev[next]++;
      next = (next + 1) % pool;
    }
    changes += n;
  };

  const server = http.createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    let body: string;
    if (path === '/api/v2/alerts') {
      advance();
      body = `[${rev.map((_, i) => alertJson(i)).join(',')}]`;
    } else if (path === '/api/v2/silences') body = '[]';
    else {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    get changes() {
      return changes;
    },
    start(eventsPerSecond) {
      rate = eventsPerSecond;
      last = Date.now();
      owed = 0;
    },
    stop() {
      advance();
      rate = 0;
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
