/**
 * Dashboard definitions → `Dashboard` (src/shared/dashboards.ts). Two inputs:
 *  - the Vigil YAML format (docs/dashboards.md), one dashboard per YAML document (`---` separates several);
 *  - a Grafana dashboard JSON export (timeseries/graph, stat/singlestat, gauge panels with Prometheus targets).
 * Used by the gateway sources and by the renderer's import, so it takes text and returns data: no Node, no DOM.
 * Every failure is an Error whose message says what is wrong and where; nothing is returned half-parsed.
 */
import { parseAllDocuments } from 'yaml';
import { z } from 'zod';
import type { Dashboard, Panel } from './dashboards';
import { parseJson } from './json';
import { describeZodError } from './rpc';

/** A dashboard as defined (no timestamps yet), plus how a source should query it. */
export interface DashboardSpec {
  dashboard: Omit<Dashboard, 'updatedAt' | 'fetchedAt'>;
  query: {
    /** how far back from now each fetch reaches */
    rangeSeconds: number;
    /** resolution; null = choose from the range (about 240 points) */
    stepSeconds: number | null;
    /** how often the source re-fetches the series */
    refreshSeconds: number;
  };
}

export const DEFAULT_QUERY: DashboardSpec['query'] = { rangeSeconds: 3600, stepSeconds: null, refreshSeconds: 30 };

/** The step used when a spec leaves it open: about 240 points over the range, never under 1 s. */
export function effectiveStepSeconds(q: DashboardSpec['query']): number {
  return q.stepSeconds ?? Math.max(1, Math.ceil(q.rangeSeconds / 240));
}

/** Stamps a spec with its times, giving the `Dashboard` the protocol and the store carry. */
export function toDashboard(spec: DashboardSpec, updatedAt: number, fetchedAt = updatedAt): Dashboard {
  return { ...spec.dashboard, updatedAt, fetchedAt };
}

const DURATION_RE = /^(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/;
const UNIT_MS = [7 * 86_400_000, 86_400_000, 3_600_000, 60_000, 1000, 1];

/** Parses a Prometheus-style duration ("90s", "5m", "1h30m", "500ms") into milliseconds. */
export function parseDuration(text: string): number {
  const m = DURATION_RE.exec(text.trim());
  if (!m || text.trim() === '')
    throw new Error(`"${text}" is not a duration (expected e.g. 30s, 5m, 1h, 1h30m, 500ms)`);
  return m.slice(1).reduce((sum, part, i) => sum + (part ? Number(part) * UNIT_MS[i] : 0), 0);
}

/** Lower-case ASCII slug; empty when the text has no ASCII letters or digits (e.g. a Chinese title). */
export function slugify(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 80);
}

/** A short stable hash, for ids derived from text that has no ASCII slug. */
function shortHash(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}

function idFrom(text: string, fallbackPrefix: string): string {
  return slugify(text) || `${fallbackPrefix}-${shortHash(text)}`;
}

// ---- Vigil YAML ----------------------------------------------------------------------------------------

const Duration = z.string().transform((s, ctx) => {
  try {
    return parseDuration(s) / 1000;
  } catch (e) {
    ctx.addIssue({ code: 'custom', message: (e as Error).message });
    return z.NEVER;
  }
});

const YamlThreshold = z.strictObject({ value: z.number(), color: z.string().min(1), label: z.string().nullish() });
const YamlTarget = z.union([
  z
    .string()
    .min(1)
    .transform((expr) => ({ expr, legend: null })),
  z.strictObject({ expr: z.string().trim().min(1, 'a target needs a PromQL expr'), legend: z.string().nullish() }),
]);
const YamlPanel = z.strictObject({
  id: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'panel ids use letters, digits, "-", "_" and "."')
    .optional(),
  title: z.string().min(1),
  type: z.enum(['timeseries', 'stat', 'gauge']).default('timeseries'),
  unit: z.string().nullish(),
  targets: z.array(YamlTarget).min(1, 'a panel needs at least one target'),
  thresholds: z.array(YamlThreshold).default([]),
});
const YamlDashboard = z.strictObject({
  id: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'dashboard ids use letters, digits, "-", "_" and "."')
    .max(200)
    .optional(),
  title: z.string().min(1),
  tags: z.array(z.string()).default([]),
  range: Duration.optional(),
  step: Duration.optional(),
  refresh: Duration.optional(),
  panels: z.array(YamlPanel).min(1, 'a dashboard needs at least one panel'),
});

