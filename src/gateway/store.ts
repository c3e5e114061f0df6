/**
 * The gateway's own SQLite (opened by the shared openDatabase: WAL, checksummed migrations):
 * - events: the log every client resumes from, seq monotonic (INTEGER PRIMARY KEY, never reused)
 * - entities: the current state of every entity, which is what a snapshot sends
 * - actions: every action id with its stored result (idempotency: an id is applied once)
 * - action_attempts: ids whose upstream apply has begun and has no stored result yet; a row left behind means
 *   the gateway died mid-apply, and the resend of that id must look upstream before applying again
 * - incidents, incident_timeline, incident_status_updates, checklist_results, handovers: what the
 *   process actions create (see process.ts)
 * - audit: who did what
 */
import { randomUUID } from 'node:crypto';
import { openDatabase, type DB, type Migration } from '@node/sqlite';
import { eventData, isEventKind, type EventKind, type WireError } from '@shared/protocol';
import { describeZodError } from '@shared/rpc';
import { entityOf, FAMILY_ORDER, SEP } from './entities';
import type { SourceEvent } from './source';

const SCHEMA = `
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE events (
  seq  INTEGER PRIMARY KEY AUTOINCREMENT,
  kind TEXT NOT NULL,
  data TEXT NOT NULL,
  at   INTEGER NOT NULL
);
CREATE TABLE entities (
  family TEXT NOT NULL,
  id     TEXT NOT NULL,
  kind   TEXT NOT NULL,
  data   TEXT NOT NULL,
  seq    INTEGER NOT NULL,
  PRIMARY KEY (family, id)
);
CREATE TABLE actions (
  id            TEXT PRIMARY KEY,
  type          TEXT NOT NULL,
  payload       TEXT NOT NULL,
  actor         TEXT NOT NULL,
  client_id     TEXT,
  received_at   INTEGER NOT NULL,
  ok            INTEGER NOT NULL,
  error_code    TEXT,
  error_message TEXT
);
CREATE TABLE incidents (
  id                TEXT PRIMARY KEY,
  title             TEXT NOT NULL,
  severity          TEXT NOT NULL,
  proposed_severity TEXT,
  status            TEXT NOT NULL,
  fingerprints      TEXT NOT NULL,
  fields            TEXT NOT NULL DEFAULT '{}',
  declared_by       TEXT NOT NULL,
  declared_at       INTEGER NOT NULL,
  closed_at         INTEGER,
  closed_by         TEXT,
  postmortem        TEXT,
  updated_at        INTEGER NOT NULL
);
CREATE TABLE incident_timeline (
  id          TEXT PRIMARY KEY,
  incident_id TEXT NOT NULL REFERENCES incidents(id),
  kind        TEXT NOT NULL,
  text        TEXT NOT NULL,
  at          INTEGER NOT NULL,
  author      TEXT NOT NULL
);
CREATE INDEX incident_timeline_inc ON incident_timeline(incident_id, at);
CREATE TABLE incident_status_updates (
  id          INTEGER PRIMARY KEY,
  incident_id TEXT NOT NULL REFERENCES incidents(id),
  phase       TEXT NOT NULL,
  text        TEXT NOT NULL,
  at          INTEGER NOT NULL,
  author      TEXT NOT NULL
);
CREATE TABLE checklist_results (
  run_id      TEXT PRIMARY KEY,
  template_id TEXT NOT NULL,
  result      TEXT NOT NULL,
  at          INTEGER NOT NULL,
  author      TEXT NOT NULL
);
CREATE TABLE handovers (
  id           TEXT PRIMARY KEY,
  record       TEXT NOT NULL,
  submitted_by TEXT,
  submitted_at INTEGER,
  signed_by    TEXT,
  signed_at    INTEGER,
  note         TEXT
);
CREATE TABLE audit (
  id     INTEGER PRIMARY KEY,
  at     INTEGER NOT NULL,
  actor  TEXT NOT NULL,
  action TEXT NOT NULL,
  detail TEXT NOT NULL DEFAULT ''
);
`;

