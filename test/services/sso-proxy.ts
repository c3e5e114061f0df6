/**
 * A stand-in for an SSO proxy such as oauth2-proxy in front of the gateway: a real loopback server that
 * passes WebSocket upgrades (and plain requests) on to the gateway, dropping any X-Forwarded-* the client
 * sent and setting the signed-in person's X-Forwarded-User / -Email / -Groups / -Preferred-Username, as
 * oauth2-proxy does with --pass-user-headers. Who is signed in is decided per request by `person(req)`
 * (null: not signed in, answered 401 as the proxy would).
 *
 *   const proxy = await startSsoProxy(gatewayPort, () => ({ user: 'wangwu', groups: ['oncall'] }));
 *   … connect to proxy.url …
 *   await proxy.close();
 */
import http from 'node:http';
import net from 'node:net';

export interface SsoPerson {
  user: string;
  email?: string;
  groups?: string[];
  preferredUsername?: string;
}

export interface SsoProxy {
  /** ws://127.0.0.1:PORT */
  url: string;
  close(): Promise<void>;
}

const HOP = new Set(['x-forwarded-user', 'x-forwarded-email', 'x-forwarded-groups', 'x-forwarded-preferred-username']);

function forwardedHead(req: http.IncomingMessage, p: SsoPerson): string {
  const lines = [`${req.method} ${req.url} HTTP/1.1`];
  for (let i = 0; i < req.rawHeaders.length; i += 2)
    if (!HOP.has(req.rawHeaders[i].toLowerCase())) lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
  // header values are bytes: UTF-8 names go as UTF-8, as oauth2-proxy sends them
  const utf8 = (s: string) => Buffer.from(s, 'utf8').toString('latin1');
  lines.push(`X-Forwarded-User: ${utf8(p.user)}`);
  if (p.email) lines.push(`X-Forwarded-Email: ${utf8(p.email)}`);
  if (p.groups) lines.push(`X-Forwarded-Groups: ${utf8(p.groups.join(','))}`);
  if (p.preferredUsername) lines.push(`X-Forwarded-Preferred-Username: ${utf8(p.preferredUsername)}`);
  return lines.join('\r\n') + '\r\n\r\n';
}

export async function startSsoProxy(
  gatewayPort: number,
  person: (req: http.IncomingMessage) => SsoPerson | null,
): Promise<SsoProxy> {
  const sockets = new Set<net.Socket>();
  const server = http.createServer((_req, res) => res.writeHead(404).end());
  server.on('upgrade', (req, client: net.Socket, head: Buffer) => {
    const p = person(req);
    if (!p) return void client.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\n\r\n');
    const upstream = net.connect({ host: '127.0.0.1', port: gatewayPort, localAddress: '127.0.0.1' }, () => {
      upstream.write(Buffer.from(forwardedHead(req, p), 'latin1'));
      if (head.length) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    for (const s of [upstream, client]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => (upstream.destroy(), client.destroy()));
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `ws://127.0.0.1:${port}`,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
    },
  };
}
