/**
 * Platform wire protocol v1 (docs/protocol.md is the prose reference). JSON text frames over a WebSocket
 * with subprotocol `vigil.v1` and `Authorization: Bearer <token>`. Every inbound frame is validated here,
 * by the client and by the gateway alike.
 *
 * Compatibility: unknown frame types, unknown event kinds and unknown fields are ignored (and counted) by
 * both ends, so a newer server does not break an older client.
 */
import { z } from 'zod';
import { ActionTypeSchema } from './actions';
import { AlertSchema, SilenceSchema } from './alerts';
import { DashboardSchema, SeriesSchema } from './dashboards';
import { SeveritySchema } from './domain';
import { IdentitySchema, PersonSchema } from './identity';
import { parseJson } from './json';
import { describeZodError } from './rpc';
import { CommsSchema, PageLadderSchema } from './paging';
import { RunbookSchema } from './runbooks';

export const PROTOCOL = 'vigil.v1';
export const PROTOCOL_VERSION = 1;
/** the oldest protocol version a v1 server still speaks */
export const MIN_PROTOCOL_VERSION = 1;
/** the largest frame either end accepts; a bigger one is answered with an error frame and dropped */
export const MAX_FRAME_BYTES = 4 * 1024 * 1024;
/** beyond this the socket itself is closed (1009): reading it at all would be the damage */
export const HARD_FRAME_BYTES = 4 * MAX_FRAME_BYTES;

// ---- domain documents the gateway keeps for the process actions --------------------------------------
export const TimelineEntrySchema = z.object({
  id: z.string().min(1).max(64),
  kind: z.enum(['note', 'action', 'decision', 'status_update', 'alert']),
  text: z.string().max(10_000),
  at: z.number(),
  author: z.string().max(80),
});
export const StatusUpdateSchema = z.object({
  phase: z.enum(['start', 'update', 'resolved']),
  text: z.string().max(10_000),
  at: z.number(),
  author: z.string().max(80),
});
/** What `incident.update` carries in `incident`: the whole incident as the gateway stores it. */
export const IncidentDocSchema = z.object({
  id: z.string().min(1).max(64),
  title: z.string(),
  severity: SeveritySchema,
  proposedSeverity: SeveritySchema.nullable(),
  status: z.enum(['open', 'closed']),
  fingerprints: z.array(z.string()),
  declaredBy: z.string(),
  declaredAt: z.number(),
  /** every `incident.update` patch merged in order (roles, change freeze, impact, …) */
  fields: z.record(z.string(), z.unknown()),
  timeline: z.array(TimelineEntrySchema),
  statusUpdates: z.array(StatusUpdateSchema),
  closedAt: z.number().nullable(),
  closedBy: z.string().nullable(),
  postmortem: z.string().nullable(),
  updatedAt: z.number(),
});
export type IncidentDoc = z.infer<typeof IncidentDocSchema>;
/** What `handover.update` carries in `handover`. */
export const HandoverDocSchema = z.object({
  id: z.string().min(1).max(64),
  record: z.unknown(),
  submittedBy: z.string().nullable(),
  /** the login behind submittedBy (null: the shared token, or a gateway before identity) */
  submittedLogin: z.string().nullable().optional(),
  submittedAt: z.number().nullable(),
  signedBy: z.string().nullable(),
  signedLogin: z.string().nullable().optional(),
  signedAt: z.number().nullable(),
  note: z.string().nullable(),
});
export type HandoverDoc = z.infer<typeof HandoverDocSchema>;

/** Event kinds and the data each carries. Data objects are validated with `.passthrough()`-free schemas
 *  after unknown fields are stripped (zod's default), so extra fields from a newer server are harmless. */
