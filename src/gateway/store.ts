/**
 * What the gateway keeps, as one interface: the event log every client resumes from, the current state of
 * every entity (what a snapshot sends), and the action log that makes an action id apply once.
 *
 * The server, the stream pump, the action handler and the sources' `known()` depend on this interface only;
 * no SQL outside the implementation. Two implement it: SQLite (`sqlite/store.ts`, `openGatewayStore`, one
 * process) and PostgreSQL (`postgres/store.ts`, `openPgGatewayStore`, any number of replicas). Every method is
 * synchronous and atomic on its own: an implementation that needs a round trip must still present each
 * call as one transaction (`append` logs all of its events or none; `applyProcessAction` changes the
 * process records, logs their events and records the action id together).
 *
 * Seq numbers are positive, strictly increasing and never reused; `head()` is the newest ever assigned
 * (0 for a new log), also after pruning. The log may be pruned from the old end: `oldest()` says where it
 * starts, and a client whose cursor is below `oldest() - 1` can only be helped by a snapshot.
 */
import type { WireError } from '@shared/protocol';
import type { Family, OfferedEvent } from './entities';
import type { ProcessAction } from './process';

export interface StoredEvent {
  seq: number;
  kind: string;
  /** the data as JSON text, sent as is */
  data: string;
  at: number;
}

export interface SnapshotChunks {
  /** the log position the state is consistent with: the client resumes after it */
  seq: number;
  /** entities in all chunks */
  total: number;
  /**
   * `body` is the chunk's items as UTF-8 JSON array elements, comma-separated, ready to go between `[` and
   * `]`. A Buffer: off the JS heap while it waits for its turn, and written to the socket without re-encoding.
   */
  chunks: { body: Buffer; items: number }[];
}

export interface StoredResult {
  ok: boolean;
  error: WireError | null;
}

export interface AppendOutcome {
  appended: StoredEvent[];
  /** events refused because their kind is unknown or their data does not match the kind's schema */
  invalid: { kind: string; reason: string }[];
  /** upserts identical to what is stored, and removals of what is not stored: no new seq */
  unchanged: number;
}

export interface UsedAction {
  type: string;
  payload: string | null;
}

export interface ActionRecord {
  id: string;
  type: string;
  payload: unknown;
  /** the name records carry: the person's display name, or a typed name marked "(shared token)" */
  actor: string;
  /** the login the credential proved; null for the shared token */
  login: string | null;
  clientId: string | null;
  at: number;
}

/** The log clients resume from. */
export interface EventLog {
  /** this log's identity: a client's cursor means something only on the log with the same serverId */
  readonly serverId: string;
  /** the newest seq ever assigned (0 when nothing was logged) */
  head(): number;
  /** the oldest seq still in the log (head + 1 when empty) */
  oldest(): number;
  /**
   * Checks each event (`checkEvent`: unknown kinds and schema failures are refused and reported), skips
   * upserts identical to the stored entity and removals of unknown ones, and logs the rest in order, updating
   * the entities they write, in one transaction. May prune the oldest events beyond the store's retention.
   */
  append(events: readonly OfferedEvent[], at: number): AppendOutcome;
  /** at most `limit` events with seq > `seq`, oldest first */
  eventsAfter(seq: number, limit: number): StoredEvent[];
}

/** The current state of every entity. */
export interface EntityState {
  /**
   * Every entity, families in FAMILY_ORDER (dashboards before their series), as snapshot chunks, with the seq
   * the state is consistent with. A chunk holds at most `maxItems` items and, unless a single item is larger,
   * at most `maxBytes` bytes of item text (each item counted with one comma); there is always at least one
   * chunk (an empty state is one empty chunk).
   */
  snapshot(maxItems: number, maxBytes: number): SnapshotChunks;
  /** the current entities of one family (their data parsed), oldest write first */
  current(family: Family): { id: string; data: unknown }[];
}

/** Action ids and their outcomes: what makes an action apply once. */
export interface ActionLog {
  /** the stored outcome of an action id, or null when it has none (new, or in doubt) */
  storedResult(id: string): StoredResult | null;
  /**
   * What an action id was used for — its type and payload (JSON text as received; null when an older
   * gateway did not keep it) — once it has a result or an attempt in doubt; null for a new id. An id sent
   * again with another type or payload is refused (`id_conflict`), not applied and not answered `ok`.
   */
  actionOf(id: string): UsedAction | null;
  /**
   * Durably notes that the upstream apply of `a.id` begins, before the source is called. `resumed` is true
   * when an earlier attempt of the same id began and never stored a result (the gateway died mid-apply).
   * `busy` (stores shared by several replicas): another live replica is applying this id right now, or has
   * just stored its result; nothing was noted, and the caller waits for the stored result (or retries).
   */
  beginAction(a: ActionRecord): { resumed: boolean; busy?: boolean };
  /** ids whose apply began and has no result (in doubt after a crash, until their client resends them) */
  unfinishedActions(): number;
  /** stores an action's outcome (with an audit line) and clears its attempt */
  recordAction(a: ActionRecord, r: StoredResult): void;
  /**
   * Applies a validated process action (incidents, checklists, handovers: records only the gateway keeps),
   * logs the events it yields and stores its outcome, all in one transaction: applied exactly once. A
   * refusal changes no record and logs nothing; its outcome is stored like any other.
   */
  applyProcessAction(a: ActionRecord, type: ProcessAction, payload: unknown): ProcessApplied;
}

export interface ProcessApplied {
  result: StoredResult;
  /** what the action logged (empty when refused) */
  appended: StoredEvent[];
}

/** One ack silence the gateway has kept alive (kthxbye's job, done once per cluster by the gateway). */
export interface AckExtension {
  cluster: string;
  /** Alertmanager's id of the silence as it stands now */
  silenceId: string;
  /** how many times it was extended */
  extensions: number;
  /** the end time the last extension set: a listing that shows an earlier end is stale (gossip lag) */
  extendedTo: number;
  at: number;
}

/** The ack extensions done, so a count survives restarts and a stale member never causes a second one. */
export interface AckLedger {
  /** every extension record of a cluster */
  ackExtensions(cluster: string): AckExtension[];
  /**
   * Records one more extension of `fromId` (its count + 1), now known as `toId` (Alertmanager may replace a
   * silence it cannot update in place), ending at `extendedTo`. Returns the record.
   */
  recordAckExtension(e: { cluster: string; fromId: string; toId: string; extendedTo: number; at: number }): AckExtension;
  /** drops the records of silences that are gone or no longer active */
  forgetAckExtensions(cluster: string, silenceIds: readonly string[]): void;
}

export interface GatewayStore extends EventLog, EntityState, ActionLog, AckLedger {
  close(): void;
}
