/**
 * Each vendor's request and how to read its answer (docs/roster.md has the config; the facts come from the
 * vendors' docs):
 * - DingTalk group robot: `timestamp` (ms) and `sign` = urlencode(base64(HMAC-SHA256(key = secret,
 *   data = `${timestamp}\n${secret}`))) on the URL; `{"msgtype":"text","text":{content},"at":{atMobiles}}`;
 *   HTTP 200 with `errcode` 0 on success.
 * - WeCom group robot: the key in the URL is the credential; `{"msgtype":"text","text":{content,
 *   mentioned_list, mentioned_mobile_list}}` (content at most 2048 bytes); `errcode` 0.
 * - Feishu/Lark custom bot: `timestamp` (s, a string) and `sign` = base64(HMAC-SHA256(key =
 *   `${timestamp}\n${secret}`, data = empty)) in the body; `{"msg_type":"text","content":{text}}`; `code` 0
 *   (older bots: `StatusCode` 0).
 * - Slack incoming webhook: `{"text", "blocks"}`; HTTP 200 `ok`; errors are HTTP statuses with a short text.
 * - Generic webhook: method, URL, headers and a JSON body template with {{placeholders}}; 2xx is delivered.
 *
 * An answer is `ok`, `retry` (rate limited, a server error, a timeout: try again later) or `dead` (the
 * request can never succeed as configured: a bad signature, a revoked webhook, a refused body).
 */
import crypto from 'node:crypto';
import type { Channel, ChannelType } from '@shared/paging';
import { mobileDigits, type StoredBody } from './message';

export interface OutRequest {
  url: string;
  method: 'POST' | 'PUT';
  headers: Record<string, string>;
  body: string;
}

export type Answer = { ok: true } | { ok: false; retry: boolean; error: string; retryAfterMs?: number };

/** messages per minute each vendor accepts per robot/webhook (DingTalk 20, WeCom 20, Feishu 100, Slack ≈1/s) */
export const DEFAULT_RATE_PER_MINUTE: Record<ChannelType, number> = {
  dingtalk: 20,
  wecom: 20,
  feishu: 100,
  slack: 60,
  webhook: 60,
};

const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8' };

export function dingtalkSign(secret: string, timestampMs: number): string {
  return crypto.createHmac('sha256', secret).update(`${timestampMs}\n${secret}`, 'utf8').digest('base64');
}

export function feishuSign(secret: string, timestampS: number): string {
  return crypto.createHmac('sha256', `${timestampS}\n${secret}`).update('').digest('base64');
}

/** cuts a string to at most `max` UTF-8 bytes without splitting a character */
export function utf8Cut(s: string, max: number): string {
  if (Buffer.byteLength(s, 'utf8') <= max) return s;
  let out = '';
  let bytes = 0;
  for (const ch of s) {
    const b = Buffer.byteLength(ch, 'utf8');
    if (bytes + b > max - 3) break;
    out += ch;
    bytes += b;
  }
  return out + '…';
}

/** replaces {{name}} in every string of a JSON template; unknown names become empty */
export function fillTemplate(template: unknown, vars: Record<string, string>): unknown {
  if (typeof template === 'string') return template.replace(/\{\{\s*([A-Za-z]+)\s*\}\}/g, (_m, k: string) => vars[k] ?? '');
  if (Array.isArray(template)) return template.map((v) => fillTemplate(v, vars));
  if (template && typeof template === 'object')
    return Object.fromEntries(Object.entries(template).map(([k, v]) => [k, fillTemplate(v, vars)]));
  return template;
}

function withQuery(url: string, params: Record<string, string>): string {
  const q = Object.entries(params)
    .map(([k, v]) => `${k}=${encodeURIComponent(v)}`)
    .join('&');
  return url + (url.includes('?') ? '&' : '?') + q;
}

