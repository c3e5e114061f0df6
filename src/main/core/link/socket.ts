/** Opening a protocol v1 socket and naming why it failed — shared by link and probe. */
import WebSocket from 'ws';
import { HARD_FRAME_BYTES, PROTOCOL } from '@shared/protocol';

export function openPlatformSocket(url: string, token: string): WebSocket {
  return new WebSocket(url, [PROTOCOL], {
    headers: { Authorization: `Bearer ${token}` },
    // Frames between MAX_FRAME_BYTES and this are read and refused with a count; bigger ones close.
    maxPayload: HARD_FRAME_BYTES,
    perMessageDeflate: false,
    followRedirects: false,
  });
}

export type SocketFailure = 'auth_failed' | 'unreachable' | 'protocol' | 'tls' | 'error';

/** Classifies a connect error from `ws` (it reports HTTP refusals as "Unexpected server response: N"). */
export function classifySocketError(err: unknown): { code: SocketFailure; message: string } {
  const e = err as { code?: string; message?: string };
  const msg = e?.message ?? String(err);
  const status = /Unexpected server response: (\d+)/.exec(msg)?.[1];
  if (status === '401' || status === '403')
    return { code: 'auth_failed', message: `The platform refused the token (HTTP ${status}).` };
  if (status)
    return { code: 'protocol', message: `Not a Vigil platform endpoint (HTTP ${status} on the WebSocket upgrade).` };
  if (/subprotocol/i.test(msg)) return { code: 'protocol', message: `The server does not speak ${PROTOCOL} (${msg}).` };
  if (/CERT|certificate|SSL|TLS|self[- ]signed/i.test(`${e?.code ?? ''} ${msg}`))
    return { code: 'tls', message: `TLS failed: ${msg}` };
  if (
    /ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|ENETUNREACH|ECONNRESET|ETIMEDOUT|EAI_AGAIN|socket hang up/i.test(
      `${e?.code ?? ''} ${msg}`,
    )
  )
    return { code: 'unreachable', message: `The platform is not reachable (${e?.code ?? msg}).` };
  return { code: 'error', message: msg };
}
