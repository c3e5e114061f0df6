/** The ack extensions the gateway made (AckLedger), on SQLite: table ack_extensions, one row per live ack silence. */
import type { SqlConnection } from '@node/sql';
import type { AckExtension, AckLedger } from '../store';

interface Row {
  cluster: string;
  silence_id: string;
  extensions: number;
  extended_to: number;
  at: number;
}

const toExtension = (r: Row): AckExtension => ({
  cluster: r.cluster,
  silenceId: r.silence_id,
  extensions: r.extensions,
  extendedTo: r.extended_to,
  at: r.at,
});

export function createAckLedger(db: SqlConnection): AckLedger {
  const s = {
    all: db.prepare('SELECT * FROM ack_extensions WHERE cluster = ? ORDER BY silence_id'),
    get: db.prepare('SELECT * FROM ack_extensions WHERE cluster = ? AND silence_id = ?'),
    drop: db.prepare('DELETE FROM ack_extensions WHERE cluster = ? AND silence_id = ?'),
    put: db.prepare(`INSERT INTO ack_extensions (cluster, silence_id, extensions, extended_to, at) VALUES (?, ?, ?, ?, ?)
      ON CONFLICT (cluster, silence_id) DO UPDATE SET extensions = excluded.extensions, extended_to = excluded.extended_to, at = excluded.at`),
  };
  return {
    ackExtensions: (cluster) => (s.all.all(cluster) as Row[]).map(toExtension),
    recordAckExtension: db.transaction((e: { cluster: string; fromId: string; toId: string; extendedTo: number; at: number }) => {
      const prev = s.get.get(e.cluster, e.fromId) as Row | undefined;
      const extensions = (prev?.extensions ?? 0) + 1;
      if (e.fromId !== e.toId) s.drop.run(e.cluster, e.fromId);
      s.put.run(e.cluster, e.toId, extensions, e.extendedTo, e.at);
      return { cluster: e.cluster, silenceId: e.toId, extensions, extendedTo: e.extendedTo, at: e.at };
    }),
    forgetAckExtensions: db.transaction((cluster: string, ids: readonly string[]) => {
      for (const id of ids) s.drop.run(cluster, id);
    }),
  };
}
