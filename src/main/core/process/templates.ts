/**
 * Checklist templates: the YAML files in resources/templates (bundled into the build as text, so no path
 * lookup can fail at run time) and the versions the platform sends. Each (id, version) is stored once;
 * a new run uses the newest version, an old run keeps the version it started from.
 */
import { createHash } from 'node:crypto';
import { DateTime } from 'luxon';
import YAML from 'yaml';
import {
  ChecklistTemplateSchema,
  type ChecklistTemplate,
  type RoutineDue,
  type RoutinePeriod,
  type TemplateSummary,
} from '@shared/checklists';
import { describeZodError } from '@shared/rpc';
import type { DB } from '@node/sqlite';
import handover from '@resources/templates/shift-handover.yaml?raw';
import monthly from '@resources/templates/routine-monthly.yaml?raw';
import daily from '@resources/templates/routine-daily.yaml?raw';
import weekly from '@resources/templates/routine-weekly.yaml?raw';
import responseFlow from '@resources/templates/response-flow.yaml?raw';
import selfCheck from '@resources/templates/shift-self-check.yaml?raw';
import warRoom from '@resources/templates/war-room.yaml?raw';

export const BUNDLED_TEMPLATES: Record<string, string> = {
  'shift-self-check.yaml': selfCheck,
  'war-room.yaml': warRoom,
  'response-flow.yaml': responseFlow,
  'shift-handover.yaml': handover,
  'routine-daily.yaml': daily,
  'routine-weekly.yaml': weekly,
  'routine-monthly.yaml': monthly,
};

/** Well-known template ids the engine starts by itself. */
export const TEMPLATE_IDS = { selfCheck: 'shift-self-check', warRoom: 'war-room', responseFlow: 'response-flow' } as const;

export function parseTemplateYaml(text: string, name: string): ChecklistTemplate {
  let raw: unknown;
  try {
    raw = YAML.parse(text);
  } catch (err) {
    throw new Error(`Template ${name}: not valid YAML (${(err as Error).message})`);
  }
  const res = ChecklistTemplateSchema.safeParse(raw);
  if (!res.success) throw new Error(`Template ${name}: ${describeZodError(res.error)}`);
  return res.data;
}

/** Start of the day / ISO week / month containing `now`, in the configured zone. */
export function periodStart(now: number, period: RoutinePeriod, timeZone: string): number {
  const zone = timeZone === 'local' ? 'local' : timeZone;
  let dt = DateTime.fromMillis(now, { zone });
  if (!dt.isValid) dt = DateTime.fromMillis(now);
  return dt.startOf(period).toMillis();
}

type Row = { id: string; version: number; kind: string; title: string; spec: string; origin: string };

/**
 * The stored checklist templates. The bundled ones are stored by the start-up warm-up (seedBundledSlices);
 * a call that needs a template before that has finished (a checklist started, an incident declared, the
 * template list in the first second) stores them at once instead of finding none. `onError` hears of a
 * bundled file that does not parse.
 */
