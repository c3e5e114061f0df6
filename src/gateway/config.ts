/**
 * The gateway's sources from a YAML file (`npm run gateway -- --config FILE`): clusters of HA Alertmanager
 * members, each with its own headers, credentials and TLS, an optional Prometheus for dashboards, and how
 * acks are kept alive. docs/sources.md shows the file with every field.
 *
 * Everything is checked before the gateway starts, and every problem is reported with its line and column:
 * unknown fields (a typo is an error, not a silently ignored setting), bad URLs, duplicate names or members,
 * credential and TLS files that cannot be read. Relative paths are relative to the config file.
 */
import fs from 'node:fs';
import path from 'node:path';
import { LineCounter, parseDocument, type Document } from 'yaml';
import { z } from 'zod';
import { ClusterNameSchema } from '@shared/alerts';
import { SEVERITIES, type SeverityMap } from '@shared/domain';
import type { UpstreamAccess } from './sources/transport';

export class ConfigError extends Error {
  constructor(
    message: string,
    readonly problems: string[],
  ) {
    super(message);
    this.name = 'ConfigError';
  }
}

// ---- durations: Prometheus style (1h30m, 90s, 500ms) -------------------------------------------------

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };
const DURATION = /^(?:\d+(?:ms|s|m|h|d|w))+$/;

/** Milliseconds from a duration such as `1h30m`, `90s`, `500ms` or `0`; null when it is not one. */
export function parseDuration(text: string): number | null {
  if (text === '0') return 0;
  if (!DURATION.test(text)) return null;
  let total = 0;
  for (const m of text.matchAll(/(\d+)(ms|s|m|h|d|w)/g)) total += Number(m[1]) * UNIT_MS[m[2]];
  return Number.isSafeInteger(total) ? total : null;
}

const Duration = z
  .string({ message: 'expected a duration such as 90s, 5m or 1h30m' })
  .transform((s, ctx) => {
    const ms = parseDuration(s.trim());
    if (ms === null) {
      ctx.addIssue({ code: 'custom', message: `"${s}" is not a duration (write e.g. 90s, 5m or 1h30m)` });
      return z.NEVER;
    }
    return ms;
  });

const HttpUrl = z
  .string({ message: 'expected a URL' })
  .superRefine((s, ctx) => {
    let u: URL;
    try {
      u = new URL(s);
    } catch {
      ctx.addIssue({ code: 'custom', message: `"${s}" is not a URL` });
      return;
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:') ctx.addIssue({ code: 'custom', message: `"${s}" must start with http:// or https://` });
    if (u.username || u.password) ctx.addIssue({ code: 'custom', message: 'put credentials in basicAuth (passwordFile), not in the URL' });
    if (u.search || u.hash) ctx.addIssue({ code: 'custom', message: 'the URL must not carry a query or a fragment' });
  })
  .transform((s) => s.replace(/\/+$/, ''));

const FilePath = z.string({ message: 'expected a file path' }).min(1, 'the path is empty');

const AccessFields = {
  headers: z
    .record(
      z.string().regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, 'not a valid HTTP header name'),
      z.string().refine((v) => !/[\r\n]/.test(v), 'a header value cannot contain a line break'),
    )
    .optional(),
  basicAuth: z.strictObject({ username: z.string().min(1), passwordFile: FilePath }).optional(),
  bearerTokenFile: FilePath.optional(),
  tls: z
    .strictObject({
      caFile: FilePath.optional(),
      certFile: FilePath.optional(),
      keyFile: FilePath.optional(),
      serverName: z.string().min(1).optional(),
      insecureSkipVerify: z.boolean().optional(),
    })
    .optional(),
};

const AckExtension = z.strictObject({
  enabled: z.boolean().optional(),
  extendIfExpiringIn: Duration.optional(),
  extendBy: Duration.optional(),
  maxDuration: Duration.optional(),
});

/** a platform's own severity label values → P0–P3, before the built-in mapping (docs/sources.md) */
const SeverityMapField = z.record(
  z.string().min(1).max(64),
  z.enum(SEVERITIES, { message: 'expected one of P0, P1, P2, P3' }),
);

