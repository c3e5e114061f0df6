/**
 * The roster module: stores roster documents from the platform and from file imports, answers "who is
 * on call now and next", and runs the escalation engine. See src/shared/contract/roster.ts for its slice.
 *
 * It listens on the core's bus: when alerts or incidents change (dataChanged, after the commit) the
 * engine runs a pass soon, so an ack stops a ladder (and a new P1 starts one) without waiting for the
 * next tick.
 */
import { rosterMethods } from '@shared/contract/roster';
import { eventData } from '@shared/protocol';
import { onCallAt } from '@shared/rotation';
import type { RosterImportResult, RotationOnCall } from '@shared/roster';
import { ApiError } from '@shared/rpc';
import type { ActionSink, CoreContext, EventApplier } from '../context';
import type { CoreModule } from '../module';
import { createEscalationEngine } from './escalation';
import { createGatewayPages, withGatewayPage } from './gateway-pages';
import { importCsv, importYaml } from './import';
import { createRosterList } from './list';
import { createPeopleDirectory, type PeopleDirectory } from './people';
import { rosterText } from './messages';
import { createRosterStore, type LoadedRoster } from './store';
import { createSubjectReader } from './subjects';
import { formatPath, validateRosterDocument } from './validate';

export type RosterModule = CoreModule<typeof rosterMethods>;

export interface RosterModuleOptions {
  /** the engine's fallback tick (default 15 s of ctx.clock) */
  tickMs?: number;
  /** the people directory (the core shares one with the process module); default: its own */
  people?: PeopleDirectory;
}

export function onCallFor(rosters: readonly LoadedRoster[], at: number): RotationOnCall[] {
  const out: RotationOnCall[] = [];
  for (const r of rosters) {
    const teams = new Map(r.doc.teams.map((t) => [t.id, t]));
    for (const rot of r.doc.rotations) {
      const { now, next } = onCallAt(rot, r.doc.overrides, at);
      const withPerson = <T extends { personId: string | null }>(s: T | null) =>
        s ? { ...s, person: (s.personId && r.people.get(s.personId)) || null } : null;
      out.push({
        rosterId: r.id,
        teamId: rot.team,
        teamName: teams.get(rot.team)?.name ?? rot.team,
        rotationId: rot.id,
        rotationName: rot.name,
        line: rot.line,
        timeZone: rot.timeZone,
        now: withPerson(now),
        next: withPerson(next),
      });
    }
  }
  return out.sort((a, b) => a.teamName.localeCompare(b.teamName) || a.line - b.line || a.rotationName.localeCompare(b.rotationName));
}

