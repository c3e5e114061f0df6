/**
 * In-test stand-ins for the gateway units' surroundings: a socket that records what is sent and lets the
 * test decide when the network has taken it, and a real SQLite gateway store in a temp dir.
 */
import path from 'node:path';
import type { Principal } from '@gateway/auth';
import { newConn, type Conn, type Socket } from '@gateway/conn';
import { createGatewayMetrics } from '@gateway/metrics';
import { createStream, type StreamOptions } from '@gateway/stream';
import type { SourceEvent } from '@gateway/source';
import { openGatewayStore, type SqliteGatewayStore } from '@gateway/sqlite/store';
import { tempDir } from '@test/helpers/tmp';
import { alert } from '@test/integration/link/helpers';

/** n alert.upsert events for distinct alerts, from alert(from) on */
export const upserts = (from: number, n: number): SourceEvent[] =>
  Array.from({ length: n }, (_, i) => ({ kind: 'alert.upsert' as const, data: alert(from + i) }));

export class FakeSocket implements Socket {
  readonly OPEN = 1;
  readyState = 1;
  /** bytes the "kernel" has not taken yet: the pump waits for write callbacks above its high-water mark */
  bufferedAmount = 0;
  /** each frame as text, and as the object the gateway passed (to see which frames are shared) */
  frames: { data: string; raw: string | Buffer; cb?: (err?: Error) => void }[] = [];
  closed: { code?: number; reason?: string } | null = null;
  terminated = false;
  send(data: string | Buffer, a?: unknown, b?: unknown): void {
    const cb = (typeof a === 'function' ? a : b) as ((err?: Error) => void) | undefined;
    this.frames.push({ data: data.toString(), raw: data, cb });
  }
  close(code?: number, reason?: string): void {
    this.closed = { code, reason };
    this.readyState = 3;
  }
  terminate(): void {
    this.terminated = true;
    this.readyState = 3;
  }
  /** the parsed frames sent so far */
  sent(): ({ type: string } & Record<string, unknown>)[] {
    return this.frames.map((f) => JSON.parse(f.data));
  }
  /** the network took everything: runs the write callbacks not run yet, in order */
  drain(): void {
    for (const f of this.frames) {
      const cb = f.cb;
      f.cb = undefined;
      cb?.();
    }
  }
}

/** a signed-in person: Li Wei, responder, with a personal token */
export const LI_WEI: Principal = {
  identity: { login: 'liwei', name: 'Li Wei', role: 'responder', via: 'token' },
  tokenId: '0123456789abcdef',
  expiresAt: null,
};

export function fakeConn(now = 0, who: Principal = LI_WEI): Conn & { ws: FakeSocket } {
  return newConn(new FakeSocket(), now, { ...who, identity: { ...who.identity } }) as Conn & { ws: FakeSocket };
}

/** a real SQLite store in a temp dir; `cleanup` closes and removes it */
export function sqliteStore(retain?: number): { store: SqliteGatewayStore; dir: string; cleanup(): void } {
  const d = tempDir('vigil-gw-unit-');
  const store = openGatewayStore(path.join(d.dir, 'gateway.db'), { retain });
  return {
    store,
    dir: d.dir,
    cleanup: () => {
      try {
        store.close();
      } catch {
        // closed by the test
      }
      d.cleanup();
    },
  };
}

/** a deferral the test runs by hand (the pump's pacing step) */
export function manualDefer() {
  const queue: (() => void)[] = [];
  return {
    defer: (fn: () => void) => void queue.push(fn),
    /** runs what was deferred, and what that defers, until nothing is left */
    runAll(): number {
      let n = 0;
      while (queue.length) {
        queue.shift()!();
        n++;
      }
      return n;
    },
    pending: () => queue.length,
  };
}

/** a stream pump over a real store holding `events` (logged at 1000), paced by hand; `cleanup` removes it */
export function pumpedStore(events: SourceEvent[], over: Partial<StreamOptions> = {}, retain?: number) {
  const s = sqliteStore(retain);
  s.store.append(events, 1000);
  const metrics = createGatewayMetrics('test');
  const pacing = manualDefer();
  const stream = createStream({
    store: s.store,
    metrics,
    chunkItems: 5000,
    maxFrameBytes: 1024 * 1024,
    defer: pacing.defer,
    ...over,
  });
  return { ...s, metrics, pacing, stream };
}