const ClusterSchema = z.strictObject({
  name: ClusterNameSchema,
  members: z.array(HttpUrl).min(1, 'a cluster needs at least one member').max(20),
  prometheus: z.union([HttpUrl, z.strictObject({ url: HttpUrl, ...AccessFields })]).optional(),
  dashboards: FilePath.optional(),
  runbooks: FilePath.optional(),
  ackExtension: AckExtension.optional(),
  severityMap: SeverityMapField.optional(),
  ...AccessFields,
});

const FileSchema = z.strictObject({
  pollInterval: Duration.optional(),
  requestTimeout: Duration.optional(),
  ackDuration: Duration.optional(),
  resolvedRetention: Duration.optional(),
  ackExtension: AckExtension.optional(),
  severityMap: SeverityMapField.optional(),
  runbooks: FilePath.optional(),
  roster: FilePath.optional(),
  clusters: z.array(ClusterSchema).min(1, 'list at least one cluster').max(100),
});
type FileConfig = z.infer<typeof FileSchema>;

// ---- what the gateway gets -----------------------------------------------------------------------------

export interface AckExtensionConfig {
  enabled: boolean;
  /** an ack silence ending sooner than this is extended (while its alert fires) */
  extendIfExpiringInMs: number;
  /** to now + this */
  extendByMs: number;
  /** an ack is not extended past its start + this; 0 = as long as the alert fires */
  maxDurationMs: number;
}

export const DEFAULT_ACK_EXTENSION: AckExtensionConfig = {
  enabled: true,
  extendIfExpiringInMs: 5 * 60_000,
  extendByMs: 15 * 60_000,
  maxDurationMs: 0,
};

export interface ClusterConfig {
  name: string;
  members: string[];
  access?: UpstreamAccess;
  prometheus?: { url: string; access?: UpstreamAccess };
  dashboards?: string;
  runbooks?: string;
  ackExtension: AckExtensionConfig;
  /** this cluster's severity words (lower-cased) → P0–P3; the file's own, then the cluster's */
  severityMap?: SeverityMap;
}

export interface SourcesConfig {
  clusters: ClusterConfig[];
  pollIntervalMs?: number;
  requestTimeoutMs?: number;
  ackDurationMinutes?: number;
  resolvedRetentionMs?: number;
  runbooks?: string;
  roster?: string;
}

// ---- locating problems -----------------------------------------------------------------------------

type PathKey = string | number;

function where(doc: Document, lc: LineCounter, p: readonly PathKey[], key?: string): string {
  let node = doc.getIn(p, true) as { range?: [number, number, number]; items?: { key?: { value?: unknown; range?: [number, number, number] } }[] } | undefined;
  // an unknown key: point at the key itself
  if (key && node?.items) {
    const pair = node.items.find((i) => i.key?.value === key);
    if (pair?.key?.range) node = pair.key;
  }
  // a missing field: point at the object that lacks it (the nearest node that exists)
  for (let q = p.slice(); !node?.range && q.length > 0; ) {
    q = q.slice(0, -1);
    node = doc.getIn(q, true) as typeof node;
  }
  if (!node?.range) return 'line 1';
  const pos = lc.linePos(node.range[0]);
  return `line ${pos.line}, column ${pos.col}`;
}

const pathText = (p: readonly PathKey[]) =>
  p.reduce<string>((s, k) => (typeof k === 'number' ? `${s}[${k}]` : s ? `${s}.${k}` : k), '') || '(top level)';

function issueLines(doc: Document, lc: LineCounter, err: z.ZodError): string[] {
  return err.issues.map((i) => {
    const p = i.path as PathKey[];
    if (i.code === 'unrecognized_keys') {
      const keys = i.keys.join(', ');
      return `${where(doc, lc, p, i.keys[0])}: ${pathText(p)}: unknown field${i.keys.length > 1 ? 's' : ''} ${keys}`;
    }
    const message = i.code === 'invalid_type' && i.input === undefined ? 'is required' : i.message;
    return `${where(doc, lc, p)}: ${pathText(p)}: ${message}`;
  });
}

// ---- checks across fields and on the file system ----------------------------------------------------

