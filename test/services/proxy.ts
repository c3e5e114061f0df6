/**
 * A small reverse proxy on loopback in front of an Alertmanager, for tests of what stands between the gateway
 * and its upstream: it can demand headers and basic auth (answering 401 like a tenant gateway or an auth
 * proxy would), serve TLS with a test CA's certificate, and let a test step into a request (`intercept`) to
 * kill the member mid-request or cut the connection after the upstream answered.
 */
import http from 'node:http';
import https from 'node:https';
import type net from 'node:net';

export interface Intercepted {
  req: http.IncomingMessage;
  body: Buffer;
  /** forwards the request and resolves with the upstream's answer (not yet sent on) */
  forward(): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }>;
  /** destroys the client's connection without an answer */
  cut(): void;
}

export interface ProxyOptions {
  target: string;
  /** headers every request must carry, e.g. { 'x-scope-orgid': 'team-a' } */
  demandHeaders?: Record<string, string>;
  demandBasic?: { username: string; password: string };
  tls?: { key: string; cert: string };
  /** return true when the test handled (answered or cut) the request itself */
  intercept?(x: Intercepted): boolean | Promise<boolean>;
}

export interface Proxy {
  url: string;
  /** requests seen, as "METHOD path status" */
  log: string[];
  stop(): Promise<void>;
}

export async function startProxy(o: ProxyOptions): Promise<Proxy> {
  const log: string[] = [];
  const target = new URL(o.target);
  const sockets = new Set<net.Socket>();

  const forward = (req: http.IncomingMessage, body: Buffer) =>
    new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
      const up = http.request(
        { host: target.hostname, port: target.port, path: req.url, method: req.method, headers: { ...req.headers, host: target.host } },
        (res) => {
          const parts: Buffer[] = [];
          res.on('data', (d: Buffer) => parts.push(d));
          res.on('end', () => resolve({ status: res.statusCode ?? 502, headers: res.headers, body: Buffer.concat(parts) }));
        },
      );
      up.on('error', reject);
      up.end(body);
    });

  const refused = (req: http.IncomingMessage): string | null => {
    for (const [k, v] of Object.entries(o.demandHeaders ?? {})) if (req.headers[k.toLowerCase()] !== v) return `missing or wrong ${k}`;
    if (o.demandBasic) {
      const want = `Basic ${Buffer.from(`${o.demandBasic.username}:${o.demandBasic.password}`).toString('base64')}`;
      if (req.headers.authorization !== want) return 'credentials required';
    }
    return null;
  };

  const handler = (req: http.IncomingMessage, res: http.ServerResponse) => {
    const parts: Buffer[] = [];
    req.on('data', (d: Buffer) => parts.push(d));
    req.on('end', async () => {
      const body = Buffer.concat(parts);
      const why = refused(req);
      if (why) {
        log.push(`${req.method} ${req.url} 401`);
        res.writeHead(401, { 'content-type': 'text/plain', 'www-authenticate': 'Basic realm="alertmanager"' }).end(`unauthorized: ${why}\n`);
        return;
      }
      const x: Intercepted = { req, body, forward: () => forward(req, body), cut: () => req.socket.destroy() };
      try {
        if (o.intercept && (await o.intercept(x))) return;
        const up = await forward(req, body);
        log.push(`${req.method} ${req.url} ${up.status}`);
        res.writeHead(up.status, { 'content-type': up.headers['content-type'] ?? 'application/json' }).end(up.body);
      } catch (e) {
        log.push(`${req.method} ${req.url} 502`);
        if (!res.headersSent) res.writeHead(502).end(`proxy: ${(e as Error).message}`);
      }
    });
  };

  const server = o.tls ? https.createServer({ key: o.tls.key, cert: o.tls.cert }, handler) : http.createServer(handler);
  server.on('connection', (s: net.Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `${o.tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    log,
    stop: async () => {
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
    },
  };
}
