/**
 * HTTP to an upstream (Alertmanager, Prometheus) with errors an on-call engineer can act on: which upstream,
 * what went wrong, and the upstream's own message when it sent one.
 */
import http from 'node:http';
import https from 'node:https';
import type { z } from 'zod';
import { describeZodError } from '@shared/rpc';
import { plainTransport, type Transport } from './transport';

export type { Transport };

export type UpstreamName = 'Alertmanager' | 'Prometheus';
export type UpstreamErrorKind = 'unreachable' | 'timeout' | 'http' | 'invalid';

export class UpstreamError extends Error {
  constructor(
    readonly upstream: UpstreamName,
    readonly kind: UpstreamErrorKind,
    message: string,
    /** HTTP status for kind 'http' */
    readonly status: number | null = null,
    /** the upstream's own message (body) for kind 'http' */
    readonly upstreamMessage: string | null = null,
  ) {
    super(message);
    this.name = 'UpstreamError';
  }
  /** the metric label for this error, e.g. alertmanager_unreachable */
  get metricKind(): string {
    return `${this.upstream.toLowerCase()}_${this.kind}`;
  }
}

const NET_CODES: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  EPIPE: 'connection closed',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host name lookup failed',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  UND_ERR_SOCKET: 'connection closed',
};

const TLS_CODES: Record<string, string> = {
  SELF_SIGNED_CERT_IN_CHAIN: 'its certificate chain ends in a CA this gateway does not trust (set tls.caFile)',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'its certificate is self-signed and not trusted (set tls.caFile)',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'its certificate is signed by a CA this gateway does not trust (set tls.caFile)',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'its certificate is signed by a CA this gateway does not trust (set tls.caFile)',
  CERT_HAS_EXPIRED: 'its certificate has expired',
  ERR_TLS_CERT_ALTNAME_INVALID: 'its certificate is not for this host name (check the URL or tls.serverName)',
};

function networkReason(e: unknown): string {
  const err = e as { code?: string; message?: string; cause?: { code?: string; message?: string } };
  const code = err?.code ?? err?.cause?.code;
  if (code && TLS_CODES[code]) return `TLS: ${TLS_CODES[code]}`;
  if (code && NET_CODES[code]) return NET_CODES[code];
  return err?.cause?.message ?? err?.message ?? String(e);
}

/** Alertmanager answers errors as a JSON string, Prometheus as { error }, others as text: keep the words only. */
export function upstreamBodyMessage(text: string): string {
  const trimmed = text.trim();
  try {
    const v: unknown = JSON.parse(trimmed);
    if (typeof v === 'string') return v.trim();
    if (v && typeof v === 'object') {
      const o = v as { error?: unknown; message?: unknown };
      if (typeof o.error === 'string') return o.error;
      if (typeof o.message === 'string') return o.message;
    }
  } catch {
    // not JSON
  }
  return trimmed.length > 500 ? `${trimmed.slice(0, 500)}…` : trimmed;
}

export interface RequestOptions<T> {
  upstream: UpstreamName;
  baseUrl: string;
  path: string;
  method?: 'GET' | 'POST' | 'DELETE';
  body?: unknown;
  /** validates the JSON answer; omit for answers whose body is ignored */
  schema?: z.ZodType<T>;
  timeoutMs: number;
  /** headers, credentials and TLS for this upstream (default: none, the system's CAs) */
  transport?: Transport;
}

/** What a 401/403 means for the person reading the health line. */
const AUTH_HINT = " (check the upstream's headers, basicAuth or bearerTokenFile in the gateway config)";

interface RawAnswer {
  status: number;
  statusText: string;
  text: string;
}

function send(url: URL, method: string, headers: Record<string, string>, body: string | undefined, o: RequestOptions<unknown>, retry = true): Promise<RawAnswer> {
  const transport = o.transport ?? plainTransport;
  const lib = url.protocol === 'https:' ? https : http;
  return new Promise<RawAnswer>((resolve, reject) => {
    const req = lib.request(
      url,
      { method, headers, agent: transport.agent(url), signal: AbortSignal.timeout(o.timeoutMs) },
      (res) => {
        const parts: Buffer[] = [];
        res.on('data', (d: Buffer) => parts.push(d));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, statusText: res.statusMessage ?? '', text: Buffer.concat(parts).toString('utf8') }),
        );
        res.on('error', (e) => reject(Object.assign(e, { midAnswer: true })));
      },
    );
    req.on('error', (e: NodeJS.ErrnoException) => {
      // a kept-alive socket the server had already closed: the request never reached it, so send it afresh
      if (retry && req.reusedSocket && e.code === 'ECONNRESET') resolve(send(url, method, headers, body, o, false));
      else reject(e);
    });
    req.end(body);
  });
}

export async function requestJson<T = void>(o: RequestOptions<T>): Promise<T> {
  const method = o.method ?? 'GET';
  const url = new URL(o.path, o.baseUrl.endsWith('/') ? o.baseUrl : `${o.baseUrl}/`);
  const body = o.body === undefined ? undefined : JSON.stringify(o.body);
  let headers: Record<string, string>;
  try {
    headers = { ...(o.transport?.headers() ?? {}), accept: 'application/json' };
  } catch (e) {
    // a credential file that cannot be read: a configuration problem, said as such
    throw new UpstreamError(o.upstream, 'invalid', `${o.upstream} at ${o.baseUrl}: ${(e as Error).message}`);
  }
  if (body !== undefined) headers['content-type'] = 'application/json';
  let answer: RawAnswer;
  try {
    answer = await send(url, method, headers, body, o as RequestOptions<unknown>);
  } catch (e) {
    if (e instanceof UpstreamError) throw e;
    if ((e as Error)?.name === 'TimeoutError' || (e as Error)?.name === 'AbortError') {
      throw new UpstreamError(o.upstream, 'timeout', `${o.upstream} at ${o.baseUrl} did not answer within ${o.timeoutMs} ms`);
    }
    const what = (e as { midAnswer?: boolean }).midAnswer ? 'broke off its answer' : 'is unreachable';
    throw new UpstreamError(o.upstream, 'unreachable', `${o.upstream} at ${o.baseUrl} ${what}: ${networkReason(e)}`);
  }
  const { status, text } = answer;
  if (status < 200 || status >= 300) {
    const msg = upstreamBodyMessage(text) || answer.statusText;
    const hint = status === 401 || status === 403 ? AUTH_HINT : '';
    throw new UpstreamError(o.upstream, 'http', `${o.upstream} at ${o.baseUrl} answered ${status} to ${method} ${o.path}: ${msg}${hint}`, status, msg);
  }
  if (!o.schema) return undefined as T;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new UpstreamError(o.upstream, 'invalid', `${o.upstream} sent a body that is not JSON for ${method} ${o.path}`);
  }
  const parsed = o.schema.safeParse(json);
  if (!parsed.success) {
    const why = describeZodError(parsed.error, { first: 1 });
    throw new UpstreamError(
      o.upstream,
      'invalid',
      `${o.upstream} sent an unexpected answer to ${method} ${o.path}: ${why}`,
    );
  }
  return parsed.data;
}
