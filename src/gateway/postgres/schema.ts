/**
 * The gateway's PostgreSQL schema, as numbered migrations applied and checksummed by migrate.ts. It holds
 * the same tables as the SQLite schema (sqlite/schema.ts, whose comment says what each is for) and the same
 * version numbers for the same content, so a feature adds its migration to both lists under one number.
 * PostgreSQL-only parts are in version 1:
 * - log_head: the newest seq ever assigned, one row. A writer locks it for its whole transaction and takes
 *   the next seqs from it, so seqs commit in order across replicas (gap-safe: a reader that sees seq n has
 *   every seq below n; a SEQUENCE would hand out numbers that commit out of order).
 * - leaders: which replica leads which source, with the leader's last upstream health (for /healthz of the
 *   replicas that follow).
 * Entity ids use the "C" collation: byte order, as in SQLite, whatever the database's default collation.
 *
 * Never edit an applied migration: add the next one.
 */
export interface PgMigration {
  version: number;
  name: string;
  sql: string;
}

const SCHEMA = `
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE log_head (
  id  INTEGER PRIMARY KEY CHECK (id = 1),
  seq BIGINT NOT NULL
);
INSERT INTO log_head (id, seq) VALUES (1, 0);
CREATE TABLE events (
  seq  BIGINT PRIMARY KEY,
  kind TEXT NOT NULL,
  data TEXT NOT NULL,
  at   BIGINT NOT NULL
);
CREATE TABLE entities (
  family TEXT NOT NULL,
  id     TEXT COLLATE "C" NOT NULL,
  kind   TEXT NOT NULL,
  data   TEXT NOT NULL,
  seq    BIGINT NOT NULL,
  PRIMARY KEY (family, id)
);
CREATE INDEX entities_family_seq ON entities (family, seq);
CREATE TABLE actions (
  id            TEXT PRIMARY KEY,
  type          TEXT NOT NULL,
  payload       TEXT NOT NULL,
  actor         TEXT NOT NULL,
  client_id     TEXT,
  received_at   BIGINT NOT NULL,
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
  declared_at       BIGINT NOT NULL,
  closed_at         BIGINT,
  closed_by         TEXT,
  postmortem        TEXT,
  updated_at        BIGINT NOT NULL
);
CREATE TABLE incident_timeline (
  rowid       BIGSERIAL,
  id          TEXT PRIMARY KEY,
  incident_id TEXT NOT NULL REFERENCES incidents(id),
  kind        TEXT NOT NULL,
  text        TEXT NOT NULL,
  at          BIGINT NOT NULL,
  author      TEXT NOT NULL
);
CREATE INDEX incident_timeline_inc ON incident_timeline(incident_id, at);
CREATE TABLE incident_status_updates (
  id          BIGSERIAL PRIMARY KEY,
  incident_id TEXT NOT NULL REFERENCES incidents(id),
  phase       TEXT NOT NULL,
  text        TEXT NOT NULL,
  at          BIGINT NOT NULL,
  author      TEXT NOT NULL
);
CREATE TABLE checklist_results (
  run_id      TEXT PRIMARY KEY,
  template_id TEXT NOT NULL,
  result      TEXT NOT NULL,
  at          BIGINT NOT NULL,
  author      TEXT NOT NULL
);
CREATE TABLE handovers (
  id           TEXT PRIMARY KEY,
  record       TEXT NOT NULL,
  submitted_by TEXT,
  submitted_at BIGINT,
  signed_by    TEXT,
  signed_at    BIGINT,
  note         TEXT
);
CREATE TABLE audit (
  id     BIGSERIAL PRIMARY KEY,
  at     BIGINT NOT NULL,
  actor  TEXT NOT NULL,
  action TEXT NOT NULL,
  detail TEXT NOT NULL DEFAULT ''
);
CREATE TABLE leaders (
  source     TEXT PRIMARY KEY,
  replica    TEXT NOT NULL,
  since      BIGINT NOT NULL,
  health     TEXT,
  updated_at BIGINT NOT NULL
);
`;

const ATTEMPTS = `
CREATE TABLE action_attempts (
  id         TEXT PRIMARY KEY,
  type       TEXT NOT NULL,
  actor      TEXT NOT NULL,
  client_id  TEXT,
  started_at BIGINT NOT NULL,
  attempts   INTEGER NOT NULL DEFAULT 1
);
`;

const IDENTITY = `
CREATE TABLE users (
  login      TEXT PRIMARY KEY,
  name       TEXT NOT NULL,
  role       TEXT NOT NULL CHECK (role IN ('viewer', 'responder', 'admin')),
  origin     TEXT NOT NULL CHECK (origin IN ('cli', 'proxy', 'embedded')),
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  revoked_at BIGINT
);
CREATE TABLE user_tokens (
  id           TEXT PRIMARY KEY,
  login        TEXT NOT NULL REFERENCES users(login),
  hash         TEXT NOT NULL,
  created_at   BIGINT NOT NULL,
  last_used_at BIGINT,
  expires_at   BIGINT,
  revoked_at   BIGINT
);
CREATE INDEX user_tokens_login ON user_tokens(login);
CREATE TABLE users_revision (id INTEGER PRIMARY KEY CHECK (id = 1), revision BIGINT NOT NULL);
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
  extended_to BIGINT NOT NULL,
  at          BIGINT NOT NULL,
  PRIMARY KEY (cluster, silence_id)
);
`;

