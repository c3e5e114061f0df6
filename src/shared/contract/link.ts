/** Platform link slice: connection settings, "test connection", the outbox (docs/protocol.md). */
import { z } from 'zod';
import type { OutboxEntry } from '../actions';
import { SettingsSchema, type LinkState, type SignOutReason } from '../domain';
import type { Identity } from '../identity';
import { ErrorSchema } from '../protocol';
import { event, method } from '../rpc';

const Id = z.string().min(1).max(64);

/** Where the link's target comes from: the command line, Settings, or the embedded demo gateway. */
export type LinkTarget = 'cli' | 'settings' | 'embedded' | 'none';

export interface LinkConfig {
  /** the URL the link uses now (for the embedded gateway: its loopback URL) */
  platformUrl: string | null;
  /** the gateway replicas configured (several: the link moves to the next when one fails); empty for the embedded one */
  gateways: string[];
  target: LinkTarget;
  /** a token is stored; the token itself is never sent back */
  hasToken: boolean;
  /** where the token is kept */
  tokenStore: 'os-keychain' | 'file-0600' | 'memory';
  /** the command line fixed URL and token; Settings cannot override them */
  lockedByCli: boolean;
}

/** What failed in a TLS handshake, in words a person can act on. */
export type TlsProblem = 'expired' | 'not_yet_valid' | 'wrong_name' | 'unknown_ca' | 'ca_file' | 'other';

export type LinkTestResult =
  | {
      ok: true;
      url: string;
      serverId: string;
      protocol: number;
      operator: string;
      /** who the credential proved (absent from gateways before identity) */
      identity: Identity | null;
      latencyMs: number;
    }
  | {
      ok: false;
      url: string | null;
      code: 'no_url' | 'no_token' | 'unreachable' | 'auth_failed' | 'protocol' | 'timeout' | 'tls' | 'error';
      message: string;
      /** with auth_failed: why the platform refused the credential */
      auth?: SignOutReason;
      /** with tls: what was wrong with the certificate */
      tls?: TlsProblem;
    };

const Token = z.string().trim().min(1).max(4096);
const CaFile = SettingsSchema.shape.platformCaFile;

/** An outbox row as the Outbox panel shows it. */
export type OutboxItem = OutboxEntry & {
  actor: string;
  /** who queued it (null login: the shared token, or a row from before identity) */
  login: string | null;
  /** how the platform knew who queued it; null for rows from before identity */
  via: 'token' | 'proxy' | 'shared' | 'local' | null;
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
          token: Token.optional(),
          caFile: CaFile.optional(),
        })
        .strict(),
    ]),
  ),
  /**
   * Signs in to a platform: tests the URL with the personal token (none: the SSO proxy in front signs in)
   * and the CA file, and only when the platform answers keeps them (URL and CA in Settings, the token in the
   * secret store) and connects. The result says who the platform says you are, or why it refused.
   */
  linkSignIn: method<LinkTestResult>()(
    z.tuple([
      z
        .object({
          url: SettingsSchema.shape.platformUrl.unwrap().optional(),
          token: Token.optional(),
          caFile: CaFile.optional(),
        })
        .strict(),
    ]),
  ),
  /** forgets the token and signs out (queued actions stay, for the same person's next sign-in) */
  linkSignOut: method<LinkState>()(z.tuple([])),
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
