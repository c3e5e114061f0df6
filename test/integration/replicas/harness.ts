/**
 * Gateway replicas for the replica tests: real gateway processes (the build, test/chaos/procs.ts) on one
 * throwaway PostgreSQL, polling one real Alertmanager, and protocol clients that keep what a console keeps
 * (cursor, serverId, the events in order, the alerts) and move to another replica when theirs dies.
 */
import { startGatewayProc, type GatewayProc } from '@test/chaos/procs';
import { httpJson } from '@test/services/common';
import { tempDir } from '@test/helpers/tmp';
import { until } from '@test/helpers/until';
import { Client, TOKEN, type Frame } from '../link/helpers';

export interface Healthz {
  serverId: string;
  head: number;
  upstream: string;
  replica: string | null;
  leads: string[];
  leader: string | null;
  /** what this replica runs the ladders and the outbox for (null: no paging) */
  paging: { runs: string[] } | null;
}

export interface ReplicaProc extends GatewayProc {
  name: string;
  dead: boolean;
}

export async function startReplica(o: {
  name: string;
  store: string;
  alertmanagerUrl: string;
  cleanups: (() => unknown)[];
  /** more flags (--roster …) and environment (channel secrets) */
  extraArgs?: string[];
  env?: NodeJS.ProcessEnv;
}): Promise<ReplicaProc> {
  const d = tempDir(`vigil-replica-${o.name}-`);
  const p = await startGatewayProc({
    dataDir: d.dir,
    token: TOKEN,
    source: 'alertmanager',
    alertmanagerUrl: o.alertmanagerUrl,
    pollIntervalMs: 300,
    extraArgs: ['--store', o.store, '--replica-name', o.name, ...(o.extraArgs ?? [])],
    env: o.env,
  });
  const r: ReplicaProc = Object.assign(p, { name: o.name, dead: false });
  const kill = p.kill;
  r.kill = async () => {
    r.dead = true;
    await kill();
  };
  o.cleanups.push(async () => {
    await p.stop('SIGKILL');
    d.cleanup();
  });
  return r;
}

export const healthOf = (p: GatewayProc): Promise<Healthz> => httpJson<Healthz>(`http://127.0.0.1:${p.port}/healthz`);

/** the live replica that says it leads (waits for one) */
export async function leaderAmong(ps: ReplicaProc[], timeoutMs = 30_000): Promise<ReplicaProc> {
  return until(
    async () => {
      for (const p of ps.filter((x) => !x.dead)) {
        const h = await healthOf(p).catch(() => null);
        if (h?.leads.length) return p;
      }
      return null;
    },
    'a replica that leads',
    timeoutMs,
  );
}

/**
 * A console as far as the wire goes: it resumes from its cursor on whichever replica it is sent to, and
 * keeps every event it was sent, so a lost, duplicated or reordered event shows.
 */
export class WireConsole {
  client: Client | null = null;
  cursor: number | null = null;
  serverId: string | null = null;
  /** the first snapshot's seq, then every event seq received, in order */
  seqs: number[] = [];
  alerts = new Map<string, { state: string; labels: Record<string, string> }>();
  snapshots = 0;
  welcomes: Frame[] = [];
  private seen = 0;

  constructor(readonly name: string) {}

  async connect(p: GatewayProc): Promise<void> {
    this.client?.ws.terminate();
    const c = await Client.open(p.url);
    this.client = c;
    this.seen = 0;
    c.ws.on('message', () => this.drain());
    c.send({ type: 'hello', clientId: this.name, protocol: 1, cursor: this.cursor, serverId: this.serverId, operator: this.name });
    await until(() => c.of('welcome').length > 0, `${this.name}: welcome`);
  }

  get connected(): boolean {
    return !!this.client && !this.client.closed;
  }

  private drain() {
    const c = this.client!;
    for (; this.seen < c.frames.length; this.seen++) {
      const f = c.frames[this.seen] as Frame & Record<string, never>;
      if (f.type === 'welcome') {
        this.welcomes.push(f);
        this.serverId = f.serverId as unknown as string;
      } else if (f.type === 'snapshot') this.onSnapshot(f);
      else if (f.type === 'event') this.onEvent(f);
    }
  }

  private onSnapshot(f: Frame) {
    if (f.chunk === 0) {
      this.snapshots++;
      this.alerts.clear();
    }
    for (const item of f.items as { kind: string; data: { fingerprint: string; state: string; labels: Record<string, string> } }[])
      if (item.kind === 'alert.upsert') this.alerts.set(item.data.fingerprint, item.data);
    if ((f.chunk as number) === (f.chunks as number) - 1) {
      this.cursor = f.seq as number;
      // the first snapshot's seq is where the events must continue from
      if (!this.seqs.length) this.seqs.push(f.seq as number);
    }
  }

  private onEvent(f: Frame) {
    const seq = f.seq as number;
    this.seqs.push(seq);
    this.cursor = seq;
    const data = f.data as { fingerprint: string; state: string; labels: Record<string, string> };
    if (f.kind === 'alert.upsert') this.alerts.set(data.fingerprint, data);
    else if (f.kind === 'alert.remove') this.alerts.delete(data.fingerprint);
  }

  /** the events it got after its first snapshot: each seq exactly once and in order, none skipped */
  gapsAndDuplicates(): { missing: number[]; repeated: number[] } {
    const missing: number[] = [];
    const repeated: number[] = [];
    for (let i = 1; i < this.seqs.length; i++) {
      const d = this.seqs[i] - this.seqs[i - 1];
      if (d <= 0) repeated.push(this.seqs[i]);
      for (let s = this.seqs[i - 1] + 1; s < this.seqs[i]; s++) missing.push(s);
    }
    return { missing, repeated };
  }
}
