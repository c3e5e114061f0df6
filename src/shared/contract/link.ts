/** Platform link slice: connection settings, "test connection", the outbox (docs/protocol.md). */
import { z } from 'zod';
import type { OutboxEntry } from '../actions';
import { SettingsSchema, type LinkState } from '../domain';
import { ErrorSchema } from '../protocol';
import { event, method } from '../rpc';

const Id = z.string().min(1).max(64);

/** Where the link's target comes from: the command line, Settings, or the embedded demo gateway. */
export type LinkTarget = 'cli' | 'settings' | 'embedded' | 'none';

export interface LinkConfig {
  /** the URL the link uses now (for the embedded gateway: its loopback URL) */
  platformUrl: string | null;
  target: LinkTarget;
  /** a token is stored; the token itself is never sent back */
  hasToken: boolean;
  /** where the token is kept */
  tokenStore: 'os-keychain' | 'file-0600' | 'memory';
  /** the command line fixed URL and token; Settings cannot override them */
  lockedByCli: boolean;
}

export type LinkTestResult =
  | { ok: true; url: string; serverId: string; protocol: number; operator: string; latencyMs: number }
  | {
      ok: false;
      url: string | null;
      code: 'no_url' | 'no_token' | 'unreachable' | 'auth_failed' | 'protocol' | 'timeout' | 'tls' | 'error';
      message: string;
    };

/** An outbox row as the Outbox panel shows it. */
export type OutboxItem = OutboxEntry & {
  actor: string;
  errorCode: string | null;
  /** a failed action retried by the user: the id of the new action */
  replacedBy: string | null;
};

/** Counters for diagnosis (and for tests): nothing here is fatal. */
export interface LinkStats {
  framesReceived: number;
  eventsApplied: number;
  /** events with seq ≤ cursor (already stored): skipped */
  duplicates: number;
  /** events after a gap: dropped, then resumed from the cursor */
  gaps: number;
  /** event kinds no module stores */
  unknownKinds: number;
  /** events an applier refused (bad data); kept in sync_rejects */
  rejectedEvents: number;
  /** inbound frames that failed validation, by code */
  badFrames: Record<string, number>;
  /** server error frames received */
  serverErrors: number;
  connects: number;
  snapshots: number;
  /** how long storing the last snapshot took (one transaction), ms */
  lastSnapshotStoreMs: number | null;
}

export const linkMethods = {
  linkConfig: method<LinkConfig>()(z.tuple([])),
  /** stores (or, with null, removes) the platform token and reconnects */
  linkSetToken: method<LinkConfig>()(z.tuple([z.string().trim().min(1).max(4096).nullable()])),
  /** tries a URL and token (defaults: the current ones) without touching the link or the store */
  linkTest: method<LinkTestResult>()(
    z.tuple([
      z
        .object({
          url: SettingsSchema.shape.platformUrl.optional(),
          token: z.string().trim().min(1).max(4096).optional(),
        })
        .strict(),
    ]),
  ),
  /** drops the current connection and connects at once (re-reading URL and token) */
  linkReconnect: method<LinkState>()(z.tuple([])),
  linkStats: method<LinkStats>()(z.tuple([])),
  /** actions not yet confirmed (pending, sent, failed) and the 20 most recently finished */
  outboxList: method<{ open: OutboxItem[]; recent: OutboxItem[] }>()(z.tuple([])),
  /** resends a failed action as a new action (new id); returns the new entry */
  outboxRetry: method<OutboxItem>()(z.tuple([Id])),
  /** gives up a pending or failed action; one already sent cannot be taken back */
  outboxDiscard: method<OutboxItem>()(z.tuple([Id])),
};

/** The platform's answer to one action: the outboxResult event, and what the link client reports. */
export const OutboxResultSchema = z.object({
  id: z.string(),
  type: z.string(),
  ok: z.boolean(),
  error: ErrorSchema.nullable(),
  replay: z.boolean(),
});
export type OutboxResult = z.infer<typeof OutboxResultSchema>;

export const linkEvents = {
  /** the platform answered an action */
  outboxResult: event(OutboxResultSchema),
};
