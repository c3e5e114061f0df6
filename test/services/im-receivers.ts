/**
 * Loopback HTTP receivers that behave as the outbound channels' vendors document (see /docs/roster.md and
 * src/gateway/paging/vendors.ts for the sources): each checks the request exactly — method, path, query,
 * content type, signature, body shape with no extra or missing keys — and answers as the vendor does,
 * including its error bodies, its rate limit and, on request, no answer at all (timeouts).
 *
 * The signatures are recomputed here from the vendors' documented recipes, independently of the gateway's code.
 */
import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type Vendor = 'dingtalk' | 'wecom' | 'feishu' | 'slack' | 'webhook';

export interface Received {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
  body: string;
  json: unknown;
  at: number;
  /** what the receiver answered */
  answer: { status: number; body: string };
}

export interface ReceiverOptions {
  /** DingTalk robot token / WeCom key / Feishu hook id / Slack path / webhook path */
  token: string;
  /** the signing secret (DingTalk, Feishu) or the expected bearer (webhook) */
  secret?: string;
  /** messages per minute before the vendor's rate-limit answer */
  ratePerMinute?: number;
  /** answer nothing for these requests (1-based) */
  hang?: (n: number) => boolean;
  /** answer a server error for these requests (1-based) */
  fail?: (n: number) => boolean;
  /** the webhook's exact expected body keys */
  webhookKeys?: string[];
  /** the vendor's clock for its rate window and timestamp checks (default Date.now) */
  now?: () => number;
}

export interface Receiver {
  url: string;
  port: number;
  requests: Received[];
  /** the requests the receiver accepted as delivered */
  delivered(): Received[];
  close(): Promise<void>;
}

const sameKeys = (o: unknown, keys: string[]) =>
  !!o && typeof o === 'object' && !Array.isArray(o) && JSON.stringify(Object.keys(o).sort()) === JSON.stringify([...keys].sort());

type Verdict = { status: number; body: string; headers?: Record<string, string> };
const json = (status: number, v: unknown): Verdict => ({ status, body: JSON.stringify(v), headers: { 'content-type': 'application/json' } });

function dingtalk(r: Omit<Received, 'answer'>, o: ReceiverOptions): Verdict {
  if (r.path !== '/robot/send' || r.query.get('access_token') !== o.token) return json(200, { errcode: 300001, errmsg: 'token is not exist' });
  if (o.secret) {
    const ts = Number(r.query.get('timestamp'));
    const expected = crypto.createHmac('sha256', o.secret).update(`${ts}\n${o.secret}`).digest('base64');
    // URLSearchParams already decoded the urlencoded sign once, as DingTalk does
    if (!Number.isInteger(ts) || Math.abs((o.now ?? Date.now)() - ts) > 3600_000 || r.query.get('sign') !== expected)
      return json(200, { errcode: 310000, errmsg: 'sign not match, more: [https://ding-doc.dingtalk.com/doc#/serverapi2/qf2nxq]' });
  }
  const b = r.json as { msgtype?: unknown; text?: { content?: unknown }; at?: { atMobiles?: unknown; atUserIds?: unknown; isAtAll?: unknown } };
  const ok =
    sameKeys(b, ['msgtype', 'text', 'at']) &&
    b.msgtype === 'text' &&
    sameKeys(b.text, ['content']) &&
    typeof b.text?.content === 'string' &&
    sameKeys(b.at, ['atMobiles', 'atUserIds', 'isAtAll']) &&
    Array.isArray(b.at?.atMobiles) &&
    (b.at.atMobiles as unknown[]).every((m) => typeof m === 'string' && /^[0-9]{5,15}$/.test(m)) &&
    // a mobile rings only when it also appears in the text as @mobile
    (b.at.atMobiles as string[]).every((m) => (b.text!.content as string).includes(`@${m}`)) &&
    typeof b.at?.isAtAll === 'boolean';
  if (!ok) return json(200, { errcode: 40035, errmsg: '缺少参数 json' });
  return json(200, { errcode: 0, errmsg: 'ok' });
}

function wecom(r: Omit<Received, 'answer'>, o: ReceiverOptions): Verdict {
  if (r.path !== '/cgi-bin/webhook/send' || r.query.get('key') !== o.token) return json(200, { errcode: 93000, errmsg: 'invalid webhook url' });
  const b = r.json as { msgtype?: unknown; text?: { content?: unknown; mentioned_list?: unknown; mentioned_mobile_list?: unknown } };
  if (!sameKeys(b, ['msgtype', 'text']) || b.msgtype !== 'text') return json(200, { errcode: 40008, errmsg: 'invalid message type' });
  const t = b.text;
  const ok =
    sameKeys(t, ['content', 'mentioned_list', 'mentioned_mobile_list']) &&
    typeof t?.content === 'string' &&
    Buffer.byteLength(t.content, 'utf8') <= 2048 &&
    Array.isArray(t.mentioned_list) &&
    Array.isArray(t.mentioned_mobile_list);
  if (!ok) return json(200, { errcode: 44004, errmsg: 'empty content or over 2048 bytes' });
  return json(200, { errcode: 0, errmsg: 'ok' });
}