function readable(file: string): string | null {
  try {
    fs.accessSync(file, fs.constants.R_OK);
    return null;
  } catch (e) {
    return `${file} cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`;
  }
}

interface Problem {
  path: PathKey[];
  message: string;
}

interface AccessLike {
  basicAuth?: { passwordFile: string };
  bearerTokenFile?: string;
  tls?: { caFile?: string; certFile?: string; keyFile?: string };
}

function accessProblems(a: AccessLike, at: PathKey[], resolve: (f: string) => string): Problem[] {
  const out: Problem[] = [];
  if (a.basicAuth && a.bearerTokenFile) out.push({ path: [...at, 'bearerTokenFile'], message: 'use basicAuth or bearerTokenFile, not both' });
  const files: [PathKey[], string | undefined][] = [
    [[...at, 'basicAuth', 'passwordFile'], a.basicAuth?.passwordFile],
    [[...at, 'bearerTokenFile'], a.bearerTokenFile],
    [[...at, 'tls', 'caFile'], a.tls?.caFile],
    [[...at, 'tls', 'certFile'], a.tls?.certFile],
    [[...at, 'tls', 'keyFile'], a.tls?.keyFile],
  ];
  for (const [p, f] of files) {
    const why = f ? readable(resolve(f)) : null;
    if (why) out.push({ path: p, message: why });
  }
  if (!!a.tls?.certFile !== !!a.tls?.keyFile) out.push({ path: [...at, 'tls'], message: 'certFile and keyFile go together' });
  return out;
}

function crossChecks(c: FileConfig, resolve: (f: string) => string): Problem[] {
  const out: Problem[] = [];
  const names = new Map<string, number>();
  const members = new Map<string, string>();
  c.clusters.forEach((cl, i) => {
    const at: PathKey[] = ['clusters', i];
    if (names.has(cl.name.toLowerCase())) out.push({ path: [...at, 'name'], message: `the name "${cl.name}" is already used by clusters[${names.get(cl.name.toLowerCase())}]` });
    names.set(cl.name.toLowerCase(), i);
    cl.members.forEach((m, j) => {
      if (members.has(m)) out.push({ path: [...at, 'members', j], message: `${m} is already a member of ${members.get(m)}` });
      members.set(m, `cluster "${cl.name}"`);
    });
    out.push(...accessProblems(cl, at, resolve));
    if (typeof cl.prometheus === 'object') out.push(...accessProblems(cl.prometheus, [...at, 'prometheus'], resolve));
    if (cl.dashboards && !cl.prometheus) out.push({ path: [...at, 'dashboards'], message: 'dashboards need the cluster\'s prometheus' });
    for (const key of ['dashboards', 'runbooks'] as const) {
      const f = cl[key];
      if (f && !fs.existsSync(resolve(f))) out.push({ path: [...at, key], message: `${resolve(f)} does not exist` });
    }
    const ext = { ...c.ackExtension, ...cl.ackExtension };
    const before = ext.extendIfExpiringIn ?? DEFAULT_ACK_EXTENSION.extendIfExpiringInMs;
    const by = ext.extendBy ?? DEFAULT_ACK_EXTENSION.extendByMs;
    if (by <= before)
      out.push({ path: [...at, 'ackExtension'], message: 'ackExtension.extendBy must be longer than extendIfExpiringIn (or every check would extend again)' });
  });
  for (const key of ['runbooks', 'roster'] as const) {
    const f = c[key];
    if (f && !fs.existsSync(resolve(f))) out.push({ path: [key], message: `${resolve(f)} does not exist` });
  }
  return out;
}

// ---- the result ---------------------------------------------------------------------------------------

function toAccess(a: { headers?: Record<string, string>; basicAuth?: { username: string; passwordFile: string }; bearerTokenFile?: string; tls?: UpstreamAccess['tls'] }, resolve: (f: string) => string): UpstreamAccess | undefined {
  if (!a.headers && !a.basicAuth && !a.bearerTokenFile && !a.tls) return undefined;
  const tls = a.tls && {
    ...a.tls,
    caFile: a.tls.caFile && resolve(a.tls.caFile),
    certFile: a.tls.certFile && resolve(a.tls.certFile),
    keyFile: a.tls.keyFile && resolve(a.tls.keyFile),
  };
  return {
    headers: a.headers,
    basicAuth: a.basicAuth && { username: a.basicAuth.username, passwordFile: resolve(a.basicAuth.passwordFile) },
    bearerTokenFile: a.bearerTokenFile && resolve(a.bearerTokenFile),
    tls,
  };
}

