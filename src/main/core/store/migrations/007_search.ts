/**
 * Migration 007 (search): what runbook search reads besides the trigram index, so a query never has to
 * walk the runbooks table (whose rows carry the whole markdown) for every candidate.
 *
 * - runbook_search: per runbook, the short text the ranking tiers test with LIKE (title, and the meta text
 *   exactly as search has always tested it: service, tags JSON, alert names JSON), the service filter and the
 *   (title, id) tie-break order; keyed by `doc` like runbooks_fts.
 * - runbook_tags: one row per (tag, runbook) for the tag filter (no JSON parsing per candidate).
 * - runbook_grams: every distinct one- and two-character substring of title, meta and markdown, folded the
 *   way LIKE folds (ASCII case only), one hex-encoded token each. Terms shorter than three characters cannot
 *   use the trigram index; this finds the runbooks that contain them without scanning every markdown.
 *   Membership only (detail = none), so it is small. It cannot be computed in SQL: the runbook store fills
 *   it on open when its row count differs from runbooks' (here: right after this migration).
 */
export default `
CREATE TABLE runbook_search (
  doc     INTEGER PRIMARY KEY,
  id      TEXT NOT NULL,
  title   TEXT NOT NULL,
  meta    TEXT NOT NULL,
  service TEXT
);
CREATE INDEX runbook_search_service ON runbook_search(service);
CREATE INDEX runbook_search_order ON runbook_search(title COLLATE NOCASE, id);
INSERT INTO runbook_search (doc, id, title, meta, service)
  SELECT doc, id, title, coalesce(service, '') || ' ' || tags || ' ' || alertnames, service FROM runbooks;

CREATE TABLE runbook_tags (
  tag TEXT NOT NULL,
  doc INTEGER NOT NULL,
  PRIMARY KEY (tag, doc)
) WITHOUT ROWID;
CREATE INDEX runbook_tags_doc ON runbook_tags(doc);
INSERT OR IGNORE INTO runbook_tags (tag, doc)
  SELECT t.value, r.doc FROM runbooks r, json_each(r.tags) t WHERE t.type = 'text';

CREATE VIRTUAL TABLE runbook_grams USING fts5(
  grams,
  tokenize = 'ascii',
  content = '',
  contentless_delete = 1,
  detail = none
);
`;