export const eventData = {
  'alert.upsert': AlertSchema,
  'alert.remove': z.object({ fingerprint: z.string().min(1) }),
  'silence.upsert': SilenceSchema,
  'silence.remove': z.object({ id: z.string().min(1) }),
  'runbook.upsert': RunbookSchema.omit({ fetchedAt: true, origin: true }),
  'runbook.remove': z.object({ id: z.string().min(1) }),
  'dashboard.upsert': DashboardSchema.omit({ fetchedAt: true }),
  'dashboard.remove': z.object({ id: z.string().min(1) }),
  'series.update': SeriesSchema.omit({ fetchedAt: true }).extend({ fetchedAt: z.number() }),
  /** the roster document (shape owned by src/shared/roster.ts: RosterDocumentSchema) */
  'roster.upsert': z.object({ id: z.string().min(1), name: z.string(), document: z.unknown(), updatedAt: z.number() }),
  'roster.remove': z.object({ id: z.string().min(1) }),
  /** `incident` has the shape of IncidentDocSchema when the gateway sends it */
  'incident.update': z.object({ id: z.string().min(1), incident: z.unknown(), updatedAt: z.number() }),
  'checklist.result': z.object({ runId: z.string().min(1), result: z.unknown(), at: z.number() }),
  /** `handover` has the shape of HandoverDocSchema when the gateway sends it */
  'handover.update': z.object({ id: z.string().min(1), handover: z.unknown(), at: z.number() }),
  'checklist.template': z.object({ id: z.string().min(1), version: z.number().int(), template: z.unknown() }),
  /** a person the gateway knows (from `users add` or a first SSO sign-in): who can be picked for a role */
  'person.upsert': PersonSchema,
  /** one alert's escalation ladder at the gateway: who was paged, on which channels, how delivery went (paging.ts) */
  'page.update': PageLadderSchema,
  /** a status update or test call sent through the gateway's outbox, with each channel's delivery (paging.ts) */
  'comms.update': CommsSchema,
} as const;
export type EventKind = keyof typeof eventData;
export const EVENT_KINDS = Object.keys(eventData) as EventKind[];
export const isEventKind = (k: unknown): k is EventKind =>
  typeof k === 'string' && Object.prototype.hasOwnProperty.call(eventData, k);
export type EventDataOf<K extends EventKind> = z.infer<(typeof eventData)[K]>;

export const ErrorSchema = z.object({ code: z.string().max(64), message: z.string().max(2000) });
export type WireError = z.infer<typeof ErrorSchema>;

// ---- client → server -------------------------------------------------------------------------------
export const HelloFrame = z.object({
  type: z.literal('hello'),
  clientId: z.string().min(1).max(128),
  protocol: z.number().int().positive(),
  /** the last seq stored, or null for "send me a snapshot" */
  cursor: z.number().int().nonnegative().nullable(),
  /** the server id the cursor belongs to (a cursor from another server is meaningless) */
  serverId: z.string().max(128).nullable().optional(),
  /**
   * the name the console's user typed: believed only with the shared token (and recorded marked
   * "(shared token)"); with a personal token or the SSO proxy the credential says who it is and this is ignored
   */
  operator: z.string().max(80).optional(),
  /** "test connection": answer with a welcome, send nothing else, close */
  probe: z.boolean().optional(),
});
export const ActionFrame = z.object({
  type: z.literal('action'),
  /** UUID v7 written to the outbox before the first send; the idempotency key */
  id: z.string().uuid(),
  action: ActionTypeSchema,
  payload: z.unknown(),
  at: z.number(),
  /** the name the console showed when the action was taken: used only with the shared token, else ignored */
  actor: z.string().max(80).optional(),
  /**
   * the login of the person the console queued this action as (from their welcome): when it is not the
   * connection's person the action is refused (`forbidden`), so a queued action never goes out as someone else
   */
  login: z.string().max(128).nullable().optional(),
});
export const PingFrame = z.object({ type: z.literal('ping'), t: z.number() });
export const PongFrame = z.object({ type: z.literal('pong'), t: z.number() });

export const ClientFrame = z.discriminatedUnion('type', [HelloFrame, ActionFrame, PingFrame, PongFrame]);
export type ClientFrame = z.infer<typeof ClientFrame>;

// ---- server → client -------------------------------------------------------------------------------
export const WelcomeFrame = z.object({
  type: z.literal('welcome'),
  protocol: z.number().int().positive(),
  serverId: z.string().min(1).max(128),
  serverTime: z.number(),
  /** the name records made on this connection carry (with the shared token: the typed name, marked) */
  operator: z.string().max(80),
  /** who the credential proved (gateways before identity do not send it) */
  identity: IdentitySchema.optional(),
  /** the newest seq on the server when the welcome was sent */
  head: z.number().int().nonnegative(),
  /** 'snapshot' follows when the cursor is unknown or too old; otherwise 'events' */
  mode: z.enum(['snapshot', 'events']),
});
/** the longest event kind either end accepts */
export const KIND_MAX = 64;
/** the most items one snapshot frame may carry */
export const SNAPSHOT_ITEMS_MAX = 100_000;
export const SnapshotItem = z.object({ kind: z.string().min(1).max(KIND_MAX), data: z.unknown() });
export const SnapshotFrame = z.object({
  type: z.literal('snapshot'),
  /** the seq the snapshot is consistent with: after the last chunk the cursor becomes this */
  seq: z.number().int().nonnegative(),
  chunk: z.number().int().nonnegative(),
  chunks: z.number().int().positive(),
  /** entity counts for the progress bar */
  received: z.number().int().nonnegative(),
  total: z.number().int().nonnegative(),
  items: z.array(SnapshotItem).max(SNAPSHOT_ITEMS_MAX),
});
export const EventFrame = z.object({
  type: z.literal('event'),
  seq: z.number().int().positive(),
  kind: z.string().min(1).max(KIND_MAX),
  data: z.unknown(),
  at: z.number(),
});
export const ResultFrame = z.object({
  type: z.literal('result'),
  id: z.string().min(1).max(64),
  ok: z.boolean(),
  error: ErrorSchema.optional(),
  /** true when this is the stored result of an id applied before (idempotent replay) */
  replay: z.boolean().optional(),
});
export const ServerErrorFrame = z.object({
  type: z.literal('error'),
  error: ErrorSchema,
  fatal: z.boolean().optional(),
  /** come back no sooner than this (rate_limited); added after v1 shipped, so optional */
  retryAfterMs: z.number().int().nonnegative().max(86_400_000).optional(),
});
export const UpstreamStateSchema = z.enum(['ok', 'degraded', 'down']);
/** One cluster's health: `degraded` while some members do not answer, `down` when none does. */
export const ClusterStatusSchema = z.object({
  name: z.string().max(63),
  upstream: UpstreamStateSchema,
  detail: z.string().max(2000).nullable(),
  members: z
    .array(z.object({ url: z.string().max(500), up: z.boolean(), error: z.string().max(500).nullable() }))
    .max(20),
});
export type ClusterStatus = z.infer<typeof ClusterStatusSchema>;
export const StatusFrame = z.object({
  type: z.literal('status'),
  upstream: UpstreamStateSchema,
  detail: z.string().max(2000).nullable(),
  /** per cluster, when the source has clusters (added after v1: optional, ignored by older clients) */
  clusters: z.array(ClusterStatusSchema).max(100).optional(),
});