const ATTEMPTS = `
CREATE TABLE action_attempts (
  id         TEXT PRIMARY KEY,
  type       TEXT NOT NULL,
  actor      TEXT NOT NULL,
  client_id  TEXT,
  started_at INTEGER NOT NULL,
  attempts   INTEGER NOT NULL DEFAULT 1
);
`;

export const gatewayMigrations: readonly Migration[] = [
  { version: 1, name: 'gateway', sql: SCHEMA },
  { version: 2, name: 'action_attempts', sql: ATTEMPTS },
];

export interface StoredEvent {
  seq: number;
  kind: string;
  /** the data as JSON text, sent as is */
  data: string;
  at: number;
}

export interface SnapshotChunks {
  seq: number;
  /** entities in all chunks */
  total: number;
  /**
   * `body` is the chunk's items as UTF-8 JSON array elements, comma-separated, ready to go between `[` and
   * `]`. A Buffer: off the JS heap while it waits for its turn, and written to the socket without re-encoding.
   */
  chunks: { body: Buffer; items: number }[];
}

export interface StoredResult {
  ok: boolean;
  error: WireError | null;
}

export interface AppendOutcome {
  appended: StoredEvent[];
  /** events refused because their data does not match the kind's schema */
  invalid: { kind: string; reason: string }[];
  /** upserts identical to what is stored: no new seq */
  unchanged: number;
}

export interface ActionRecord {
  id: string;
  type: string;
  payload: unknown;
  actor: string;
  clientId: string | null;
  at: number;
}

export interface GatewayStore {
  db: DB;
  serverId: string;
  head(): number;
  /** the oldest seq still in the log (head + 1 when empty) */
  oldest(): number;
  /** validates, dedups and appends source events in one transaction; returns what was logged */
  append(events: readonly SourceEvent[] | readonly { kind: string; data: unknown }[], at: number): AppendOutcome;
  eventsAfter(seq: number, limit: number): StoredEvent[];
  /**
   * Every entity, dashboards before their series, as snapshot chunks, with the seq the state is consistent
   * with. A chunk holds at most `maxItems` items and, unless a single item is larger, at most `maxBytes`
   * bytes of item text; there is always at least one chunk (an empty state is one empty chunk).
   */
  snapshot(maxItems: number, maxBytes: number): SnapshotChunks;
  entityCount(): number;
  /** the current entities of one family ("alert", "silence", …) */
  current(family: string): { id: string; data: unknown }[];
  storedResult(id: string): StoredResult | null;
  /**
   * Durably notes that the upstream apply of `a.id` begins, before the source is called. `resumed` is true
   * when an earlier attempt of the same id began and never stored a result (the gateway died mid-apply).
   */
  beginAction(a: ActionRecord): { resumed: boolean };
  /** ids whose apply began and has no result (in doubt after a crash, until their client resends them) */
  unfinishedActions(): number;
  /** records an action's outcome and clears its attempt (call inside the transaction that applied it, if any) */
  recordAction(a: ActionRecord, r: StoredResult): void;
  audit(at: number, actor: string, action: string, detail: unknown): void;
  close(): void;
}

/** An entity as its snapshot item's JSON text, built by SQLite: `data` is stored as JSON already. */
const ITEM_SQL = `'{"kind":' || json_quote(kind) || ',"data":' || data || '}'`;
const COMMA = Buffer.from(',');