export function buildRequest(c: Channel, secret: string | null, m: StoredBody, now: number): OutRequest {
  const url = c.url ?? '';
  switch (c.type) {
    case 'dingtalk': {
      const atMobiles = [...new Set([...c.atMobiles.map(mobileDigits), ...m.mobiles])];
      // DingTalk rings a mobile only when the text also carries it as @mobile
      const missing = atMobiles.filter((p) => !m.text.includes(`@${p}`));
      const content = missing.length ? `${m.text}\n${missing.map((p) => `@${p}`).join(' ')}` : m.text;
      const body = JSON.stringify({ msgtype: 'text', text: { content }, at: { atMobiles, atUserIds: [], isAtAll: c.atAll } });
      const signed = secret ? withQuery(url, { timestamp: String(now), sign: dingtalkSign(secret, now) }) : url;
      return { url: signed, method: 'POST', headers: JSON_HEADERS, body };
    }
    case 'wecom': {
      const text = {
        content: utf8Cut(m.text, 2048),
        mentioned_list: [...new Set([...c.mentionedList, ...m.wecomIds])],
        mentioned_mobile_list: [...new Set([...c.mentionedMobiles.map(mobileDigits), ...m.mobiles])],
      };
      return { url, method: 'POST', headers: JSON_HEADERS, body: JSON.stringify({ msgtype: 'text', text }) };
    }
    case 'feishu': {
      const ats = c.atUserIds.map((id) => `<at user_id="${id}"></at>`).join(' ');
      const content = { text: ats ? `${m.text}\n${ats}` : m.text };
      const ts = Math.floor(now / 1000);
      const signed = secret ? { timestamp: String(ts), sign: feishuSign(secret, ts) } : {};
      return { url, method: 'POST', headers: JSON_HEADERS, body: JSON.stringify({ ...signed, msg_type: 'text', content }) };
    }
    case 'slack': {
      const blocks = [{ type: 'section', text: { type: 'mrkdwn', text: utf8Cut(m.text, 3000) } }];
      return { url, method: 'POST', headers: JSON_HEADERS, body: JSON.stringify({ text: m.title, blocks }) };
    }
    case 'webhook': {
      const vars = { ...m.vars, secret: secret ?? '' };
      const headers: Record<string, string> = { ...JSON_HEADERS };
      for (const [k, v] of Object.entries(c.headers)) headers[k.toLowerCase()] = String(fillTemplate(v, vars));
      const body = c.body === undefined ? { text: m.text } : fillTemplate(c.body, vars);
      return { url, method: c.method, headers, body: JSON.stringify(body) };
    }
  }
}

const short = (s: string) => s.replace(/\s+/g, ' ').trim().slice(0, 300);

function parseJsonObject(text: string): Record<string, unknown> | null {
  try {
    const v: unknown = JSON.parse(text);
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** DingTalk and WeCom: HTTP 200 and an errcode; these codes are worth another try, the others are not */
const ERRCODE_RETRY: Record<'dingtalk' | 'wecom', number[]> = {
  // 130101 send too fast (20/min), -1 system busy
  dingtalk: [130101, -1],
  // 45009 api freq out of limit, -1 system busy
  wecom: [45009, -1],
};

function retryAfter(headers: Headers): number | undefined {
  const v = headers.get('retry-after');
  if (!v) return undefined;
  const s = Number(v);
  return Number.isFinite(s) && s >= 0 ? Math.min(s, 3600) * 1000 : undefined;
}

/** reads the vendor's answer */
export function classify(type: ChannelType, status: number, headers: Headers, text: string): Answer {
  const http = `HTTP ${status}${text ? `: ${short(text)}` : ''}`;
  if (status === 429) return { ok: false, retry: true, error: http, retryAfterMs: retryAfter(headers) };
  if (status >= 500 || status === 408) return { ok: false, retry: true, error: http };
  switch (type) {
    case 'dingtalk':
    case 'wecom': {
      if (status !== 200) return { ok: false, retry: false, error: http };
      const j = parseJsonObject(text);
      if (!j || typeof j.errcode !== 'number') return { ok: false, retry: true, error: `unexpected answer: ${http}` };
      if (j.errcode === 0) return { ok: true };
      const error = `errcode ${j.errcode}: ${short(String(j.errmsg ?? ''))}`;
      const limited = j.errcode === 130101 || j.errcode === 45009;
      return { ok: false, retry: ERRCODE_RETRY[type].includes(j.errcode), error, ...(limited ? { retryAfterMs: 60_000 } : {}) };
    }
    case 'feishu': {
      const j = parseJsonObject(text);
      if (!j) return { ok: false, retry: status !== 400, error: `unexpected answer: ${http}` };
      const code = typeof j.code === 'number' ? j.code : typeof j.StatusCode === 'number' ? j.StatusCode : null;
      if (code === 0 && status === 200) return { ok: true };
      const error = `code ${code ?? '?'}: ${short(String(j.msg ?? j.StatusMessage ?? ''))}`;
      const limited = code === 11232;
      // 11232 frequency limited; 19021 sign / timestamp, 19024 keywords, 9499 bad request: never better on a retry
      return { ok: false, retry: limited, error, ...(limited ? { retryAfterMs: 1000 } : {}) };
    }
    case 'slack':
      if (status === 200 && text.trim() === 'ok') return { ok: true };
      return { ok: false, retry: status === 200, error: http };
    case 'webhook':
      if (status >= 200 && status < 300) return { ok: true };
      return { ok: false, retry: false, error: http };
  }
}