/** the file's mapping with the cluster's on top, keys lower-cased as labels are compared; undefined when neither */
function severities(...maps: (Record<string, SeverityMap[string]> | undefined)[]): SeverityMap | undefined {
  if (maps.every((m) => !m)) return undefined;
  const out: Record<string, SeverityMap[string]> = {};
  for (const m of maps) for (const [k, v] of Object.entries(m ?? {})) out[k.trim().toLowerCase()] = v;
  return out;
}

function toConfig(c: FileConfig, resolve: (f: string) => string): SourcesConfig {
  const ext = (own: FileConfig['ackExtension']): AckExtensionConfig => {
    const e = { ...c.ackExtension, ...own };
    return {
      enabled: e.enabled ?? DEFAULT_ACK_EXTENSION.enabled,
      extendIfExpiringInMs: e.extendIfExpiringIn ?? DEFAULT_ACK_EXTENSION.extendIfExpiringInMs,
      extendByMs: e.extendBy ?? DEFAULT_ACK_EXTENSION.extendByMs,
      maxDurationMs: e.maxDuration ?? DEFAULT_ACK_EXTENSION.maxDurationMs,
    };
  };
  return {
    pollIntervalMs: c.pollInterval,
    requestTimeoutMs: c.requestTimeout,
    ackDurationMinutes: c.ackDuration === undefined ? undefined : Math.max(1, Math.round(c.ackDuration / 60_000)),
    resolvedRetentionMs: c.resolvedRetention,
    runbooks: c.runbooks && resolve(c.runbooks),
    roster: c.roster && resolve(c.roster),
    clusters: c.clusters.map((cl) => ({
      name: cl.name,
      members: cl.members,
      access: toAccess(cl, resolve),
      prometheus:
        cl.prometheus === undefined
          ? undefined
          : typeof cl.prometheus === 'string'
            ? { url: cl.prometheus }
            : { url: cl.prometheus.url, access: toAccess(cl.prometheus, resolve) },
      dashboards: cl.dashboards && resolve(cl.dashboards),
      runbooks: cl.runbooks && resolve(cl.runbooks),
      ackExtension: ext(cl.ackExtension),
      severityMap: severities(c.severityMap, cl.severityMap),
    })),
  };
}

const lineOf = (problem: string) => Number(/^line (\d+)/.exec(problem)?.[1] ?? 0);
const byLine = (problems: string[]) => problems.slice().sort((a, b) => lineOf(a) - lineOf(b));

/** Parses and checks a config file's text; `file` names it in messages and anchors relative paths. */
export function parseSourcesConfig(text: string, file: string): SourcesConfig {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, uniqueKeys: true, prettyErrors: false });
  const fail = (problems: string[]): never => {
    throw new ConfigError(`${file} has ${problems.length === 1 ? 'a problem' : `${problems.length} problems`}:\n  ${problems.join('\n  ')}`, problems);
  };
  if (doc.errors.length > 0)
    fail(doc.errors.map((e) => `line ${e.linePos?.[0].line ?? 1}, column ${e.linePos?.[0].col ?? 1}: ${e.message.split('\n')[0]}`));
  const parsed = FileSchema.safeParse(doc.toJS() ?? {});
  if (!parsed.success) fail(byLine(issueLines(doc, lc, parsed.error)));
  const c = parsed.data!;
  const dir = path.dirname(path.resolve(file));
  const resolve = (f: string) => path.resolve(dir, f);
  const problems = crossChecks(c, resolve);
  if (problems.length > 0) fail(byLine(problems.map((p) => `${where(doc, lc, p.path)}: ${pathText(p.path)}: ${p.message}`)));
  return toConfig(c, resolve);
}

export function loadSourcesConfig(file: string): SourcesConfig {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConfigError(`the config file ${file} cannot be read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, []);
  }
  return parseSourcesConfig(text, file);
}
