/**
 * Migration 002 (link): what the platform link needs beyond the initial schema.
 * - outbox.actor: who submitted the action (sent with it; the gateway audits it)
 * - outbox.error_code: the machine code of a failed result (last_error holds the readable reason)
 * - outbox.replaced_by: a failed action retried by the user is resent as a new action (a new id, since the
 *   gateway stored the failure under the old one); the old row points at its replacement
 * - link_meta: the console's stable client id (sent in hello; the gateway logs it)
 * - sync_rejects: platform events an applier refused (bad data). The cursor moves past them so one bad
 *   event cannot stall the stream; this table keeps the evidence.
 */
export default `
ALTER TABLE outbox ADD COLUMN actor TEXT NOT NULL DEFAULT '';
ALTER TABLE outbox ADD COLUMN error_code TEXT;
ALTER TABLE outbox ADD COLUMN replaced_by TEXT;

CREATE TABLE link_meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);

CREATE TABLE sync_rejects (
  id     INTEGER PRIMARY KEY,
  seq    INTEGER,
  kind   TEXT NOT NULL,
  reason TEXT NOT NULL,
  at     INTEGER NOT NULL
);
`;
