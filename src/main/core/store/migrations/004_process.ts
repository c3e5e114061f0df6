/**
 * Migration 004 (process): what the checklist engine, the war-room and the handover need beyond 001.
 * - runs carry their kind, overall result and last change (for sync: newer wins);
 * - steps remember when a missed due time was notified, so a restart does not notify twice;
 * - incidents keep the triage answers, the review and when each target breach was notified;
 * - timeline entries may be system events (rendered in either language from a code and parameters);
 * - handovers keep the signer's note; process_config holds the response/resolution targets.
 */
export default `
ALTER TABLE checklist_runs ADD COLUMN kind TEXT NOT NULL DEFAULT 'routine';
ALTER TABLE checklist_runs ADD COLUMN result TEXT NOT NULL DEFAULT 'pending';
ALTER TABLE checklist_runs ADD COLUMN updated_at INTEGER NOT NULL DEFAULT 0;
CREATE INDEX checklist_runs_template ON checklist_runs(template_id, started_at);
CREATE INDEX checklist_runs_incident ON checklist_runs(incident_id);
CREATE INDEX checklist_runs_started ON checklist_runs(started_at);

ALTER TABLE checklist_steps ADD COLUMN due_notified_at INTEGER;
CREATE INDEX checklist_steps_due ON checklist_steps(due_at) WHERE due_at IS NOT NULL AND due_notified_at IS NULL;

ALTER TABLE incidents ADD COLUMN triage TEXT;
ALTER TABLE incidents ADD COLUMN review TEXT;
ALTER TABLE incidents ADD COLUMN respond_alarm_at INTEGER;
ALTER TABLE incidents ADD COLUMN resolve_alarm_at INTEGER;
CREATE INDEX incidents_status ON incidents(status, declared_at);

ALTER TABLE incident_timeline ADD COLUMN system TEXT;

ALTER TABLE handovers ADD COLUMN sign_note TEXT;
CREATE INDEX handovers_submitted ON handovers(submitted_at);

CREATE TABLE process_config (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
`;