/** Parses Vigil dashboard YAML (one dashboard per document). Throws on the first invalid document. */
export function parseVigilDashboards(text: string, source = 'dashboard YAML'): DashboardSpec[] {
  const docs = parseAllDocuments(text);
  const out: DashboardSpec[] = [];
  docs.forEach((doc, n) => {
    const where = docs.length > 1 ? `${source} (document ${n + 1})` : source;
    if (doc.errors.length > 0) throw new Error(`${where} is not valid YAML: ${doc.errors[0].message}`);
    const raw: unknown = doc.toJS();
    if (raw == null) return; // an empty document (e.g. a trailing `---`)
    const parsed = YamlDashboard.safeParse(raw);
    if (!parsed.success) throw new Error(`${where} is not a valid dashboard: ${describeZodError(parsed.error)}`);
    const d = parsed.data;
    const ids = new Set<string>();
    const panels: Panel[] = d.panels.map((p, i) => {
      const id = p.id ?? idFrom(p.title, `panel-${i + 1}`);
      if (ids.has(id)) throw new Error(`${where}: two panels have the id "${id}"; give them distinct ids`);
      ids.add(id);
      return {
        id,
        title: p.title,
        type: p.type,
        unit: p.unit ?? null,
        targets: p.targets.map((t) => ({ expr: t.expr, legend: t.legend ?? null })),
        thresholds: p.thresholds.map((t) => ({ value: t.value, color: t.color, label: t.label ?? null })),
      };
    });
    out.push({
      dashboard: { id: d.id ?? idFrom(d.title, 'dashboard'), title: d.title, tags: d.tags, panels, unsupported: [] },
      query: {
        rangeSeconds: d.range ?? DEFAULT_QUERY.rangeSeconds,
        stepSeconds: d.step ?? null,
        refreshSeconds: d.refresh ?? DEFAULT_QUERY.refreshSeconds,
      },
    });
  });
  const seen = new Set<string>();
  for (const s of out) {
    if (seen.has(s.dashboard.id)) throw new Error(`${source}: two dashboards have the id "${s.dashboard.id}"`);
    seen.add(s.dashboard.id);
  }
  if (out.length === 0) throw new Error(`${source} holds no dashboard`);
  return out;
}

// ---- Grafana JSON ----------------------------------------------------------------------------------------

/** Grafana panel types Vigil draws, and what it draws them as. */
const GRAFANA_TYPES: Record<string, Panel['type']> = {
  timeseries: 'timeseries',
  graph: 'timeseries',
  stat: 'stat',
  singlestat: 'stat',
  gauge: 'gauge',
};

// Grafana exports are loose; only what Vigil reads is checked, and everything else passes through.
const GTarget = z.looseObject({
  expr: z.string().optional(),
  legendFormat: z.string().optional(),
  hide: z.boolean().optional(),
});
const GStep = z.looseObject({ value: z.number().nullable().optional(), color: z.string().optional() });
type GPanelT = {
  id?: unknown;
  title?: unknown;
  type?: unknown;
  collapsed?: unknown;
  panels?: unknown;
  targets?: unknown;
  fieldConfig?: unknown;
  thresholds?: unknown;
  colors?: unknown;
  format?: unknown;
  yaxes?: unknown;
};
const GDashboard = z.looseObject({
  uid: z.string().nullish(),
  title: z.string().min(1, 'the dashboard has no title'),
  tags: z.array(z.string()).optional(),
  panels: z.array(z.looseObject({})).optional(),
  rows: z.array(z.looseObject({ panels: z.array(z.looseObject({})).optional() })).optional(),
  time: z.looseObject({ from: z.string().optional() }).optional(),
  refresh: z.union([z.string(), z.boolean()]).optional(),
  templating: z.looseObject({ list: z.array(z.looseObject({})).optional() }).optional(),
});

/** Panels in display order with rows (new-style row panels, collapsed or not, and old-style `rows`) flattened. */
function flattenPanels(d: z.infer<typeof GDashboard>): GPanelT[] {
  const out: GPanelT[] = [];
  const visit = (list: GPanelT[]) => {
    for (const p of list) {
      if (p.type === 'row') {
        if (Array.isArray(p.panels)) visit(p.panels as GPanelT[]);
      } else out.push(p);
    }
  };
  visit((d.panels ?? []) as GPanelT[]);
  for (const row of d.rows ?? []) visit((row.panels ?? []) as GPanelT[]);
  return out;
}

