/**
 * Paging in the gateway process (server.ts wires it): the PagingStore (gateway.db alone, the shared
 * PostgreSQL database for replicas), the escalation runner and the outbox, running only where the source
 * runs. A gateway alone runs them from the start. Of several replicas on PostgreSQL, the one that leads the
 * source runs them (leadership.ts calls `leading`), so one runner walks the source's ladders and one outbox
 * sends; when leadership moves, the new leader's runner resumes every ladder from the store at the right
 * level, and the store's guarded `page` and the outbox's claims keep a level from being paged, or a message
 * sent, twice should two replicas overlap for a moment.
 *
 * What every replica does: a person's `e` on a console connected to it pages the next level through the
 * shared store (guarded the same way) and asks the leader to send (`deliverElsewhere`); and it publishes
 * who is connected to it (postgres/presence.ts), so the leader can say "delivered to 张三's console" when
 * 张三 is on another replica, and "not connected" only when no live replica has them.
 */
import path from 'node:path';
import type { Alert } from '@shared/alerts';
import { SeveritySchema } from '@shared/domain';
import type { Clock } from '@node/clock';
import type { Logger } from '@node/log';
import type { Hub } from './hub';
import type { Intake } from './intake';
import type { ReplicationOptions } from './leadership';
import { createPaging, type PagingOptions } from './paging';
import type { IncidentFacts } from './paging/comms';
import type { PagingStore } from './paging/store';
import { openPgPagingStore } from './postgres/paging';
import { startPresence, type Presence } from './postgres/presence';
import type { PgGatewayStore } from './postgres/store';
import type { Source, SourceEvent } from './source';
import { openPagingStore } from './sqlite/paging';
import type { GatewayStore } from './store';
import type { UserStore } from './users';

export interface PagingUnits {
  store: GatewayStore;
  users: UserStore | null;
  clock: Clock;
  log: Logger;
  hub: Pick<Hub, 'conns'>;
  intake: Pick<Intake, 'append'>;
}

interface Where {
  dataDir?: string;
  replication?: ReplicationOptions;
}

function openStoreFor(o: Where, p: PagingOptions): PagingStore {
  if (p.store) return p.store;
  if (o.replication) return openPgPagingStore(o.replication.connection);
  if (!o.dataDir) throw new Error('paging needs a dataDir for its database (or a paging store)');
  return openPagingStore(path.join(o.dataDir, 'gateway.db'));
}

const loginsOf = (hub: Pick<Hub, 'conns'>): string[] =>
  [...hub.conns].map((c) => c.who.identity.login).filter((l): l is string => !!l);

/** what an incident's status update needs to find its channels: title, severity, its alerts' teams */
function incidentFacts(store: GatewayStore, id: string): IncidentFacts | null {
  const e = store.current('incident').find((x) => x.id === id);
  const doc = (e?.data as { incident?: { title?: unknown; severity?: unknown; fingerprints?: unknown } } | undefined)?.incident;
  const sev = SeveritySchema.safeParse(doc?.severity);
  if (!doc || typeof doc.title !== 'string' || !sev.success) return null;
  const fps = new Set(Array.isArray(doc.fingerprints) ? doc.fingerprints : []);
  const teams = store
    .current('alert')
    .map((a) => a.data as Alert)
    .filter((a) => fps.has(a.fingerprint))
    .flatMap((a) => (a.labels.team ? [a.labels.team] : []));
  return { title: doc.title, severity: sev.data, teams: [...new Set(teams)] };
}

/** the paging units over their store, not started (see `leading`) */
export function startPaging(o: Where, p: PagingOptions, u: PagingUnits) {
  const pagingStore = openStoreFor(o, p);
  const db = o.replication ? (u.store as Partial<PgGatewayStore>).db : undefined;
  const presence: Presence | null =
    o.replication && db
      ? startPresence({ db, replica: o.replication.replica, clock: u.clock, log: u.log, logins: () => loginsOf(u.hub) })
      : null;
  /** set once leadership runs: asks the leader to send what this replica wrote */
  let askLeader: () => void = () => undefined;
  const paging = createPaging({
    ...p,
    store: pagingStore,
    clock: u.clock,
    log: u.log,
    alerts: () => u.store.current('alert').map((e) => e.data as Alert),
    loginOf: (person) => {
      if (person.login) return person.login;
      const user = u.users?.user(person.id);
      return user && user.revokedAt === null ? user.login : null;
    },
    connected: (login) => loginsOf(u.hub).includes(login) || !!presence?.elsewhere(login),
    emit: (events) => u.intake.append(events),
    incident: (id) => incidentFacts(u.store, id),
    deliverElsewhere: () => askLeader(),
  });
  const end = () => {
    paging.halt();
    presence?.stop();
    pagingStore.close();
  };
  return {
    ...paging,
    store: pagingStore,
    /** the replica leads the source now (or, alone, runs it): run the ladders and the outbox here, or stop */
    leading(on: boolean) {
      if (on && !paging.running()) paging.start();
      else if (!on) paging.halt();
      u.log.log('info', on ? 'paging.runs_here' : 'paging.stopped_here', { replica: o.replication?.replica ?? null });
    },
    setLeaderAsk(ask: () => void) {
      askLeader = ask;
    },
    async stop() {
      await paging.stop();
      end();
    },
    halt: end,
  };
}
export type GatewayPaging = ReturnType<typeof startPaging>;

/** paging (when configured) around the source: `e` pages, and source events poke the runner */
export function wirePaging(o: Where & { source: Source; paging?: PagingOptions | null }, u: PagingUnits) {
  const paging = o.paging ? startPaging(o, o.paging, u) : null;
  return {
    paging,
    source: paging ? paging.wrap(o.source) : o.source,
    /** source events: logged, and the runner looks at once (an ack or resolve stops a ladder) */
    fromSource(events: readonly SourceEvent[]) {
      u.intake.append(events);
      paging?.runner.poke();
    },
  };
}
