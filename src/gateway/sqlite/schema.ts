/**
 * The gateway's SQLite schema, as numbered migrations (applied and checksummed by openDatabase):
 * - events: the log every client resumes from, seq monotonic (INTEGER PRIMARY KEY AUTOINCREMENT, never reused)
 * - entities: the current state of every entity, which is what a snapshot sends
 * - actions: every action id with its stored result (idempotency: an id is applied once)
 * - action_attempts: ids whose upstream apply has begun and has no stored result yet; a row left behind means
 *   the gateway died mid-apply, and the resend of that id must look upstream before applying again (its
 *   payload since migration 5: a resend with another payload is refused as id_conflict)
 * - incidents, incident_timeline, incident_status_updates, checklist_results, handovers: what the
 *   process actions create (see process.ts)
 * - audit: who did what
 * - users, user_tokens, users_revision: people, their personal tokens (scrypt hashes only) and the counter
 *   every change to them moves (users.ts); the login beside each action, attempt, audit row and handover
 * - ack_extensions: the ack silences the gateway extended while their alert fired (ack-ledger.ts)
 * - page_ladders, page_steps, page_messages: the escalation ladders the gateway runs, the levels it paged,
 *   and the outbound messages with their delivery state (paging.ts, behind PagingStore)
 * - page_comms (migration 7): incident status updates and self-check test calls sent through the same
 *   outbox; a page_messages row belongs to a ladder or to a comms row (never both), and may carry its own
 *   try limit (a test call tries once)
 *
 * Never edit an applied migration: add the next one.
 */
import type { Migration } from '@node/sqlite';

const SCHEMA = `
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE events (
  seq  INTEGER PRIMARY KEY AUTOINCREMENT,
  kind TEXT NOT NULL,
  data TEXT NOT NULL,
  at   INTEGER NOT NULL
);
CREATE TABLE entities (
  family TEXT NOT NULL,
  id     TEXT NOT NULL,
  kind   TEXT NOT NULL,
  data   TEXT NOT NULL,
  seq    INTEGER NOT NULL,
  PRIMARY KEY (family, id)
);
CREATE TABLE actions (
  id            TEXT PRIMARY KEY,
  type          TEXT NOT NULL,
  payload       TEXT NOT NULL,
  actor         TEXT NOT NULL,
  client_id     TEXT,
  received_at   INTEGER NOT NULL,
  ok            INTEGER NOT NULL,
  error_code    TEXT,
  error_message TEXT
);
CREATE TABLE incidents (
  id                TEXT PRIMARY KEY,
  title             TEXT NOT NULL,
  severity          TEXT NOT NULL,
  proposed_severity TEXT,
  status            TEXT NOT NULL,
  fingerprints      TEXT NOT NULL,
  fields            TEXT NOT NULL DEFAULT '{}',
  declared_by       TEXT NOT NULL,
  declared_at       INTEGER NOT NULL,
  closed_at         INTEGER,
  closed_by         TEXT,
  postmortem        TEXT,
  updated_at        INTEGER NOT NULL
);
CREATE TABLE incident_timeline (
  id          TEXT PRIMARY KEY,
  incident_id TEXT NOT NULL REFERENCES incidents(id),
  kind        TEXT NOT NULL,
  text        TEXT NOT NULL,
  at          INTEGER NOT NULL,
  author      TEXT NOT NULL
);
CREATE INDEX incident_timeline_inc ON incident_timeline(incident_id, at);
CREATE TABLE incident_status_updates (
  id          INTEGER PRIMARY KEY,
  incident_id TEXT NOT NULL REFERENCES incidents(id),
  phase       TEXT NOT NULL,
  text        TEXT NOT NULL,
  at          INTEGER NOT NULL,
  author      TEXT NOT NULL
);
CREATE TABLE checklist_results (
  run_id      TEXT PRIMARY KEY,
  template_id TEXT NOT NULL,
  result      TEXT NOT NULL,
  at          INTEGER NOT NULL,
  author      TEXT NOT NULL
);
CREATE TABLE handovers (
  id           TEXT PRIMARY KEY,
  record       TEXT NOT NULL,
  submitted_by TEXT,
  submitted_at INTEGER,
  signed_by    TEXT,
  signed_at    INTEGER,
  note         TEXT
);
CREATE TABLE audit (
  id     INTEGER PRIMARY KEY,
  at     INTEGER NOT NULL,
  actor  TEXT NOT NULL,
  action TEXT NOT NULL,
  detail TEXT NOT NULL DEFAULT ''
);
`;

const ATTEMPTS = `
CREATE TABLE action_attempts (
  id         TEXT PRIMARY KEY,
  type       TEXT NOT NULL,
  actor      TEXT NOT NULL,
  client_id  TEXT,
  started_at INTEGER NOT NULL,
  attempts   INTEGER NOT NULL DEFAULT 1
);
`;

const IDENTITY = `
CREATE TABLE users (
  login      TEXT PRIMARY KEY,
  name       TEXT NOT NULL,
  role       TEXT NOT NULL CHECK (role IN ('viewer', 'responder', 'admin')),
  origin     TEXT NOT NULL CHECK (origin IN ('cli', 'proxy', 'embedded')),
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  revoked_at INTEGER
);
CREATE TABLE user_tokens (
  id           TEXT PRIMARY KEY,
  login        TEXT NOT NULL REFERENCES users(login),
  hash         TEXT NOT NULL,
  created_at   INTEGER NOT NULL,
  last_used_at INTEGER,
  expires_at   INTEGER,
  revoked_at   INTEGER
);
CREATE INDEX user_tokens_login ON user_tokens(login);
CREATE TABLE users_revision (id INTEGER PRIMARY KEY CHECK (id = 1), revision INTEGER NOT NULL);
INSERT INTO users_revision (id, revision) VALUES (1, 0);
ALTER TABLE actions ADD COLUMN login TEXT;
ALTER TABLE action_attempts ADD COLUMN login TEXT;
ALTER TABLE audit ADD COLUMN login TEXT;
ALTER TABLE handovers ADD COLUMN submitted_login TEXT;
ALTER TABLE handovers ADD COLUMN signed_login TEXT;
`;