const OLD_GRAPH_COLORS: Record<string, string> = { critical: 'red', warning: 'orange', ok: 'green' };

function grafanaThresholds(p: GPanelT): Panel['thresholds'] {
  const fc = p.fieldConfig as { defaults?: { thresholds?: { steps?: unknown } } } | undefined;
  const steps = z.array(GStep).safeParse(fc?.defaults?.thresholds?.steps);
  if (steps.success && steps.data.length > 0) {
    // the first step of a Grafana threshold list is the base colour (value null): it marks no boundary
    return steps.data
      .filter((s): s is typeof s & { value: number } => typeof s.value === 'number')
      .map((s) => ({ value: s.value, color: s.color ?? 'red', label: null }));
  }
  // old graph panels: [{ value, colorMode, op }]
  const graph = z
    .array(z.looseObject({ value: z.number(), colorMode: z.string().optional(), fillColor: z.string().optional() }))
    .safeParse(p.thresholds);
  if (graph.success) {
    return graph.data.map((t) => ({
      value: t.value,
      color: OLD_GRAPH_COLORS[t.colorMode ?? ''] ?? t.fillColor ?? 'red',
      label: null,
    }));
  }
  // old singlestat panels: thresholds "50,80" with colors [base, mid, high]
  if (typeof p.thresholds === 'string' && p.thresholds.trim() !== '') {
    const colors = Array.isArray(p.colors) ? (p.colors as unknown[]).map(String) : [];
    return p.thresholds
      .split(',')
      .map((v) => Number(v.trim()))
      .filter((v) => Number.isFinite(v))
      .map((value, i) => ({ value, color: colors[i + 1] ?? 'red', label: null }));
  }
  return [];
}

function grafanaUnit(p: GPanelT): string | null {
  const fc = p.fieldConfig as { defaults?: { unit?: unknown } } | undefined;
  const unit =
    fc?.defaults?.unit ??
    p.format ??
    (Array.isArray(p.yaxes) ? (p.yaxes[0] as { format?: unknown })?.format : undefined);
  return typeof unit === 'string' && unit !== '' && unit !== 'none' && unit !== 'short' ? unit : null;
}

/** Values of the dashboard's template variables, for substituting `$var` / `${var}` / `[[var]]` in exprs. */
function templateValues(d: z.infer<typeof GDashboard>): Map<string, string> {
  const vars = new Map<string, string>();
  for (const v of d.templating?.list ?? []) {
    const name = typeof v.name === 'string' ? v.name : null;
    if (!name) continue;
    const current = (v.current as { value?: unknown } | undefined)?.value;
    const first = Array.isArray(current) ? current : [current];
    const values = first.filter((x): x is string => typeof x === 'string');
    // "All" (or several values) becomes a regex that matches them; Grafana dashboards use such variables with =~
    if (values.length === 0 || values.includes('$__all')) vars.set(name, '.*');
    else if (values.length === 1) vars.set(name, values[0]);
    else vars.set(name, values.join('|'));
  }
  return vars;
}

/** Grafana's built-in range variables are left for the source to fill at fetch time (see expandRangeVariables). */
const BUILTIN = new Set(['__interval', '__interval_ms', '__rate_interval', '__range', '__range_s', '__range_ms']);

function substitute(expr: string, vars: Map<string, string>): string {
  return expr.replace(/\$\{(\w+)(?::\w+)?\}|\[\[(\w+)\]\]|\$(\w+)/g, (whole, a?: string, b?: string, c?: string) => {
    const name = (a ?? b ?? c)!;
    if (BUILTIN.has(name)) return `$${name}`;
    return vars.get(name) ?? whole;
  });
}

/** Fills Grafana's `$__interval`, `$__rate_interval` and `$__range` for one fetch. */
export function expandRangeVariables(expr: string, stepSeconds: number, rangeSeconds: number): string {
  const rate = Math.max(4 * stepSeconds, 60);
  return expr
    .replace(/\$__rate_interval/g, `${rate}s`)
    .replace(/\$__interval_ms/g, `${stepSeconds * 1000}`)
    .replace(/\$__interval/g, `${stepSeconds}s`)
    .replace(/\$__range_s/g, `${rangeSeconds}`)
    .replace(/\$__range_ms/g, `${rangeSeconds * 1000}`)
    .replace(/\$__range/g, `${rangeSeconds}s`);
}

