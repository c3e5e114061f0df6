/**
 * Migration 010 (many Alertmanagers, issue #15): the cluster an alert or silence came from, and an ack's
 * real expiry — when its silence ends as things stand, how often the gateway extended it, and whether the
 * gateway keeps extending it while the alert fires (so the handover watchdog does not warn about it).
 */
export default `
ALTER TABLE alerts ADD COLUMN cluster TEXT;
ALTER TABLE alerts ADD COLUMN ack_expires_at INTEGER;
ALTER TABLE alerts ADD COLUMN ack_extensions INTEGER NOT NULL DEFAULT 0;
ALTER TABLE alerts ADD COLUMN ack_auto_extend INTEGER NOT NULL DEFAULT 0;
ALTER TABLE silences ADD COLUMN cluster TEXT;
`;
