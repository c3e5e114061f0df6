/**
 * Migration 009 (identity): who queued each outbox action, as the platform proved them (login, and how:
 * personal token, SSO proxy, the shared token, or no platform), so a queued action is sent only when that
 * same person is signed in; and the people the platform knows (`person.upsert`), to choose incident roles
 * from. Rows from before keep NULL: they go under whoever is signed in, as before.
 */
export default `
ALTER TABLE outbox ADD COLUMN login TEXT;
ALTER TABLE outbox ADD COLUMN via TEXT CHECK (via IN ('token', 'proxy', 'shared', 'local'));

CREATE TABLE platform_people (
  login      TEXT PRIMARY KEY,
  name       TEXT NOT NULL,
  role       TEXT NOT NULL,
  active     INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
`;
