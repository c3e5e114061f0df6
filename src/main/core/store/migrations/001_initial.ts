/**
 * Initial schema for the whole product. Later changes add numbered migrations; never edit an applied one
 * (its checksum is recorded and checked on every open).
 * Times are integer milliseconds since the epoch (UTC). JSON columns hold objects validated in code.
 */
export default `
CREATE TABLE settings (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);

CREATE TABLE sync_cursor (
  platform   TEXT PRIMARY KEY,
  cursor     INTEGER NOT NULL,
  server_id  TEXT,
  updated_at INTEGER NOT NULL
);

CREATE TABLE alerts (
  fingerprint   TEXT PRIMARY KEY,
  alertname     TEXT NOT NULL,
  labels        TEXT NOT NULL,
  annotations   TEXT NOT NULL,
  state         TEXT NOT NULL CHECK (state IN ('firing','resolved')),
  severity      TEXT NOT NULL CHECK (severity IN ('P0','P1','P2','P3')),
  starts_at     INTEGER NOT NULL,
  ends_at       INTEGER,
  updated_at    INTEGER NOT NULL,
  generator_url TEXT,
  silenced_by   TEXT NOT NULL DEFAULT '[]',
  inhibited_by  TEXT NOT NULL DEFAULT '[]',
  acked_by      TEXT,
  acked_at      INTEGER,
  ack_id        TEXT,
  stored_at     INTEGER NOT NULL
);
CREATE INDEX alerts_state ON alerts(state, severity);
CREATE INDEX alerts_updated ON alerts(updated_at);

CREATE TABLE alert_events (
  id          INTEGER PRIMARY KEY,
  fingerprint TEXT NOT NULL,
  at          INTEGER NOT NULL,
  kind        TEXT NOT NULL,
  detail      TEXT NOT NULL DEFAULT ''
);
CREATE INDEX alert_events_fp ON alert_events(fingerprint, at);

CREATE TABLE silences (
  id         TEXT PRIMARY KEY,
  matchers   TEXT NOT NULL,
  starts_at  INTEGER NOT NULL,
  ends_at    INTEGER NOT NULL,
  created_by TEXT NOT NULL,
  comment    TEXT NOT NULL,
  state      TEXT NOT NULL,
  updated_at INTEGER NOT NULL
);

CREATE TABLE runbooks (
  id         TEXT PRIMARY KEY,
  title      TEXT NOT NULL,
  service    TEXT,
  alertnames TEXT NOT NULL DEFAULT '[]',
  tags       TEXT NOT NULL DEFAULT '[]',
  owner      TEXT,
  url        TEXT,
  markdown   TEXT NOT NULL,
  origin     TEXT NOT NULL CHECK (origin IN ('platform','local')),
  updated_at INTEGER NOT NULL,
  fetched_at INTEGER NOT NULL
);
CREATE INDEX runbooks_url ON runbooks(url);
CREATE VIRTUAL TABLE runbooks_fts USING fts5(
  title, body, tags, id UNINDEXED,
  tokenize = 'trigram'
);

CREATE TABLE dashboards (
  id          TEXT PRIMARY KEY,
  title       TEXT NOT NULL,
  tags        TEXT NOT NULL DEFAULT '[]',
  unsupported TEXT NOT NULL DEFAULT '[]',
  updated_at  INTEGER NOT NULL,
  fetched_at  INTEGER NOT NULL
);
CREATE TABLE panels (
  dashboard_id TEXT NOT NULL REFERENCES dashboards(id) ON DELETE CASCADE,
  id           TEXT NOT NULL,
  position     INTEGER NOT NULL,
  spec         TEXT NOT NULL,
  PRIMARY KEY (dashboard_id, id)
);
CREATE TABLE series_snapshots (
  dashboard_id TEXT NOT NULL,
  panel_id     TEXT NOT NULL,
  range_start  INTEGER NOT NULL,
  range_end    INTEGER NOT NULL,
  step_seconds REAL NOT NULL,
  series       TEXT NOT NULL,
  fetched_at   INTEGER NOT NULL,
  PRIMARY KEY (dashboard_id, panel_id),
  FOREIGN KEY (dashboard_id, panel_id) REFERENCES panels(dashboard_id, id) ON DELETE CASCADE
);

CREATE TABLE rosters (
  id         TEXT PRIMARY KEY,
  name       TEXT NOT NULL,
  document   TEXT NOT NULL,
  updated_at INTEGER NOT NULL,
  fetched_at INTEGER NOT NULL
);
CREATE TABLE people (
  roster_id TEXT NOT NULL REFERENCES rosters(id) ON DELETE CASCADE,
  id        TEXT NOT NULL,
  name      TEXT NOT NULL,
  role      TEXT,
  phone     TEXT,
  email     TEXT,
  im        TEXT NOT NULL DEFAULT '{}',
  PRIMARY KEY (roster_id, id)
);
CREATE TABLE escalation_levels (
  roster_id   TEXT NOT NULL REFERENCES rosters(id) ON DELETE CASCADE,
  policy_id   TEXT NOT NULL,
  level       INTEGER NOT NULL,
  after_min   REAL NOT NULL,
  targets     TEXT NOT NULL,
  PRIMARY KEY (roster_id, policy_id, level)
);
CREATE TABLE escalations (
  subject_kind TEXT NOT NULL CHECK (subject_kind IN ('alert','incident')),
  subject_id   TEXT NOT NULL,
  policy_id    TEXT NOT NULL,
  started_at   INTEGER NOT NULL,
  level        INTEGER NOT NULL,
  level_at     INTEGER NOT NULL,
  stopped_at   INTEGER,
  stop_reason  TEXT,
  PRIMARY KEY (subject_kind, subject_id)
);

CREATE TABLE checklist_templates (
  id       TEXT NOT NULL,
  version  INTEGER NOT NULL,
  kind     TEXT NOT NULL,
  title    TEXT NOT NULL,
  spec     TEXT NOT NULL,
  origin   TEXT NOT NULL,
  PRIMARY KEY (id, version)
);
CREATE TABLE checklist_runs (
  id               TEXT PRIMARY KEY,
  template_id      TEXT NOT NULL,
  template_version INTEGER NOT NULL,
  title            TEXT NOT NULL,
  started_by       TEXT NOT NULL,
  started_at       INTEGER NOT NULL,
  finished_at      INTEGER,
  incident_id      TEXT,
  state            TEXT NOT NULL
);
CREATE TABLE checklist_steps (
  run_id     TEXT NOT NULL REFERENCES checklist_runs(id) ON DELETE CASCADE,
  step_id    TEXT NOT NULL,
  position   INTEGER NOT NULL,
  state      TEXT NOT NULL CHECK (state IN ('todo','done','skipped','failed')),
  owner      TEXT,
  note       TEXT,
  evidence   TEXT,
  auto_value TEXT,
  due_at     INTEGER,
  updated_by TEXT,
  updated_at INTEGER,
  PRIMARY KEY (run_id, step_id)
);

CREATE TABLE incidents (
  id            TEXT PRIMARY KEY,
  title         TEXT NOT NULL,
  severity      TEXT NOT NULL CHECK (severity IN ('P0','P1','P2','P3')),
  proposed_severity TEXT,
  status        TEXT NOT NULL,
  change_freeze INTEGER NOT NULL DEFAULT 0,
  roles         TEXT NOT NULL DEFAULT '{}',
  alert_fingerprints TEXT NOT NULL DEFAULT '[]',
  impact        TEXT,
  declared_by   TEXT NOT NULL,
  declared_at   INTEGER NOT NULL,
  responded_at  INTEGER,
  resolved_at   INTEGER,
  closed_at     INTEGER,
  postmortem    TEXT,
  updated_at    INTEGER NOT NULL
);
CREATE TABLE incident_timeline (
  id          TEXT PRIMARY KEY,
  incident_id TEXT NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
  at          INTEGER NOT NULL,
  kind        TEXT NOT NULL,
  author      TEXT NOT NULL,
  text        TEXT NOT NULL
);
CREATE INDEX incident_timeline_inc ON incident_timeline(incident_id, at);

CREATE TABLE handovers (
  id           TEXT PRIMARY KEY,
  shift_start  INTEGER NOT NULL,
  shift_end    INTEGER NOT NULL,
  outgoing     TEXT NOT NULL,
  incoming     TEXT,
  draft        TEXT NOT NULL,
  notes        TEXT NOT NULL DEFAULT '',
  watch_items  TEXT NOT NULL DEFAULT '[]',
  submitted_at INTEGER,
  signed_at    INTEGER,
  signed_by    TEXT
);

CREATE TABLE outbox (
  seq        INTEGER PRIMARY KEY AUTOINCREMENT,
  id         TEXT NOT NULL UNIQUE,
  type       TEXT NOT NULL,
  payload    TEXT NOT NULL,
  state      TEXT NOT NULL CHECK (state IN ('pending','sent','acked','failed','discarded')),
  attempts   INTEGER NOT NULL DEFAULT 0,
  last_error TEXT,
  created_at INTEGER NOT NULL,
  sent_at    INTEGER,
  acked_at   INTEGER
);
CREATE INDEX outbox_state ON outbox(state, seq);

CREATE TABLE audit_log (
  id     INTEGER PRIMARY KEY,
  at     INTEGER NOT NULL,
  actor  TEXT NOT NULL,
  action TEXT NOT NULL,
  detail TEXT NOT NULL DEFAULT ''
);

CREATE TABLE collection_meta (
  collection TEXT PRIMARY KEY,
  fetched_at INTEGER NOT NULL
);
`;