export function createTemplateRepo(db: DB, onError: (name: string, err: Error) => void = () => undefined) {
  /** the bundled set is stored (or was found stored) in this process */
  let bundledStored = false;
  const s = {
    upsert: db.prepare(`INSERT INTO checklist_templates (id, version, kind, title, spec, origin) VALUES (?, ?, ?, ?, ?, ?)
      ON CONFLICT(id, version) DO UPDATE SET kind = excluded.kind, title = excluded.title, spec = excluded.spec, origin = excluded.origin`),
    get: db.prepare('SELECT * FROM checklist_templates WHERE id = ? AND version = ?'),
    latest: db.prepare('SELECT * FROM checklist_templates WHERE id = ? ORDER BY version DESC LIMIT 1'),
    all: db.prepare(`SELECT t.* FROM checklist_templates t
      WHERE t.version = (SELECT MAX(version) FROM checklist_templates WHERE id = t.id) ORDER BY t.id`),
    lastFinished: db.prepare("SELECT MAX(finished_at) AS at FROM checklist_runs WHERE template_id = ? AND state = 'finished'"),
    seededHash: db.prepare("SELECT value FROM process_config WHERE key = 'bundled_templates_sha256'"),
    setSeededHash: db.prepare(
      "INSERT INTO process_config (key, value) VALUES ('bundled_templates_sha256', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
    ),
  };
  const toTemplate = (r: Row): ChecklistTemplate => JSON.parse(r.spec) as ChecklistTemplate;

  return {
    /** stores one template version (validated by the caller) */
    put(t: ChecklistTemplate, origin: 'resource' | 'platform'): void {
      s.upsert.run(t.id, t.version, t.kind, JSON.stringify(t.title), JSON.stringify(t), origin);
    },
    /**
     * Loads the bundled YAML templates; a broken file is logged and skipped, the others still load. Parsing
     * them costs tens of milliseconds of every start, so a set already stored whole (same hash) is not parsed
     * again.
     */
    seedBundled(onError: (name: string, err: Error) => void): number {
      let n = 0;
      for (const added of this.seedBundledSlices(onError)) n += added;
      return n;
    },
    /**
     * seedBundled one template per slice (each parse takes tens of ms): yields 1 for each template stored,
     * 0 for one skipped or refused. The set's hash is recorded after the last, if none was refused.
     */
    *seedBundledSlices(onError: (name: string, err: Error) => void): Generator<number> {
      const hash = createHash('sha256');
      for (const [name, text] of Object.entries(BUNDLED_TEMPLATES)) hash.update(`${name}\0${text}\0`);
      const digest = hash.digest('hex');
      if ((s.seededHash.get() as { value: string } | undefined)?.value === digest) {
        bundledStored = true;
        return;
      }
      let failed = false;
      for (const [name, text] of Object.entries(BUNDLED_TEMPLATES)) {
        let added = 0;
        try {
          const t = parseTemplateYaml(text, name);
          // A platform copy of the same id and version wins over the bundled one.
          const existing = s.get.get(t.id, t.version) as Row | undefined;
          if (existing?.origin !== 'platform') {
            db.transaction(() => this.put(t, 'resource'))();
            added = 1;
          }
        } catch (err) {
          failed = true;
          onError(name, err as Error);
        }
        yield added;
      }
      if (!failed) s.setSeededHash.run(digest);
      bundledStored = true;
    },
    /** stores the bundled templates now unless the warm-up (or an earlier call) already has */
    ensureBundled(): void {
      if (!bundledStored) this.seedBundled(onError);
    },
    get(id: string, version: number): ChecklistTemplate | null {
      const r = s.get.get(id, version) as Row | undefined;
      return r ? toTemplate(r) : null;
    },
    latest(id: string): ChecklistTemplate | null {
      this.ensureBundled();
      const r = s.latest.get(id) as Row | undefined;
      return r ? toTemplate(r) : null;
    },
    summaries(now: number, timeZone: string): TemplateSummary[] {
      this.ensureBundled();
      return (s.all.all() as Row[]).map((r) => {
        const t = toTemplate(r);
        let routine: RoutineDue | null = null;
        if (t.kind === 'routine' && t.period) {
          const start = periodStart(now, t.period, timeZone);
          const last = (s.lastFinished.get(t.id) as { at: number | null }).at;
          routine = { period: t.period, periodStart: start, lastFinishedAt: last, due: last === null || last < start };
        }
        return {
          id: t.id,
          version: t.version,
          kind: t.kind,
          title: t.title,
          description: t.description ?? null,
          sources: t.sources,
          origin: r.origin === 'platform' ? 'platform' : 'resource',
          stepCount: t.steps.length,
          routine,
        };
      });
    },
  };
}
export type TemplateRepo = ReturnType<typeof createTemplateRepo>;