export function openGatewayStore(file: string, opts: { retain?: number } = {}): GatewayStore {
  const db: DB = openDatabase(file, { migrations: gatewayMigrations });
  const retain = opts.retain ?? 500_000;

  /**
   * A statement over one family's entities after an id (keyset paging), prepared twice: from the first id
   * (every text is >= '') and after a given one. Called as (family, after | null, limit).
   */
  function afterId(sql: (cmp: '>=' | '>') => string, pluck = false) {
    const from = db.prepare(sql('>=')).pluck(pluck);
    const after = db.prepare(sql('>')).pluck(pluck);
    return {
      get: (family: string, id: string | null, limit: number): unknown =>
        id === null ? from.get(family, '', limit) : after.get(family, id, limit),
      all: (family: string, id: string | null, limit: number): unknown[] =>
        id === null ? from.all(family, '', limit) : after.all(family, id, limit),
    };
  }

  const s = {
    meta: db.prepare('SELECT value FROM meta WHERE key = ?'),
    setMeta: db.prepare(
      'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value',
    ),
    head: db.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'events'"),
    oldest: db.prepare('SELECT min(seq) AS seq FROM events'),
    insertEvent: db.prepare('INSERT INTO events (kind, data, at) VALUES (?, ?, ?)'),
    entity: db.prepare('SELECT data FROM entities WHERE family = ? AND id = ?'),
    upsertEntity: db.prepare(`INSERT INTO entities (family, id, kind, data, seq) VALUES (?, ?, ?, ?, ?)
      ON CONFLICT(family, id) DO UPDATE SET kind = excluded.kind, data = excluded.data, seq = excluded.seq`),
    deleteEntity: db.prepare('DELETE FROM entities WHERE family = ? AND id = ?'),
    deleteSeriesOf: db.prepare("DELETE FROM entities WHERE family = 'series' AND id >= ? AND id < ?"),
    family: db.prepare('SELECT id, data FROM entities WHERE family = ? ORDER BY seq'),
    // snapshot items of one family, in primary-key order (no sort; order inside a family is free)
    group: afterId(
      (cmp) => `SELECT CAST(group_concat(item, ',') AS BLOB) AS body, count(*) AS items, max(id) AS last
        FROM (SELECT id, ${ITEM_SQL} AS item FROM entities WHERE family = ? AND id ${cmp} ? ORDER BY id LIMIT ?)`,
    ),
    items: afterId(
      (cmp) => `SELECT CAST(${ITEM_SQL} AS BLOB) FROM entities WHERE family = ? AND id ${cmp} ? ORDER BY id LIMIT ?`,
      true,
    ),
    count: db.prepare('SELECT count(*) AS n FROM entities'),
    after: db.prepare('SELECT seq, kind, data, at FROM events WHERE seq > ? ORDER BY seq LIMIT ?'),
    prune: db.prepare('DELETE FROM events WHERE seq <= ?'),
    action: db.prepare('SELECT ok, error_code, error_message FROM actions WHERE id = ?'),
    recordAction:
      db.prepare(`INSERT INTO actions (id, type, payload, actor, client_id, received_at, ok, error_code, error_message)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`),
    audit: db.prepare('INSERT INTO audit (at, actor, action, detail) VALUES (?, ?, ?, ?)'),
    beginAttempt:
      db.prepare(`INSERT INTO action_attempts (id, type, actor, client_id, started_at) VALUES (?, ?, ?, ?, ?)
      ON CONFLICT(id) DO UPDATE SET attempts = attempts + 1 RETURNING attempts`),
    endAttempt: db.prepare('DELETE FROM action_attempts WHERE id = ?'),
    attemptCount: db.prepare('SELECT count(*) AS n FROM action_attempts'),
  };

  let serverId = (s.meta.get('serverId') as { value: string } | undefined)?.value;
  if (!serverId) {
    serverId = randomUUID();
    s.setMeta.run('serverId', serverId);
  }

  const head = (): number => (s.head.get() as { seq: number } | undefined)?.seq ?? 0;

  const append = db.transaction(
    (events: readonly SourceEvent[] | readonly { kind: string; data: unknown }[], at: number): AppendOutcome => {
      const out: AppendOutcome = { appended: [], invalid: [], unchanged: 0 };
      for (const ev of events) {
        if (!isEventKind(ev.kind)) {
          out.invalid.push({ kind: String(ev.kind), reason: 'unknown event kind' });
          continue;
        }
        const kind: EventKind = ev.kind;
        const parsed = eventData[kind].safeParse(ev.data);
        if (!parsed.success) {
          out.invalid.push({
            kind,
            reason: describeZodError(parsed.error, { max: 500 }),
          });
          continue;
        }
        const ent = entityOf(kind, parsed.data as never);
        const json = JSON.stringify(parsed.data);
        if (ent.op === 'upsert') {
          const prev = s.entity.get(ent.family, ent.id) as { data: string } | undefined;
          if (prev?.data === json) {
            out.unchanged++;
            continue;
          }
        } else if (!s.entity.get(ent.family, ent.id)) {
          out.unchanged++; // removing what nobody has is not news
          continue;
        }
        const seq = Number(s.insertEvent.run(kind, json, at).lastInsertRowid);
        if (ent.op === 'upsert') s.upsertEntity.run(ent.family, ent.id, kind, json, seq);
        else {
          s.deleteEntity.run(ent.family, ent.id);
          if (ent.family === 'dashboard') s.deleteSeriesOf.run(`${ent.id}${SEP}`, `${ent.id}${SEP}\uffff`);
        }
        out.appended.push({ seq, kind, data: json, at });
      }
      const h = head();
      if (h > retain && h % 1000 === 0) s.prune.run(h - retain);
      return out;
    },
  );

  return {
    db,
    serverId,
    head,
    oldest: (): number => (s.oldest.get() as { seq: number | null }).seq ?? head() + 1,
    append,
    eventsAfter: (seq: number, limit: number): StoredEvent[] => s.after.all(seq, limit) as StoredEvent[],
    snapshot(maxItems: number, maxBytes: number): SnapshotChunks {
      return db.transaction(() => {
        const chunks: SnapshotChunks['chunks'] = [];
        let parts: Buffer[] = [];
        let items = 0;
        let bytes = 0;
        let total = 0;
        const close = () => {
          chunks.push({ body: parts.length === 1 ? parts[0] : Buffer.concat(parts), items });
          parts = [];
          items = bytes = 0;
        };
        // `body` holds n items joined by commas; like every item, it is budgeted with one comma more
        const add = (body: Buffer, n: number) => {
          if (parts.length) parts.push(COMMA);
          parts.push(body);
          items += n;
          bytes += body.length + 1;
          total += n;
        };
        // SQLite joins as many items as the open chunk has room for into one blob: no string per entity
        // crosses into JS. Only a group over the byte budget is fetched again item by item, to be split
        // exactly where packing one item at a time would split it.
        for (const family of FAMILY_ORDER) {
          let after: string | null = null;
          for (;;) {
            if (items >= maxItems) close();
            const room = maxItems - items;
            const g = s.group.get(family, after, room) as { body: Buffer | null; items: number; last: string | null };
            if (!g.items) break;
            if (bytes + g.body!.length + 1 <= maxBytes || (!items && g.items === 1)) add(g.body!, g.items);
            else
              for (const item of s.items.all(family, after, room) as Buffer[]) {
                if (items && bytes + item.length + 1 > maxBytes) close();
                add(item, 1);
              }
            after = g.last;
            if (g.items < room) break;
          }
        }
        if (items || !chunks.length) close();
        return { seq: head(), total, chunks };
      })();
    },
    entityCount: (): number => (s.count.get() as { n: number }).n,
    current: (family: string): { id: string; data: unknown }[] =>
      (s.family.all(family) as { id: string; data: string }[]).map((r) => ({ id: r.id, data: JSON.parse(r.data) })),
    storedResult(id: string): StoredResult | null {
      const r = s.action.get(id) as { ok: number; error_code: string | null; error_message: string | null } | undefined;
      if (!r) return null;
      return { ok: !!r.ok, error: r.ok ? null : { code: r.error_code ?? 'rejected', message: r.error_message ?? '' } };
    },
    beginAction(a: ActionRecord): { resumed: boolean } {
      const row = s.beginAttempt.get(a.id, a.type, a.actor, a.clientId, a.at) as { attempts: number };
      return { resumed: row.attempts > 1 };
    },
    unfinishedActions: (): number => (s.attemptCount.get() as { n: number }).n,
    recordAction: db.transaction((a: ActionRecord, r: StoredResult) => {
      s.recordAction.run(
        a.id,
        a.type,
        JSON.stringify(a.payload ?? null),
        a.actor,
        a.clientId,
        a.at,
        r.ok ? 1 : 0,
        r.error?.code ?? null,
        r.error?.message ?? null,
      );
      s.audit.run(a.at, a.actor, a.type, JSON.stringify({ id: a.id, ok: r.ok, error: r.error?.code ?? null }));
      s.endAttempt.run(a.id);
    }),
    audit: (at: number, actor: string, action: string, detail: unknown) =>
      s.audit.run(at, actor, action, JSON.stringify(detail ?? '')),
    close: () => db.close(),
  };
}
