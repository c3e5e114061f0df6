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
import { RunbookSchema } from './runbooks';

export const PROTOCOL = 'vigil.v1';
export const PROTOCOL_VERSION = 1;
/** the largest frame either end accepts */
export const MAX_FRAME_BYTES = 4 * 1024 * 1024;

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
  'incident.update': z.object({ id: z.string().min(1), incident: z.unknown(), updatedAt: z.number() }),
  'checklist.result': z.object({ runId: z.string().min(1), result: z.unknown(), at: z.number() }),
  'handover.update': z.object({ id: z.string().min(1), handover: z.unknown(), at: z.number() }),
  'checklist.template': z.object({ id: z.string().min(1), version: z.number().int(), template: z.unknown() }),
} as const;
export type EventKind = keyof typeof eventData;
export const EVENT_KINDS = Object.keys(eventData) as EventKind[];
export const isEventKind = (k: unknown): k is EventKind =>
  typeof k === 'string' && Object.prototype.hasOwnProperty.call(eventData, k);
export type EventDataOf<K extends EventKind> = z.infer<(typeof eventData)[K]>;

export const ErrorSchema = z.object({ code: z.string().max(64), message: z.string().max(2000) });

// ---- client → server -------------------------------------------------------------------------------
export const HelloFrame = z.object({
  type: z.literal('hello'),
  clientId: z.string().min(1).max(128),
  protocol: z.number().int().positive(),
  /** the last seq stored, or null for "send me a snapshot" */
  cursor: z.number().int().nonnegative().nullable(),
  /** the server id the cursor belongs to (a cursor from another server is meaningless) */
  serverId: z.string().max(128).nullable().optional(),
});
export const ActionFrame = z.object({
  type: z.literal('action'),
  id: z.string().uuid(),
  action: ActionTypeSchema,
  payload: z.unknown(),
  at: z.number(),
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
  operator: z.string().max(80),
  /** the newest seq on the server when the welcome was sent */
  head: z.number().int().nonnegative(),
  /** 'snapshot' follows when the cursor is unknown or too old; otherwise 'events' */
  mode: z.enum(['snapshot', 'events']),
});
export const SnapshotFrame = z.object({
  type: z.literal('snapshot'),
  /** the seq the snapshot is consistent with: after the last chunk the cursor becomes this */
  seq: z.number().int().nonnegative(),
  chunk: z.number().int().nonnegative(),
  chunks: z.number().int().positive(),
  /** entity counts for the progress bar */
  received: z.number().int().nonnegative(),
  total: z.number().int().nonnegative(),
  items: z.array(z.object({ kind: z.string(), data: z.unknown() })).max(100_000),
});
export const EventFrame = z.object({
  type: z.literal('event'),
  seq: z.number().int().positive(),
  kind: z.string().min(1).max(64),
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
export const ServerErrorFrame = z.object({ type: z.literal('error'), error: ErrorSchema, fatal: z.boolean().optional() });
export const StatusFrame = z.object({
  type: z.literal('status'),
  upstream: z.enum(['ok', 'degraded', 'down']),
  detail: z.string().max(2000).nullable(),
});

export const ServerFrame = z.discriminatedUnion('type', [
  WelcomeFrame,
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
export const CLOSE_AUTH_FAILED = 4001;
export const CLOSE_PROTOCOL_ERROR = 4002;
export const CLOSE_TOO_LARGE = 1009;
