/**
 * Migration 006 (alert console): saved filters, notification state that must survive a restart (mute),
 * the index of actions the console queued, so their progress is read from the outbox without parsing
 * every payload, and an index for reading alerts page by page in the console's order.
 */
export default `
CREATE TABLE alert_saved_filters (
  id         TEXT PRIMARY KEY,
  name       TEXT NOT NULL UNIQUE,
  query      TEXT NOT NULL,
  created_at INTEGER NOT NULL
);

CREATE TABLE alert_notify_state (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);

CREATE TABLE alert_actions (
  outbox_id    TEXT PRIMARY KEY,
  type         TEXT NOT NULL,
  fingerprints TEXT NOT NULL DEFAULT '[]',
  silence_id   TEXT,
  created_at   INTEGER NOT NULL
);
CREATE INDEX alert_actions_created ON alert_actions(created_at);

-- the console's default order, so the list can be read page by page (first rows fast at 100k alerts)
CREATE INDEX alerts_console_order ON alerts(severity, starts_at DESC, fingerprint);
`;
