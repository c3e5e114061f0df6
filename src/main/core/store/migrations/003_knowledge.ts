/**
 * Migration 003 (knowledge).
 *
 * - runbooks get a stable integer `doc` that is the rowid of their full-text entry, so replacing or
 *   deleting one entry is an index lookup (001's FTS table keyed entries by an UNINDEXED id column, which
 *   made every upsert a scan of the whole index), and the folder a local runbook was imported from.
 * - runbooks_fts becomes contentless (the text lives once, in runbooks): trigram over title, meta (service,
 *   tags, alert names) and body. Rebuilt from the runbooks already stored.
 * - runbook_runs: how an ad-hoc checklist run over a runbook's steps ended and the checklist.result action
 *   it sent. The run and its steps live in checklist_runs / checklist_steps (template_id 'runbook:<id>', state
 *   'open' | 'finished' as the checklist engine uses them).
 */
export default `
ALTER TABLE runbooks ADD COLUMN doc INTEGER;
ALTER TABLE runbooks ADD COLUMN source_root TEXT;
ALTER TABLE runbooks ADD COLUMN source_path TEXT;
UPDATE runbooks SET doc = rowid;
CREATE UNIQUE INDEX runbooks_doc ON runbooks(doc);
CREATE INDEX runbooks_source_root ON runbooks(source_root);
CREATE INDEX runbooks_service ON runbooks(service);

DROP TABLE runbooks_fts;
CREATE VIRTUAL TABLE runbooks_fts USING fts5(
  title, meta, body,
  tokenize = 'trigram',
  content = '',
  contentless_delete = 1
);
INSERT INTO runbooks_fts (rowid, title, meta, body)
  SELECT doc, title,
    trim(coalesce(service, '') || ' ' || coalesce((SELECT group_concat(value, ' ') FROM json_each(runbooks.tags)), '')
      || ' ' || coalesce((SELECT group_concat(value, ' ') FROM json_each(runbooks.alertnames)), '')),
    markdown
  FROM runbooks;

CREATE TABLE runbook_runs (
  run_id     TEXT PRIMARY KEY REFERENCES checklist_runs(id) ON DELETE CASCADE,
  runbook_id TEXT NOT NULL,
  outcome    TEXT CHECK (outcome IN ('recorded','abandoned')),
  action_id  TEXT,
  note       TEXT
);
`;
