/**
 * "Test connection" and sign-in's check: opens a socket with the given URL, token (null: an SSO proxy in
 * front signs in) and CA file, says hello as a probe and waits for the welcome, which says who the
 * credential belongs to. Nothing is stored and the running link is not touched.
 */
import type { LinkTestResult } from '@shared/contract/link';
import { CLOSE_AUTH_FAILED, decodeServerFrame, PROTOCOL_VERSION } from '@shared/protocol';
import type { Clock } from '@node/clock';
import { frameText } from '@node/ws-frames';
import { classifySocketError, openPlatformSocket, type SocketOptions } from './socket';

export function probePlatform(
  url: string,
  token: string | null,
  clock: Clock,
  opts: SocketOptions & { timeoutMs?: number; operator?: string } = {},
): Promise<LinkTestResult> {
  const started = clock.now();
  const timeoutMs = opts.timeoutMs ?? 8000;
  return new Promise<LinkTestResult>((resolve) => {
    let ws: ReturnType<typeof openPlatformSocket>;
    try {
      ws = openPlatformSocket(url, token, opts);
    } catch (err) {
      const c = classifySocketError(err);
      resolve({ ok: false, url, code: c.code, message: c.message, tls: c.tls });
      return;
    }
    let done = false;
    const finish = (r: LinkTestResult) => {
      if (done) return;
      done = true;
      clock.clearTimeout(timer);
      ws.removeAllListeners('close');
      ws.on('error', () => {}); // a late error on a socket we gave up must not become an unhandled event
      ws.terminate();
      resolve(r);
    };
    const timer = clock.setTimeout(
      () => finish({ ok: false, url, code: 'timeout', message: `No answer within ${Math.round(timeoutMs / 1000)} s.` }),
      timeoutMs,
    );
    ws.on('open', () =>
      ws.send(
        JSON.stringify({
          type: 'hello',
          clientId: 'vigil-probe',
          protocol: PROTOCOL_VERSION,
          cursor: null,
          operator: opts.operator?.slice(0, 80),
          probe: true,
        }),
      ),
    );
    ws.on('message', (data, isBinary) => {
      const { text, bytes } = frameText(data, isBinary);
      const d = decodeServerFrame(text, bytes);
      if (!d.ok)
        return finish({
          ok: false,
          url,
          code: 'protocol',
          message: `The server sent a frame Vigil cannot read (${d.message}).`,
        });
      const f = d.frame;
      if (f.type === 'welcome')
        return finish({
          ok: true,
          url,
          serverId: f.serverId,
          protocol: f.protocol,
          operator: f.operator,
          identity: f.identity ?? null,
          latencyMs: clock.now() - started,
        });
      if (f.type === 'error')
        return finish({ ok: false, url, code: 'protocol', message: `${f.error.code}: ${f.error.message}` });
    });
    ws.on('error', (err) => {
      const c = classifySocketError(err, ws);
      finish({ ok: false, url, code: c.code, message: c.message, auth: c.auth, tls: c.tls });
    });
    ws.on('close', (code, reason) =>
      finish({
        ok: false,
        url,
        code: code === CLOSE_AUTH_FAILED ? 'auth_failed' : 'protocol',
        message: `Closed before a welcome (${code} ${reason.toString()}).`,
      }),
    );
  });
}