/** issue #13: an attempt in doubt keeps its payload, so a resend with another payload is an id_conflict */
const ATTEMPT_PAYLOAD = `
ALTER TABLE action_attempts ADD COLUMN payload TEXT;
`;

/**
 * issue #16: paging (the SQLite migration 6, sqlite/schema.ts): the ladders, the levels paged and the outbox.
 * Epoch-millisecond columns are BIGINT; `rowid` (BIGSERIAL, as incident_timeline) gives the insertion order
 * SQLite's implicit rowid gives there.
 */
const PAGING = `
CREATE TABLE page_ladders (
  rowid       BIGSERIAL,
  id          TEXT PRIMARY KEY,
  fingerprint TEXT NOT NULL,
  roster_id   TEXT NOT NULL,
  policy_id   TEXT NOT NULL,
  started_at  BIGINT NOT NULL,
  level       INTEGER NOT NULL DEFAULT 0,
  level_at    BIGINT NOT NULL,
  stopped_at  BIGINT,
  stop_reason TEXT
);
CREATE UNIQUE INDEX page_ladders_open ON page_ladders(fingerprint) WHERE stopped_at IS NULL;
CREATE INDEX page_ladders_fp ON page_ladders(fingerprint, started_at);
CREATE TABLE page_steps (
  ladder_id TEXT NOT NULL REFERENCES page_ladders(id),
  level     INTEGER NOT NULL,
  at        BIGINT NOT NULL,
  by_name   TEXT,
  night     INTEGER NOT NULL,
  people    TEXT NOT NULL,
  unstaffed TEXT NOT NULL,
  PRIMARY KEY (ladder_id, level)
);
CREATE TABLE page_messages (
  rowid      BIGSERIAL,
  id         TEXT PRIMARY KEY,
  ladder_id  TEXT NOT NULL REFERENCES page_ladders(id),
  level      INTEGER NOT NULL,
  channel    TEXT NOT NULL,
  type       TEXT NOT NULL,
  person     TEXT,
  body       TEXT NOT NULL,
  state      TEXT NOT NULL CHECK (state IN ('pending', 'sent', 'dead')),
  attempts   INTEGER NOT NULL DEFAULT 0,
  next_at    BIGINT NOT NULL,
  last_error TEXT,
  created_at BIGINT NOT NULL,
  done_at    BIGINT
);
CREATE INDEX page_messages_due ON page_messages(state, next_at);
CREATE INDEX page_messages_ladder ON page_messages(ladder_id, level);
`;

/**
 * issue #16 items 5 and 6 (the SQLite migration 7): incident status updates and test calls through the same
 * outbox. The same tables and columns as SQLite's; PostgreSQL changes page_messages in place (SQLite has to
 * rebuild it): ladder_id nullable, comms_id and max_attempts, a message belongs to a ladder or a comms row.
 */
const COMMS = `
CREATE TABLE page_comms (
  id          TEXT PRIMARY KEY,
  kind        TEXT NOT NULL CHECK (kind IN ('incident', 'test')),
  incident_id TEXT,
  phase       TEXT CHECK (phase IS NULL OR phase IN ('start', 'update', 'resolved')),
  by_name     TEXT NOT NULL,
  login       TEXT,
  at          BIGINT NOT NULL,
  console     TEXT,
  none_reason TEXT
);
CREATE INDEX page_comms_incident ON page_comms(incident_id, at);
ALTER TABLE page_messages ALTER COLUMN ladder_id DROP NOT NULL;
ALTER TABLE page_messages ADD COLUMN comms_id TEXT REFERENCES page_comms(id);
ALTER TABLE page_messages ADD COLUMN max_attempts INTEGER;
ALTER TABLE page_messages ADD CONSTRAINT page_messages_owner CHECK ((ladder_id IS NULL) <> (comms_id IS NULL));
CREATE INDEX page_messages_comms ON page_messages(comms_id);
`;

export const pgGatewayMigrations: readonly PgMigration[] = [
  { version: 1, name: 'gateway', sql: SCHEMA },
  { version: 2, name: 'action_attempts', sql: ATTEMPTS },
  { version: 3, name: 'identity', sql: IDENTITY },
  { version: 4, name: 'ack_extensions', sql: ACK_EXTENSIONS },
  { version: 5, name: 'attempt_payload', sql: ATTEMPT_PAYLOAD },
  { version: 6, name: 'paging', sql: PAGING },
  { version: 7, name: 'paging_comms', sql: COMMS },
];