function grafanaRange(from: string | undefined): number {
  const m = from ? /^now-(\w+)$/.exec(from.trim()) : null;
  if (!m) return DEFAULT_QUERY.rangeSeconds;
  try {
    return parseDuration(m[1]) / 1000 || DEFAULT_QUERY.rangeSeconds;
  } catch {
    return DEFAULT_QUERY.rangeSeconds;
  }
}

function grafanaRefresh(refresh: string | boolean | undefined): number {
  if (typeof refresh !== 'string' || refresh === '') return DEFAULT_QUERY.refreshSeconds;
  try {
    return Math.max(5, parseDuration(refresh) / 1000);
  } catch {
    return DEFAULT_QUERY.refreshSeconds;
  }
}

/**
 * Imports a Grafana dashboard JSON export: the dashboard model itself or the API shape `{ dashboard: … }`.
 * Panels Vigil cannot draw (tables, text, heatmaps, panels without a Prometheus target…) are listed in
 * `unsupported` with their title and type.
 */
export function parseGrafanaDashboard(text: string, opts: { id?: string } = {}): DashboardSpec {
  const json = parseJson(text);
  if (!json.ok) throw new Error(`The Grafana dashboard is not valid JSON: ${json.error}`);
  const raw = json.value;
  const model =
    raw && typeof raw === 'object' && 'dashboard' in raw && !('panels' in raw)
      ? (raw as { dashboard: unknown }).dashboard
      : raw;
  const parsed = GDashboard.safeParse(model);
  if (!parsed.success) throw new Error(`This is not a Grafana dashboard: ${describeZodError(parsed.error)}`);
  const d = parsed.data;
  const vars = templateValues(d);
  const panels: Panel[] = [];
  const unsupported: Dashboard['unsupported'] = [];
  const ids = new Set<string>();
  for (const [i, p] of flattenPanels(d).entries()) {
    const title = typeof p.title === 'string' && p.title.trim() !== '' ? p.title : `Panel ${i + 1}`;
    const gType = typeof p.type === 'string' ? p.type : 'unknown';
    const type = GRAFANA_TYPES[gType];
    if (!type) {
      unsupported.push({ title, type: gType });
      continue;
    }
    const targets = z.array(GTarget).safeParse(p.targets ?? []);
    const promql = (targets.success ? targets.data : [])
      .filter((t) => !t.hide && typeof t.expr === 'string' && t.expr.trim() !== '')
      .map((t) => ({
        expr: substitute(t.expr!.trim(), vars),
        legend: t.legendFormat && t.legendFormat !== '__auto' ? t.legendFormat : null,
      }));
    if (promql.length === 0) {
      unsupported.push({ title, type: `${gType} (no PromQL target)` });
      continue;
    }
    let id = typeof p.id === 'number' || typeof p.id === 'string' ? `p${p.id}` : idFrom(title, 'panel');
    if (ids.has(id)) id = `${id}-${i + 1}`;
    ids.add(id);
    panels.push({ id, title, type, unit: grafanaUnit(p), targets: promql, thresholds: grafanaThresholds(p) });
  }
  if (panels.length === 0 && unsupported.length === 0)
    throw new Error(`The Grafana dashboard "${d.title}" has no panels`);
  return {
    dashboard: {
      id: opts.id ?? (d.uid ? `grafana-${slugify(d.uid) || shortHash(d.uid)}` : idFrom(d.title, 'grafana')),
      title: d.title,
      tags: d.tags ?? [],
      panels,
      unsupported,
    },
    query: { rangeSeconds: grafanaRange(d.time?.from), stepSeconds: null, refreshSeconds: grafanaRefresh(d.refresh) },
  };
}

/** Parses a dashboard file by its name: `.json` is a Grafana export, `.yaml`/`.yml` the Vigil format. */
export function parseDashboardFile(name: string, text: string): DashboardSpec[] {
  if (/\.json$/i.test(name)) {
    try {
      return [parseGrafanaDashboard(text)];
    } catch (e) {
      throw new Error(`${name}: ${(e as Error).message}`);
    }
  }
  if (/\.ya?ml$/i.test(name)) return parseVigilDashboards(text, name);
  throw new Error(`${name}: not a dashboard file (expected .yaml, .yml or .json)`);
}