export function createRosterModule(ctx: CoreContext, actions: ActionSink, opts: RosterModuleOptions = {}): RosterModule {
  const store = createRosterStore(ctx.db, ctx.log);
  // a gateway ladder starting or stopping decides whether this console's own ladder speaks
  const pages = createGatewayPages(ctx, () => engine.onAlertsChanged());
  const engine = createEscalationEngine({
    ctx,
    actions,
    rosters: store,
    subjects: createSubjectReader(ctx.db),
    tickMs: opts.tickMs,
    gatewayRuns: (kind, id) => kind === 'alert' && pages.runs(id),
  });
  const list = createRosterList(ctx.db);
  const people = opts.people ?? createPeopleDirectory(ctx.db, () => ctx.clock.now());
  let unsubscribe: (() => void) | null = null;

  const appliers: EventApplier[] = [
    {
      kind: 'roster.upsert',
      apply(data) {
        const r = eventData['roster.upsert'].parse(data);
        const v = validateRosterDocument(r.document, false);
        if (!v.ok) {
          // A bad document must not replace a good one (or poison the sync): keep what we have, say why.
          const first = v.issues.slice(0, 3).map((i) => `${formatPath(i.path)}: ${i.message}`);
          ctx.log.log('error', 'roster.rejected', { id: r.id, issues: v.issues.length, first });
          ctx.emit('toast', { id: `roster-rejected-${r.id}`, level: 'error', title: rosterText.in(ctx.language()).rejected({ name: r.name }), body: first.join('; ') });
          return null;
        }
        if (v.warnings.length)
          ctx.log.log('warn', 'roster.schedule_warnings', { id: r.id, warnings: v.warnings.map((w) => `${formatPath(w.path)}: ${w.message}`) });
        store.save({ id: r.id, name: r.name, doc: v.doc, updatedAt: r.updatedAt, fetchedAt: ctx.clock.now(), origin: 'platform' });
        ctx.touch('rosters');
        engine.onAlertsChanged();
        return 'rosters';
      },
      reset() {
        store.removePlatform();
      },
    },
    {
      kind: 'roster.remove',
      apply(data) {
        store.remove(eventData['roster.remove'].parse(data).id);
        engine.onAlertsChanged();
        return 'rosters';
      },
    },
    people.applier,
    pages.applier,
  ];

  function runImport(req: Parameters<typeof importYaml>[0]): RosterImportResult {
    const now = ctx.clock.now();
    const out = (req.format === 'yaml' ? importYaml : importCsv)(req, (id) => store.get(id), now);
    // A roster the platform sends is the platform's: an import never turns it into a local copy (it would
    // stop following the platform's changes without anyone deciding so). Import into a local roster instead.
    const target = out.roster ? store.get(out.roster.id) : null;
    if (target?.origin === 'platform')
      out.issues.push({
        line: null,
        row: null,
        path: 'rosterId',
        message: `roster "${target.id}" comes from the platform; import into a local roster (another id, e.g. "local") instead`,
      });
    const doc = out.roster?.doc;
    const result: RosterImportResult = {
      ok: out.issues.length === 0,
      rosterId: out.roster?.id ?? null,
      stored: false,
      issues: out.issues,
      counts: {
        people: doc?.people.length ?? 0,
        teams: doc?.teams.length ?? 0,
        rotations: doc?.rotations.length ?? 0,
        overrides: doc?.overrides.length ?? 0,
        policies: doc?.policies.length ?? 0,
      },
    };
    if (!out.roster || req.dryRun || !result.ok) return result;
    store.save(out.roster);
    ctx.touch('rosters', now);
    ctx.audit(ctx.auditName(), 'roster.import', { id: out.roster.id, format: req.format, counts: result.counts });
    ctx.emit('dataChanged', { collection: 'rosters', ids: [out.roster.id] });
    engine.onAlertsChanged();
    return { ...result, stored: true };
  }

  return {
    handlers: {
      rostersList: () => list(),
      peopleKnown: () => people.known(),
      rosterOnCall: (at) => onCallFor(store.all(), at ?? ctx.clock.now()),
      rosterImport: (req) => runImport(req),
      rosterRemove: (id) => {
        const r = store.get(id);
        if (!r) return { removed: false };
        if (r.origin !== 'local')
          throw new ApiError('not_local', rosterText.in(ctx.language()).notLocal({ name: r.name }));
        store.remove(id);
        ctx.audit(ctx.auditName(), 'roster.remove', { id });
        ctx.emit('dataChanged', { collection: 'rosters', ids: [id] });
        engine.onAlertsChanged();
        return { removed: true };
      },
      escalationsList: () => engine.list().map((e) => (e.subjectKind === 'alert' ? withGatewayPage(e, pages.get(e.subjectId)) : e)),
      gatewayPage: (fp) => pages.get(fp),
      pagesUndelivered: () => pages.undelivered(),
    },
    appliers,
    start() {
      unsubscribe = ctx.on('dataChanged', ({ collection }) => {
        if (collection === 'alerts' || collection === 'incidents') engine.onAlertsChanged();
      });
      engine.start();
    },
    stop() {
      unsubscribe?.();
      unsubscribe = null;
      engine.stop();
    },
  };
}
