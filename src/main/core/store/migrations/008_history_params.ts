/**
 * Migration 008 (history_params): an alert history entry keeps its parameters (which action was queued,
 * by whom, with what comment) as JSON beside its English `detail` line, so it reads in the reader's
 * language (src/shared/alert-history.ts). Entries from before keep NULL; their parameters are read back
 * from the line.
 */
export default `
ALTER TABLE alert_events ADD COLUMN params TEXT;
`;
