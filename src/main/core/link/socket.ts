/**
 * Opening a protocol v1 socket and naming why it failed — shared by link and probe.
 *
 * TLS: a `wss://` platform is verified against the system's CAs, or only against the CA file the user gave
 * (a company CA), with the host name checked either way. A failure is classified (expired, not yet valid,
 * wrong host name, unknown CA) so the console can say what is wrong instead of "TLS failed".
 * Auth: the gateway's refusal reason (`X-Vigil-Auth`: revoked, expired, wrong, …) is read from the refused
 * upgrade, so a console can say "your token was revoked" rather than "401".
 */
import fs from 'node:fs';
import WebSocket from 'ws';
import type { TlsProblem } from '@shared/contract/link';
import { SIGN_OUT_REASONS, type SignOutReason } from '@shared/domain';
import { HARD_FRAME_BYTES, PROTOCOL } from '@shared/protocol';

export interface SocketOptions {
  /** a PEM file of the CA certificates to trust instead of the system's */
  caFile?: string | null;
}

/** what a refused upgrade said, kept per socket until its error is classified */
const refusals = new WeakMap<WebSocket, { status: number; reason: SignOutReason | null }>();

/** The CA file's certificates; a file that cannot be read fails here, with a TLS problem of its own. */
export class CaFileError extends Error {
  readonly code = 'VIGIL_CA_FILE';
  constructor(file: string, cause: string) {
    super(`The CA file ${file} cannot be read (${cause}).`);
  }
}

function readCa(file: string): Buffer {
  try {
    const pem = fs.readFileSync(file);
    if (!pem.includes('-----BEGIN CERTIFICATE-----')) throw new Error('no PEM certificate in it');
    return pem;
  } catch (err) {
    throw new CaFileError(file, err instanceof Error ? err.message : String(err));
  }
}

/** `token` null: no Authorization header (an SSO proxy in front signs the request in) */
export function openPlatformSocket(url: string, token: string | null, opts: SocketOptions = {}): WebSocket {
  const ws = new WebSocket(url, [PROTOCOL], {
    headers: token ? { Authorization: `Bearer ${token}` } : {},
    // Frames between MAX_FRAME_BYTES and this are read and refused with a count; bigger ones close.
    maxPayload: HARD_FRAME_BYTES,
    perMessageDeflate: false,
    followRedirects: false,
    ...(opts.caFile && url.startsWith('wss:') ? { ca: readCa(opts.caFile) } : {}),
  });
  ws.on('unexpected-response', (_req, res) => {
    const said = String(res.headers['x-vigil-auth'] ?? '');
    const reason = (SIGN_OUT_REASONS as readonly string[]).includes(said) ? (said as SignOutReason) : null;
    refusals.set(ws, { status: res.statusCode ?? 0, reason });
    res.resume();
    ws.terminate(); // → 'error' ("closed before the connection was established"), classified from the refusal
  });
  return ws;
}

export type SocketFailure = 'auth_failed' | 'unreachable' | 'protocol' | 'tls' | 'error';
export interface ClassifiedFailure {
  code: SocketFailure;
  message: string;
  auth?: SignOutReason;
  tls?: TlsProblem;
}

const TLS_CODES: Record<string, TlsProblem> = {
  CERT_HAS_EXPIRED: 'expired',
  CERT_NOT_YET_VALID: 'not_yet_valid',
  ERR_TLS_CERT_ALTNAME_INVALID: 'wrong_name',
  HOSTNAME_MISMATCH: 'wrong_name',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'unknown_ca',
  UNABLE_TO_GET_ISSUER_CERT: 'unknown_ca',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'unknown_ca',
  SELF_SIGNED_CERT_IN_CHAIN: 'unknown_ca',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'unknown_ca',
  VIGIL_CA_FILE: 'ca_file',
};
const TLS_WORDS: Record<TlsProblem, string> = {
  expired: 'the platform’s certificate has expired',
  not_yet_valid: 'the platform’s certificate is not valid yet (check this computer’s clock)',
  wrong_name: 'the platform’s certificate is for another host name',
  unknown_ca: 'the platform’s certificate is not signed by a CA this console trusts (set the company CA file)',
  ca_file: 'the CA file cannot be used',
  other: 'the TLS handshake failed',
};
const AUTH_WORDS: Record<SignOutReason, string> = {
  revoked: 'the token was revoked',
  expired: 'the token has expired',
  wrong: 'the token is not known to the platform',
  missing: 'no credential was sent',
  untrusted_proxy: 'sign-in headers came from an address the platform does not trust',
  no_role: 'your groups have no Vigil role',
  signed_out: 'signed out',
};

/** Classifies a connect error from `ws` (it reports HTTP refusals as "Unexpected server response: N"). */
export function classifySocketError(err: unknown, ws?: WebSocket): ClassifiedFailure {
  const e = err as { code?: string; message?: string };
  const msg = e?.message ?? String(err);
  const refused = ws ? refusals.get(ws) : undefined;
  const status = refused ? String(refused.status) : /Unexpected server response: (\d+)/.exec(msg)?.[1];
  if (status === '401' || status === '403') {
    const auth = refused?.reason ?? (status === '401' ? 'wrong' : 'untrusted_proxy');
    return {
      code: 'auth_failed',
      auth,
      message: `The platform refused the sign-in: ${AUTH_WORDS[auth]} (HTTP ${status}).`,
    };
  }
  if (status)
    return { code: 'protocol', message: `Not a Vigil platform endpoint (HTTP ${status} on the WebSocket upgrade).` };
  if (/subprotocol/i.test(msg)) return { code: 'protocol', message: `The server does not speak ${PROTOCOL} (${msg}).` };
  const tls = e?.code ? TLS_CODES[e.code] : undefined;
  if (tls || /CERT|certificate|SSL|TLS|self[- ]signed/i.test(`${e?.code ?? ''} ${msg}`)) {
    const problem = tls ?? 'other';
    if (problem === 'ca_file') return { code: 'tls', tls: problem, message: msg };
    return { code: 'tls', tls: problem, message: `TLS failed: ${TLS_WORDS[problem]} (${e?.code ?? msg}).` };
  }
  if (
    /ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|ENETUNREACH|ECONNRESET|ETIMEDOUT|EAI_AGAIN|socket hang up/i.test(
      `${e?.code ?? ''} ${msg}`,
    )
  )
    return { code: 'unreachable', message: `The platform is not reachable (${e?.code ?? msg}).` };
  return { code: 'error', message: msg };
}
