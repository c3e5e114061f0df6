/**
 * A process module on a real SQLite file in a temp dir, with a FakeClock, a MemoryNotifier and a
 * recording ActionSink. Only the platform link is faked (its own module is tested elsewhere): actions are
 * validated against the shared payload schemas and recorded instead of going to an outbox.
 */
import type { LinkState, SettingsPatch } from '@shared/domain';
import { FakeClock } from '@node/clock';
import type { CoreContext } from '@core/context';
import type { MemoryNotifier } from '@core/notifier';
import { createProcessModule, type ProcessModule } from '@core/process/module';
import { createSettingsRepo } from '@core/settings';
import type { DB } from '@node/sqlite';
import { recordingActions, testContext, type RecordedEvent, type Submitted } from '@test/helpers/context';
import { tempDir } from '@test/helpers/tmp';

export type Sent = Submitted;

export interface Harness {
  dir: string;
  db: DB;
  clock: FakeClock;
  notifier: MemoryNotifier;
  sent: Sent[];
  events: RecordedEvent[];
  link: { state: LinkState | null };
  ctx: CoreContext;
  mod: ProcessModule;
  settings(patch: SettingsPatch): void;
  /** closes the database and opens the same file again with a new module (a restart), at `clock`'s time */
  restart(clock?: FakeClock): Harness;
  close(): void;
}

export const T0 = Date.UTC(2026, 0, 5, 9, 0, 0);
export const MIN = 60_000;

export function linkState(patch: Partial<LinkState> = {}): LinkState {
  return {
    status: 'online',
    since: T0 - 60 * MIN,
    platformUrl: 'ws://127.0.0.1:9/',
    embedded: false,
    lastError: null,
    lastSyncAt: T0,
    cursor: 1,
    snapshot: null,
    pendingActions: 0,
    operator: null,
    session: { state: 'signed_in', identity: null, reason: null, name: null, heldActions: 0 },
    ...patch,
  };
}

export function makeHarness(opts: { dir?: string; clock?: FakeClock; link?: LinkState | null; cleanup?: () => void } = {}): Harness {
  const tmp = opts.dir ? { dir: opts.dir, cleanup: opts.cleanup ?? (() => {}) } : tempDir('vigil-process-');
  const clock = opts.clock ?? new FakeClock(T0);
  const link = { state: opts.link === undefined ? null : opts.link };
  // the module reads the settings through the same repo the test writes them with (the repo caches)
  let repo: ReturnType<typeof createSettingsRepo> | null = null;
  const { ctx, db, notifier, events } = testContext({ dataDir: tmp.dir, clock, settings: () => repo!.read() });
  repo = createSettingsRepo(db);
  if (!opts.dir) repo.write({ timeZone: 'UTC', operator: 'Li Wei', language: 'en' });
  const { actions, submitted: sent } = recordingActions(clock, { idPrefix: 'a' });
  // Without `link`, the module runs as in a core that has no link-state accessor yet.
  const mod = createProcessModule(ctx, actions, { linkState: opts.link === undefined ? undefined : () => link.state as LinkState });
  mod.start?.();
  // the start-up work the core runs after start() (the bundled templates), at once
  for (const job of mod.warmup?.() ?? []) {
    const r = job.run();
    if ('next' in r) while (!r.next().done);
  }
  const h: Harness = {
    dir: tmp.dir,
    db,
    clock,
    notifier,
    sent,
    events,
    link,
    ctx,
    mod,
    settings: (patch) => void repo.write(patch),
    restart(next) {
      mod.stop?.();
      db.close();
      return makeHarness({ dir: tmp.dir, clock: next ?? clock, link: opts.link === undefined ? undefined : link.state, cleanup: tmp.cleanup });
    },
    close() {
      mod.stop?.();
      db.close();
      tmp.cleanup();
    },
  };
  return h;
}

/** Caches one dashboard panel querying `expr`, with series whose last points are given. */
export function cachePanel(
  db: DB,
  o: { dashboard?: string; panel: string; exprs: string[]; series: { labels: Record<string, string>; points: [number, number][] }[]; fetchedAt: number },
): void {
  const dash = o.dashboard ?? 'ops';
  db.prepare("INSERT OR IGNORE INTO dashboards (id, title, tags, unsupported, updated_at, fetched_at) VALUES (?, 'Ops', '[]', '[]', ?, ?)").run(
    dash,
    o.fetchedAt,
    o.fetchedAt,
  );
  const spec = { id: o.panel, title: o.panel, type: 'timeseries', unit: null, targets: o.exprs.map((expr) => ({ expr, legend: null })), thresholds: [] };
  db.prepare('INSERT OR REPLACE INTO panels (dashboard_id, id, position, spec) VALUES (?, ?, 0, ?)').run(dash, o.panel, JSON.stringify(spec));
  db.prepare(
    'INSERT OR REPLACE INTO series_snapshots (dashboard_id, panel_id, range_start, range_end, step_seconds, series, fetched_at) VALUES (?, ?, ?, ?, 30, ?, ?)',
  ).run(dash, o.panel, o.fetchedAt - 3600_000, o.fetchedAt, JSON.stringify(o.series), o.fetchedAt);
}

export function cacheAlert(
  db: DB,
  a: { fp: string; name: string; severity?: string; state?: 'firing' | 'resolved'; startsAt: number; silenced?: boolean; ackedBy?: string; ackedAt?: number; ackId?: string },
): void {
  db.prepare(`INSERT OR REPLACE INTO alerts (fingerprint, alertname, labels, annotations, state, severity, starts_at, ends_at, updated_at,
      generator_url, silenced_by, inhibited_by, acked_by, acked_at, ack_id, stored_at)
    VALUES (?, ?, '{}', '{}', ?, ?, ?, NULL, ?, NULL, ?, '[]', ?, ?, ?, ?)`).run(
    a.fp,
    a.name,
    a.state ?? 'firing',
    a.severity ?? 'P1',
    a.startsAt,
    a.startsAt,
    a.silenced ? '["s-release"]' : '[]',
    a.ackedBy ?? null,
    a.ackedAt ?? null,
    a.ackId ?? null,
    a.startsAt,
  );
}