/** the connection's person changed (an admin renamed them or changed their role): sent unasked */
export const IdentityFrame = z.object({
  type: z.literal('identity'),
  operator: z.string().max(80),
  identity: IdentitySchema,
});

export const ServerFrame = z.discriminatedUnion('type', [
  WelcomeFrame,
  IdentityFrame,
  SnapshotFrame,
  EventFrame,
  ResultFrame,
  ServerErrorFrame,
  StatusFrame,
  PingFrame,
  PongFrame,
]);
export type ServerFrame = z.infer<typeof ServerFrame>;

/** close codes */
/** the credential was refused, or revoked or expired while the socket was open */
export const CLOSE_AUTH_FAILED = 4001;
export const CLOSE_PROTOCOL_ERROR = 4002;
/** the server is shutting down or restarting: reconnect soon */
export const CLOSE_GOING_AWAY = 1001;
export const CLOSE_TOO_LARGE = 1009;
/** too many full snapshots for this client: the error frame before it says when to come back */
export const CLOSE_TRY_LATER = 4029;

/** error codes carried in `error` frames and failed `result`s */
export const ERROR_CODES = {
  badJson: 'bad_json',
  badFrame: 'bad_frame',
  binaryFrame: 'binary_frame',
  tooLarge: 'frame_too_large',
  unknownType: 'unknown_type',
  helloRequired: 'hello_required',
  unsupportedProtocol: 'unsupported_protocol',
  badPayload: 'bad_payload',
  upstream: 'upstream_error',
  unsupported: 'unsupported_action',
  notFound: 'not_found',
  conflict: 'conflict',
  /** the connection's person may not take this action (a viewer; an action queued as someone else) */
  forbidden: 'forbidden',
  /** the credential was revoked or expired while the socket was open: sent before close 4001 */
  credentialRevoked: 'credential_revoked',
  credentialExpired: 'credential_expired',
  internal: 'internal',
  /** an action id used before with another type or payload (the first one's result stands) */
  idConflict: 'id_conflict',
  /** a silence that would match every alert (src/shared/silence-rule.ts) */
  silenceTooBroad: 'silence_too_broad',
  /** a silence or ack longer than the gateway's maximum */
  durationTooLong: 'duration_too_long',
  /** too many full snapshots asked for by one client; the error frame says when to come back */
  rateLimited: 'rate_limited',
} as const;

// ---- decoding ---------------------------------------------------------------------------------------
export type DecodeFailure = {
  ok: false;
  code: 'frame_too_large' | 'binary_frame' | 'bad_json' | 'unknown_type' | 'bad_frame';
  message: string;
  /** the frame's `type`, when it had one */
  type?: string;
};
export type Decoded<T> = { ok: true; frame: T } | DecodeFailure;

const CLIENT_TYPES = new Set(ClientFrame.options.map((o) => o.shape.type.value as string));
const SERVER_TYPES = new Set(ServerFrame.options.map((o) => o.shape.type.value as string));

/** Why a frame was refused: its offending paths in one sentence of at most 500 characters. */
export const describeFrameIssues = (err: z.ZodError): string => describeZodError(err, { root: 'frame', max: 500 });

