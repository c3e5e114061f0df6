/**
 * Migration 012 (gateway pages): the escalation ladders the gateway runs (`page.update`, one per alert, as
 * sent), and the pages this console has already raised a notification for (kept across a snapshot reset, so
 * a resync does not page the person again).
 */
export default `
CREATE TABLE gateway_pages (
  fingerprint TEXT PRIMARY KEY,
  ladder      TEXT NOT NULL,
  updated_at  INTEGER NOT NULL
);
CREATE TABLE gateway_pages_notified (
  ladder_id TEXT NOT NULL,
  level     INTEGER NOT NULL,
  at        INTEGER NOT NULL,
  PRIMARY KEY (ladder_id, level)
);
`;
