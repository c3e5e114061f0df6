/**
 * A synchronous PostgreSQL connection, so the gateway's store interface (synchronous, like better-sqlite3)
 * has a PostgreSQL implementation without making every caller async.
 *
 * node-postgres (`pg`) runs in a worker thread with one connection; `query()` posts the statement to it and
 * blocks this thread on an Atomics.wait until the worker has the answer (the technique of `synckit`). Each
 * call therefore costs one round trip to the server during which this thread does nothing else: fine for a
 * database on the same network, which is what a replica set needs anyway. A call that gets no answer within
 * `timeoutMs` throws (the server is gone or hung); the worker then drops its connection and the next call
 * opens a new one, so a restarted server is picked up without restarting the gateway.
 *
 * `prepare()` and `transaction()` give it the SqlConnection shape (`?` placeholders become `$1…`), so store
 * code written once runs on SQLite and here. int8 columns come back as numbers (seqs and epoch milliseconds
 * fit), bytea as Buffers.
 */
import { createRequire } from 'node:module';
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import type { SqlConnection, SqlStatement } from './sql';

export interface PgConnectionConfig {
  /** postgres://user@host:port/db; anything missing comes from the PG* variables (PGHOST, PGPASSWORD, …) */
  connectionString?: string;
  /** the password when it does not come from the URL, PGPASSWORD or ~/.pgpass (PGPASSFILE) */
  password?: string;
  /** shown in pg_stat_activity */
  applicationName?: string;
}

export interface PgSyncOptions extends PgConnectionConfig {
  /** how long one call waits for its answer (default 15 s) */
  timeoutMs?: number;
}

export class PgError extends Error {
  readonly code: string | undefined;
  constructor(message: string, code?: string) {
    super(message);
    this.name = 'PgError';
    this.code = code;
  }
}

interface Reply {
  id: number;
  rows?: unknown[];
  rowCount?: number;
  error?: { message: string; code?: string };
}

/** The worker's code (CommonJS, run with eval: it has to work the same from the sources and from the build). */
const WORKER = `
const { workerData } = require('node:worker_threads');
const pg = require(workerData.pgPath);
const flag = new Int32Array(workerData.flag);
const port = workerData.port;
const types = { getTypeParser: (oid, format) => (oid === 20 ? Number : pg.types.getTypeParser(oid, format)) };
let client = null;
function connect() {
  const c = new pg.Client({ ...workerData.config, types, keepAlive: true, keepAliveInitialDelayMillis: 5000 });
  c.on('error', () => { if (client === c) client = null; });
  const ready = c.connect().then(() => c, (err) => { if (client === c) client = null; throw err; });
  client = c;
  c.ready = ready;
  return c;
}
function answer(msg) {
  port.postMessage(msg);
  Atomics.store(flag, 0, 1);
  Atomics.notify(flag, 0);
}
port.on('message', async (m) => {
  if (m.close) { if (client) await client.end().catch(() => {}); port.close(); return; }
  if (m.reset) { const c = client; client = null; if (c) c.end().catch(() => {}); return; }
  const c = client || connect();
  try {
    await c.ready;
    const r = await c.query({ text: m.sql, values: m.params });
    answer({ id: m.id, rows: r.rows, rowCount: r.rowCount || 0 });
  } catch (err) {
    // a broken connection is replaced on the next call; a statement error leaves it as it is
    if (!err || !err.code || /^(08|57P)/.test(err.code)) { if (client === c) client = null; c.end().catch(() => {}); }
    answer({ id: m.id, error: { message: String((err && err.message) || err), code: err && err.code } });
  }
});
`;

const toBuffers = (row: unknown): unknown => {
  if (!row || typeof row !== 'object') return row;
  const r = row as Record<string, unknown>;
  for (const k in r) {
    const v = r[k];
    if (v instanceof Uint8Array && !Buffer.isBuffer(v)) r[k] = Buffer.from(v.buffer, v.byteOffset, v.byteLength);
  }
  return r;
};

/** `?` placeholders to `$1, $2, …` (the store's SQL has no `?` inside literals) */
export const numberPlaceholders = (sql: string): string => {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
};

export class PgSync implements SqlConnection {
  private readonly worker: Worker;
  private readonly port: MessagePort;
  private readonly flag = new Int32Array(new SharedArrayBuffer(4));
  private readonly timeoutMs: number;
  private nextId = 1;
  private depth = 0;
  private closed = false;

  constructor(o: PgSyncOptions) {
    this.timeoutMs = o.timeoutMs ?? 15_000;
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    const pgPath = createRequire(__filename).resolve('pg');
    const config = {
      connectionString: o.connectionString,
      password: o.password,
      application_name: o.applicationName ?? 'vigil-gateway',
      connectionTimeoutMillis: this.timeoutMs,
      statement_timeout: this.timeoutMs,
    };
    this.worker = new Worker(WORKER, {
      eval: true,
      workerData: { pgPath, flag: this.flag.buffer, port: port2, config },
      transferList: [port2],
    });
    this.worker.unref();
    this.port.unref();
  }

  /** runs one statement ($1… placeholders) and waits for its rows */
  query<T = Record<string, unknown>>(sql: string, params: readonly unknown[] = []): { rows: T[]; rowCount: number } {
    if (this.closed) throw new PgError('the PostgreSQL connection is closed');
    const id = this.nextId++;
    Atomics.store(this.flag, 0, 0);
    this.port.postMessage({ id, sql, params });
    const deadline = Date.now() + this.timeoutMs;
    for (;;) {
      const left = deadline - Date.now();
      if (left <= 0 || Atomics.wait(this.flag, 0, 0, left) === 'timed-out') {
        this.port.postMessage({ reset: true });
        throw new PgError(`PostgreSQL did not answer within ${this.timeoutMs} ms`, 'timeout');
      }
      Atomics.store(this.flag, 0, 0);
      // answers to calls that timed out earlier are dropped
      for (let m = receiveMessageOnPort(this.port); m; m = receiveMessageOnPort(this.port)) {
        const r = m.message as Reply;
        if (r.id !== id) continue;
        if (r.error) throw new PgError(r.error.message, r.error.code);
        return { rows: (r.rows ?? []).map(toBuffers) as T[], rowCount: r.rowCount ?? 0 };
      }
    }
  }

  prepare(sql: string): SqlStatement {
    const text = numberPlaceholders(sql);
    return {
      get: (...p) => this.query(text, p).rows[0],
      all: (...p) => this.query(text, p).rows,
      run: (...p) => ({ changes: this.query(text, p).rowCount }),
    };
  }

  /** fn in a transaction (BEGIN, or a savepoint when nested), rolled back when it throws */
  transaction<A extends unknown[], R>(fn: (...args: A) => R, begin = 'BEGIN'): (...args: A) => R {
    return (...args: A): R => {
      const sp = this.depth > 0 ? `sp${this.depth}` : null;
      this.query(sp ? `SAVEPOINT ${sp}` : begin);
      this.depth++;
      try {
        const out = fn(...args);
        this.query(sp ? `RELEASE SAVEPOINT ${sp}` : 'COMMIT');
        return out;
      } catch (err) {
        try {
          this.query(sp ? `ROLLBACK TO SAVEPOINT ${sp}` : 'ROLLBACK');
          if (sp) this.query(`RELEASE SAVEPOINT ${sp}`);
        } catch {
          // the connection is gone: the server rolled back already
        }
        throw err;
      } finally {
        this.depth--;
      }
    };
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.port.postMessage({ close: true });
    const w = this.worker;
    setTimeout(() => void w.terminate(), 2000).unref();
  }
}
