/**
 * HTTP to an upstream (Alertmanager, Prometheus) with errors an on-call engineer can act on: which upstream,
 * what went wrong, and the upstream's own message when it sent one.
 */
import type { z } from 'zod';
import { describeZodError } from '@shared/rpc';

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
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host name lookup failed',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  UND_ERR_SOCKET: 'connection closed',
};

function networkReason(e: unknown): string {
  const cause = (e as { cause?: { code?: string; message?: string } })?.cause;
  if (cause?.code && NET_CODES[cause.code]) return NET_CODES[cause.code];
  return cause?.message ?? (e as Error)?.message ?? String(e);
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
}

export async function requestJson<T = void>(o: RequestOptions<T>): Promise<T> {
  const method = o.method ?? 'GET';
  const url = new URL(o.path, o.baseUrl.endsWith('/') ? o.baseUrl : `${o.baseUrl}/`).toString();
  let res: Response;
  try {
    res = await fetch(url, {
      method,
      headers: o.body === undefined ? undefined : { 'content-type': 'application/json' },
      body: o.body === undefined ? undefined : JSON.stringify(o.body),
      signal: AbortSignal.timeout(o.timeoutMs),
    });
  } catch (e) {
    if ((e as Error)?.name === 'TimeoutError' || (e as Error)?.name === 'AbortError') {
      throw new UpstreamError(
        o.upstream,
        'timeout',
        `${o.upstream} at ${o.baseUrl} did not answer within ${o.timeoutMs} ms`,
      );
    }
    throw new UpstreamError(
      o.upstream,
      'unreachable',
      `${o.upstream} at ${o.baseUrl} is unreachable: ${networkReason(e)}`,
    );
  }
  let text: string;
  try {
    text = await res.text();
  } catch (e) {
    throw new UpstreamError(
      o.upstream,
      'unreachable',
      `${o.upstream} at ${o.baseUrl} broke off its answer: ${networkReason(e)}`,
    );
  }
  if (!res.ok) {
    const msg = upstreamBodyMessage(text) || res.statusText;
    throw new UpstreamError(
      o.upstream,
      'http',
      `${o.upstream} answered ${res.status} to ${method} ${o.path}: ${msg}`,
      res.status,
      msg,
    );
  }
  if (!o.schema) return undefined as T;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new UpstreamError(
      o.upstream,
      'invalid',
      `${o.upstream} sent a body that is not JSON for ${method} ${o.path}`,
    );
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
