/**
 * The gateway's plain HTTP routes on the WebSocket's port: GET /healthz (JSON), GET /metrics (Prometheus
 * text), POST /webhook and /webhook/<cluster> (an Alertmanager webhook body handed to the source; no token: the
 * body is only a nudge to re-read upstream). Anything else is a 404 that says what this server is.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { requestPath } from '@node/http-guard';
import type { LeadershipInfo } from './leadership';
import type { GatewayMetrics } from './metrics';
import type { Source, SourceHealth } from './source';
import type { EventLog } from './store';

export interface RoutesOptions {
  store: Pick<EventLog, 'serverId' | 'head'>;
  source: Pick<Source, 'name' | 'webhook'>;
  /** which sources this replica leads (all, for a gateway alone), and who leads */
  leadership(): LeadershipInfo;
  /** paging: what this replica runs the ladders and the outbox for (empty: another replica does); null: no paging */
  paging?(): { runs: string[] } | null;
  metrics: Pick<GatewayMetrics, 'registry' | 'connections' | 'webhooks'>;
  health(): SourceHealth;
  connections(): number;
  /** the largest webhook body taken */
  maxBodyBytes: number;
}

const json = (v: unknown) => JSON.stringify(v);

export function createRoutes(o: RoutesOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const healthz = () => {
    const h = o.health();
    return json({
      status: 'ok',
      serverId: o.store.serverId,
      source: o.source.name,
      head: o.store.head(),
      upstream: h.upstream,
      detail: h.detail,
      ...(h.clusters ? { clusters: h.clusters } : {}),
      connections: o.connections(),
      ...o.leadership(),
      paging: o.paging?.() ?? null,
    });
  };

  type Reply = (status: number, body: string, type?: string) => void;

  const metrics = (reply: Reply) => {
    o.metrics.connections.set(o.connections());
    void o.metrics.registry.metrics().then(
      (text) => reply(200, text, o.metrics.registry.contentType),
      (err) => reply(500, json({ error: String(err) })),
    );
  };

  const webhook = (req: IncomingMessage, res: ServerResponse, reply: Reply, cluster?: string) => {
    const hook = o.source.webhook?.bind(o.source);
    if (!hook) return reply(404, json({ error: `the ${o.source.name} source takes no webhooks` }));
    const parts: Buffer[] = [];
    let size = 0;
    req.on('data', (d: Buffer) => {
      size += d.length;
      if (size > o.maxBodyBytes) {
        o.metrics.webhooks.inc({ result: 'too_large' });
        reply(413, json({ error: `webhook body over ${o.maxBodyBytes} bytes` }));
        req.destroy();
      } else parts.push(d);
    });
    // a client that goes away mid-body: nothing to answer, nothing to apply
    req.on('error', () => o.metrics.webhooks.inc({ result: 'aborted' }));
    req.on('end', async () => {
      if (res.headersSent) return;
      let body: unknown;
      try {
        body = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(parts)));
      } catch {
        o.metrics.webhooks.inc({ result: 'bad_json' });
        return reply(400, json({ error: 'the webhook body is not JSON' }));
      }
      try {
        const r = await hook(body, cluster);
        o.metrics.webhooks.inc({ result: r.ok ? 'ok' : 'rejected' });
        reply(r.ok ? 200 : 400, json(r.ok ? { status: 'ok' } : { error: r.error }));
      } catch (err) {
        // the Source contract says webhook() answers; one that throws still gets a clear 500, not a crash
        o.metrics.webhooks.inc({ result: 'failed' });
        reply(500, json({ error: `the ${o.source.name} source failed on the webhook: ${String(err).slice(0, 300)}` }));
      }
    });
  };

  return (req, res) => {
    const reply: Reply = (status, body, type = 'application/json') => {
      if (res.headersSent || res.destroyed) return;
      res.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' });
      res.end(body);
    };
    res.on('error', () => undefined); // the client went away: nothing left to tell it
    // any request target, however malformed, is read by one total function: a 4xx, never a throw
    const target = requestPath(req.url);
    if (!target.ok) return reply(target.status, json({ error: target.reason }));
    const pathname = target.path;
    if (req.method === 'GET' && pathname === '/healthz') return reply(200, healthz());
    if (req.method === 'GET' && pathname === '/metrics') return metrics(reply);
    if (req.method === 'POST' && pathname === '/webhook') return webhook(req, res, reply);
    // /webhook/<cluster>: only that cluster is read again
    const one = /^\/webhook\/([A-Za-z0-9][A-Za-z0-9_.-]{0,62})$/.exec(pathname);
    if (req.method === 'POST' && one) return webhook(req, res, reply, one[1]);
    reply(
      404,
      json({ error: 'not found: this is a Vigil gateway (WebSocket vigil.v1, /healthz, /metrics, /webhook)' }),
    );
  };
}