const ACK_EXTENSIONS = `
CREATE TABLE ack_extensions (
  cluster     TEXT NOT NULL,
  silence_id  TEXT NOT NULL,
  extensions  INTEGER NOT NULL,
  extended_to INTEGER NOT NULL,
  at          INTEGER NOT NULL,
  PRIMARY KEY (cluster, silence_id)
);
`;

/** issue #13: an attempt in doubt keeps its payload, so a resend with another payload is an id_conflict */
const ATTEMPT_PAYLOAD = `
ALTER TABLE action_attempts ADD COLUMN payload TEXT;
`;

const PAGING = `
CREATE TABLE page_ladders (
  id          TEXT PRIMARY KEY,
  fingerprint TEXT NOT NULL,
  roster_id   TEXT NOT NULL,
  policy_id   TEXT NOT NULL,
  started_at  INTEGER NOT NULL,
  level       INTEGER NOT NULL DEFAULT 0,
  level_at    INTEGER NOT NULL,
  stopped_at  INTEGER,
  stop_reason TEXT
);
CREATE UNIQUE INDEX page_ladders_open ON page_ladders(fingerprint) WHERE stopped_at IS NULL;
CREATE INDEX page_ladders_fp ON page_ladders(fingerprint, started_at);
CREATE TABLE page_steps (
  ladder_id TEXT NOT NULL REFERENCES page_ladders(id),
  level     INTEGER NOT NULL,
  at        INTEGER NOT NULL,
  by_name   TEXT,
  night     INTEGER NOT NULL,
  people    TEXT NOT NULL,
  unstaffed TEXT NOT NULL,
  PRIMARY KEY (ladder_id, level)
);
CREATE TABLE page_messages (
  id         TEXT PRIMARY KEY,
  ladder_id  TEXT NOT NULL REFERENCES page_ladders(id),
  level      INTEGER NOT NULL,
  channel    TEXT NOT NULL,
  type       TEXT NOT NULL,
  person     TEXT,
  body       TEXT NOT NULL,
  state      TEXT NOT NULL CHECK (state IN ('pending', 'sent', 'dead')),
  attempts   INTEGER NOT NULL DEFAULT 0,
  next_at    INTEGER NOT NULL,
  last_error TEXT,
  created_at INTEGER NOT NULL,
  done_at    INTEGER
);
CREATE INDEX page_messages_due ON page_messages(state, next_at);
CREATE INDEX page_messages_ladder ON page_messages(ladder_id, level);
`;

/**
 * issue #16 items 5 and 6: messages that are not pages. page_messages is rebuilt (SQLite cannot drop a NOT
 * NULL or add a CHECK in place) with ladder_id nullable, comms_id and max_attempts; its rows are kept.
 */
const COMMS = `
CREATE TABLE page_comms (
  id          TEXT PRIMARY KEY,
  kind        TEXT NOT NULL CHECK (kind IN ('incident', 'test')),
  incident_id TEXT,
  phase       TEXT CHECK (phase IS NULL OR phase IN ('start', 'update', 'resolved')),
  by_name     TEXT NOT NULL,
  login       TEXT,
  at          INTEGER NOT NULL,
  console     TEXT,
  none_reason TEXT
);
CREATE INDEX page_comms_incident ON page_comms(incident_id, at);
CREATE TABLE page_messages_v7 (
  id           TEXT PRIMARY KEY,
  ladder_id    TEXT REFERENCES page_ladders(id),
  comms_id     TEXT REFERENCES page_comms(id),
  level        INTEGER NOT NULL,
  channel      TEXT NOT NULL,
  type         TEXT NOT NULL,
  person       TEXT,
  body         TEXT NOT NULL,
  state        TEXT NOT NULL CHECK (state IN ('pending', 'sent', 'dead')),
  attempts     INTEGER NOT NULL DEFAULT 0,
  max_attempts INTEGER,
  next_at      INTEGER NOT NULL,
  last_error   TEXT,
  created_at   INTEGER NOT NULL,
  done_at      INTEGER,
  CHECK ((ladder_id IS NULL) <> (comms_id IS NULL))
);
INSERT INTO page_messages_v7 (id, ladder_id, comms_id, level, channel, type, person, body, state, attempts,
  max_attempts, next_at, last_error, created_at, done_at)
SELECT id, ladder_id, NULL, level, channel, type, person, body, state, attempts, NULL, next_at, last_error,
  created_at, done_at FROM page_messages;
DROP TABLE page_messages;
ALTER TABLE page_messages_v7 RENAME TO page_messages;
CREATE INDEX page_messages_due ON page_messages(state, next_at);
CREATE INDEX page_messages_ladder ON page_messages(ladder_id, level);
CREATE INDEX page_messages_comms ON page_messages(comms_id);
`;

export const gatewayMigrations: readonly Migration[] = [
  { version: 1, name: 'gateway', sql: SCHEMA },
  { version: 2, name: 'action_attempts', sql: ATTEMPTS },
  { version: 3, name: 'identity', sql: IDENTITY },
  { version: 4, name: 'ack_extensions', sql: ACK_EXTENSIONS },
  { version: 5, name: 'attempt_payload', sql: ATTEMPT_PAYLOAD },
  { version: 6, name: 'paging', sql: PAGING },
  { version: 7, name: 'paging_comms', sql: COMMS },
];
