/**
 * What paging keeps, behind its own interface so a PostgreSQL implementation (issue #17) can sit beside
 * the SQLite one (`sqlite/paging.ts`): the ladders the gateway runs, the steps (levels paged) of each, the
 * comms (incident status updates and self-check test calls, issue #16 items 5–6), and the outbound
 * messages of both with their delivery state (the outbox, retries and dead letters).
 *
 * The guarantees the runner builds on, which every implementation keeps:
 * - `page` is atomic and guarded: it moves the ladder from exactly `from` to `from + 1`, records the step and
 *   inserts its messages together, or does nothing and returns false. So a level is paged once, also when two
 *   passes race or the process dies between them.
 * - a message id is `ladderId/level/channel/person`: inserting it twice keeps the first (one message per level
 *   per alert across restarts).
 * - `claim` is atomic: of several deliverers (replicas) that read the same due message, exactly one claims
 *   it; its nextAt moves to the end of the claim, so nobody else takes it until the claimer reports (markSent,
 *   markRetry, markDead) or dies and the claim runs out.
 * - `addComms` inserts the comms row and its messages together; inserting an id twice keeps the first (an
 *   action resent after a lost answer sends nothing twice). A message belongs to a ladder or to a comms
 *   (exactly one of `ladderId`, `commsId`).
 * - a message's `maxAttempts`, when set, overrides its channel's (a test call tries once).
 * - every method is synchronous and one transaction on its own.
 */
import type { ChannelType, Delivery, PagedPerson } from '@shared/paging';

export interface LadderRow {
  id: string;
  fingerprint: string;
  rosterId: string;
  policyId: string;
  startedAt: number;
  /** the level paged last (0: none yet) */
  level: number;
  levelAt: number;
  stoppedAt: number | null;
  stopReason: string | null;
}

export interface StepRow {
  ladderId: string;
  level: number;
  at: number;
  by: string | null;
  night: boolean;
  people: PagedPerson[];
  unstaffed: string[];
}

export type MessageState = 'pending' | 'sent' | 'dead';

export interface NewMessage {
  id: string;
  channel: string;
  type: ChannelType;
  /** the roster person an individual message is for (null: a group message) */
  person: string | null;
  /** what the sender needs to build the request (the rendered text and the mention lists), as JSON */
  body: string;
  /** tries before the dead letters; null/absent: the channel's */
  maxAttempts?: number | null;
}

export interface MessageRow extends NewMessage {
  /** the ladder a page belongs to, or null for a comms message */
  ladderId: string | null;
  /** the comms a status update or test call belongs to, or null for a page */
  commsId: string | null;
  maxAttempts: number | null;
  /** the ladder level (0 for comms) */
  level: number;
  state: MessageState;
  attempts: number;
  /** when the next try is due (pending only) */
  nextAt: number;
  lastError: string | null;
  createdAt: number;
  doneAt: number | null;
}

export interface CommsRow {
  id: string;
  kind: 'incident' | 'test';
  incidentId: string | null;
  phase: 'start' | 'update' | 'resolved' | null;
  by: string;
  login: string | null;
  at: number;
  /** test calls: the sender's own console path */
  console: 'delivered' | 'not_connected' | 'no_login' | null;
  /** why nothing was sent, when no message was */
  none: 'paging_off' | 'no_roster' | 'no_channels' | 'not_in_roster' | null;
}

export interface PagingStore {
  /** ladders not stopped, oldest first */
  openLadders(): LadderRow[];
  /** the newest ladder of an alert, open or stopped */
  latestLadder(fingerprint: string): LadderRow | null;
  ladder(id: string): LadderRow | null;
  /** starts a ladder at level 0; false when the alert already has an open one */
  startLadder(row: Omit<LadderRow, 'level' | 'levelAt' | 'stoppedAt' | 'stopReason'>): boolean;
  /** level `from` → `from + 1` with its step and messages, atomically; false when the ladder is not at `from` or stopped */
  page(ladderId: string, from: number, step: StepRow, messages: NewMessage[]): boolean;
  /** false when already stopped */
  stop(ladderId: string, reason: string, at: number): boolean;
  steps(ladderId: string): StepRow[];
  messages(ladderId: string): MessageRow[];
  /** pending messages due at `now`, oldest first */
  dueMessages(now: number, limit: number): MessageRow[];
  /** the earliest nextAt of a pending message, or null */
  nextDue(): number | null;
  /**
   * takes a due message for sending: true when it was still pending with `attempts` tries and due at `now`,
   * and its nextAt is now `until`; false when another deliverer claimed or finished it first
   */
  claim(id: string, attempts: number, now: number, until: number): boolean;
  markSent(id: string, attempts: number, at: number): void;
  markRetry(id: string, attempts: number, nextAt: number, error: string): void;
  markDead(id: string, attempts: number, at: number, error: string): void;
  /** messages given up on, newest first */
  deadLetters(limit: number): MessageRow[];
  /** a comms row and its messages, atomically; false (and nothing written) when the id exists */
  addComms(row: CommsRow, messages: NewMessage[]): boolean;
  comms(id: string): CommsRow | null;
  commsMessages(commsId: string): MessageRow[];
  close(): void;
}

/** A stored message as consoles see its delivery (a ladder's level or a comms message); `name` words a person id. */
export function deliveryOf(m: MessageRow, name: (id: string | null) => string | null): Delivery {
  return {
    channel: m.channel,
    type: m.type,
    person: name(m.person),
    state: m.state === 'pending' ? (m.attempts ? 'retrying' : 'pending') : m.state,
    attempts: m.attempts,
    at: m.doneAt,
    error: m.lastError,
  };
}