function feishu(r: Omit<Received, 'answer'>, o: ReceiverOptions): Verdict {
  if (r.path !== `/open-apis/bot/v2/hook/${o.token}`) return json(404, { code: 19001, msg: 'param invalid: incoming webhook access token invalid' });
  const b = r.json as { timestamp?: unknown; sign?: unknown; msg_type?: unknown; content?: { text?: unknown } };
  if (o.secret) {
    const ts = Number(b?.timestamp);
    const expected = crypto.createHmac('sha256', `${String(b?.timestamp)}\n${o.secret}`).update('').digest('base64');
    if (typeof b?.timestamp !== 'string' || Math.abs((o.now ?? Date.now)() / 1000 - ts) > 3600 || b.sign !== expected)
      return json(200, { code: 19021, msg: 'sign match fail or timestamp is not within one hour from current time' });
  }
  const keys = o.secret ? ['timestamp', 'sign', 'msg_type', 'content'] : ['msg_type', 'content'];
  const ok = sameKeys(b, keys) && b.msg_type === 'text' && sameKeys(b.content, ['text']) && typeof b.content?.text === 'string';
  if (!ok) return json(400, { code: 9499, msg: 'Bad Request' });
  return json(200, { code: 0, msg: 'success', data: {} });
}

function slack(r: Omit<Received, 'answer'>, o: ReceiverOptions): Verdict {
  const text = (status: number, body: string): Verdict => ({ status, body, headers: { 'content-type': 'text/plain' } });
  if (r.path !== `/services/${o.token}`) return text(404, 'no_service');
  const b = r.json as { text?: unknown; blocks?: { type?: unknown; text?: { type?: unknown; text?: unknown } }[] };
  if (!sameKeys(b, ['text', 'blocks']) || typeof b.text !== 'string' || !b.text) return text(400, 'no_text');
  const ok =
    Array.isArray(b.blocks) &&
    b.blocks.length > 0 &&
    b.blocks.every((x) => x.type === 'section' && x.text?.type === 'mrkdwn' && typeof x.text.text === 'string' && x.text.text.length <= 3000);
  return ok ? text(200, 'ok') : text(400, 'invalid_payload');
}

function webhook(r: Omit<Received, 'answer'>, o: ReceiverOptions): Verdict {
  if (r.path !== `/${o.token}`) return { status: 404, body: 'not found' };
  if (o.secret && r.headers.authorization !== `Bearer ${o.secret}`) return json(401, { code: 'Unauthorized', message: 'bad credential' });
  if (o.webhookKeys && !sameKeys(r.json, o.webhookKeys)) return json(400, { code: 'InvalidParameter', message: 'unexpected body' });
  return json(200, { code: 'OK', requestId: crypto.randomUUID() });
}

const CHECK: Record<Vendor, (r: Omit<Received, 'answer'>, o: ReceiverOptions) => Verdict> = { dingtalk, wecom, feishu, slack, webhook };

/** the vendor's "too fast" answer */
function rateLimited(v: Vendor): Verdict {
  switch (v) {
    case 'dingtalk':
      return json(200, { errcode: 130101, errmsg: 'send too fast, exceed 20 times per minute' });
    case 'wecom':
      return json(200, { errcode: 45009, errmsg: 'api freq out of limit' });
    case 'feishu':
      return json(200, { code: 11232, msg: 'frequency limited' });
    case 'slack':
      return { status: 429, body: 'rate_limited', headers: { 'retry-after': '1', 'content-type': 'text/plain' } };
    case 'webhook':
      return { status: 429, body: 'Too Many Requests', headers: { 'retry-after': '2' } };
  }
}

export async function startReceiver(vendor: Vendor, o: ReceiverOptions): Promise<Receiver> {
  const requests: Received[] = [];
  const accepted: number[] = [];
  const hanging = new Set<http.ServerResponse>();
  let n = 0;
  const now = o.now ?? Date.now;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const i = ++n;
      const u = new URL(req.url ?? '/', 'http://x');
      const body = Buffer.concat(chunks).toString('utf8');
      let parsed: unknown = null;
      try {
        parsed = JSON.parse(body);
      } catch {
        parsed = null;
      }
      const base = { method: req.method ?? '', path: u.pathname, query: u.searchParams, headers: req.headers, body, json: parsed, at: now() };
      const rec: Received = { ...base, answer: { status: 0, body: '' } };
      requests.push(rec);
      if (o.hang?.(i)) {
        hanging.add(res);
        return;
      }
      let v: Verdict;
      const jsonType = /^application\/json/.test(req.headers['content-type'] ?? '');
      if (req.method !== 'POST') v = { status: 405, body: 'method not allowed' };
      else if (!jsonType) v = json(400, { errcode: 40035, errmsg: 'content-type must be application/json' });
      else if (o.fail?.(i)) v = vendor === 'slack' ? { status: 500, body: 'rollup_error' } : { status: 502, body: 'Bad Gateway' };
      else if (o.ratePerMinute !== undefined && accepted.filter((t) => t > now() - 60_000).length >= o.ratePerMinute) v = rateLimited(vendor);
      else {
        v = CHECK[vendor](base, o);
        if (v.status === 200 && (v.body === 'ok' || /"(errcode|code)":0\b|"code":"OK"/.test(v.body))) accepted.push(now());
      }
      rec.answer = { status: v.status, body: v.body };
      res.writeHead(v.status, v.headers ?? {});
      res.end(v.body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    delivered: () => requests.filter((r) => r.answer.status === 200 && (r.answer.body === 'ok' || /"(errcode|code)":0\b|"code":"OK"/.test(r.answer.body))),
    async close() {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