/**
 * A snapshot frame checked without zod walking its items: a first sync carries 100k entities in chunks of
 * thousands, and zod's parse copies every item into a new object (time, and garbage the collector must move
 * while the staged snapshot grows). The envelope still goes through SnapshotFrame's own fields; each item is
 * checked by hand against exactly SnapshotItem's rules and kept as parsed unless it has keys to strip.
 * Returns null whenever anything does not pass; the caller then lets SnapshotFrame decide (same verdict,
 * same error message), so this path is never more lenient than the schema.
 */
const SnapshotHead = SnapshotFrame.omit({ items: true });
function fastSnapshot(raw: Record<string, unknown>): z.infer<typeof SnapshotFrame> | null {
  const items = raw.items;
  if (!Array.isArray(items) || items.length > SNAPSHOT_ITEMS_MAX) return null;
  let out: unknown[] = items;
  for (let i = 0; i < items.length; i++) {
    const it: unknown = items[i];
    if (typeof it !== 'object' || it === null || Array.isArray(it)) return null;
    const { kind, data } = it as { kind?: unknown; data?: unknown };
    if (typeof kind !== 'string' || kind.length < 1 || kind.length > KIND_MAX || data === undefined) return null;
    let keys = 0;
    for (const _ in it) keys++;
    if (keys !== 2) {
      // unknown fields are stripped, as the schema would (copy the array once, on the first such item)
      if (out === items) out = items.slice();
      out[i] = { kind, data };
    }
  }
  const head = SnapshotHead.safeParse(raw);
  return head.success ? { ...head.data, items: out as z.infer<typeof SnapshotItem>[] } : null;
}

/**
 * An event frame checked by hand against exactly EventFrame's rules (the client applies tens of thousands
 * a second; the schema's parse was a tenth of the cost of storing one). Anything unusual — an unknown
 * field to strip, a value the checks do not pass — returns null and EventFrame decides.
 */
function fastEvent(raw: Record<string, unknown>): z.infer<typeof EventFrame> | null {
  const { seq, kind, data, at } = raw;
  let keys = 0;
  for (const _ in raw) keys++;
  if (keys !== 5 || data === undefined) return null;
  if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq <= 0) return null;
  if (typeof kind !== 'string' || kind.length < 1 || kind.length > KIND_MAX) return null;
  if (typeof at !== 'number' || !Number.isFinite(at)) return null;
  return { type: 'event', seq, kind, data, at };
}

/** frame types with a faster check than their schema's parse (returns null: ask the schema) */
const FAST: Record<string, ((raw: Record<string, unknown>) => unknown) | undefined> = { snapshot: fastSnapshot, event: fastEvent };

function decode<T>(
  schema: z.ZodType<T>,
  known: Set<string>,
  text: string | null,
  byteLength: number,
  maxBytes: number,
  fast: typeof FAST = {},
): Decoded<T> {
  if (byteLength > maxBytes)
    return {
      ok: false,
      code: 'frame_too_large',
      message: `frame of ${byteLength} bytes exceeds the limit of ${maxBytes}`,
    };
  if (text === null) return { ok: false, code: 'binary_frame', message: 'frames must be UTF-8 JSON text, not binary' };
  const json = parseJson(text);
  if (!json.ok)
    return { ok: false, code: 'bad_json', message: `frame is not valid JSON (${json.error.slice(0, 120)})` };
  const raw = json.value;
  if (!raw || typeof raw !== 'object' || Array.isArray(raw))
    return { ok: false, code: 'bad_frame', message: 'frame must be a JSON object with a "type"' };
  const type = (raw as { type?: unknown }).type;
  if (typeof type !== 'string') return { ok: false, code: 'bad_frame', message: 'frame has no string "type"' };
  if (!known.has(type))
    return {
      ok: false,
      code: 'unknown_type',
      message: `unknown frame type "${type.slice(0, 64)}"`,
      type: type.slice(0, 64),
    };
  const quick = fast[type]?.(raw as Record<string, unknown>);
  if (quick) return { ok: true, frame: quick as T };
  const res = schema.safeParse(raw);
  if (!res.success)
    return { ok: false, code: 'bad_frame', message: `${type} frame: ${describeFrameIssues(res.error)}`, type };
  return { ok: true, frame: res.data };
}

/** Validates a frame a client sent. `text` is null for a binary frame. */
export const decodeClientFrame = (text: string | null, byteLength: number, maxBytes = MAX_FRAME_BYTES) =>
  decode<ClientFrame>(ClientFrame, CLIENT_TYPES, text, byteLength, maxBytes);

/** Validates a frame a server sent. `text` is null for a binary frame. */
export const decodeServerFrame = (text: string | null, byteLength: number, maxBytes = MAX_FRAME_BYTES) =>
  decode<ServerFrame>(ServerFrame, SERVER_TYPES, text, byteLength, maxBytes, FAST);
