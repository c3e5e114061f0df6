/**
 * Migration 005 (roster): where a roster came from, and the escalation engine's durable state. The
 * ladder's position is recomputed from `started_at` and the policy on every pass, so these columns only
 * record what has already been done (the level reached, the last reminder) to never do it twice.
 */
export default `
ALTER TABLE rosters ADD COLUMN origin TEXT NOT NULL DEFAULT 'platform' CHECK (origin IN ('platform','local'));

ALTER TABLE escalations ADD COLUMN roster_id TEXT;
ALTER TABLE escalations ADD COLUMN reminded_at INTEGER;
CREATE INDEX escalations_open ON escalations(stopped_at);

CREATE TABLE escalation_steps (
  id           INTEGER PRIMARY KEY,
  subject_kind TEXT NOT NULL,
  subject_id   TEXT NOT NULL,
  at           INTEGER NOT NULL,
  kind         TEXT NOT NULL CHECK (kind IN ('started','reminded','escalated','stopped','action_failed')),
  level        INTEGER NOT NULL,
  people       TEXT NOT NULL DEFAULT '[]',
  detail       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX escalation_steps_subject ON escalation_steps(subject_kind, subject_id, at);
`;
