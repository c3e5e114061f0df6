/**
 * The demo's world: signals (what a dashboard would query), alert rules on those signals, and scenarios
 * (incidents that push several related signals at once, from one shop or — in a storm — all of them).
 * Defined in resources/demo/alerts/*.yaml (docs/sources.md describes the format); simulated here, tick by tick,
 * with a seeded PRNG, so one seed and one clock always give the same alerts and the same curves.
 */
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { parseDuration } from '@shared/dashboard-spec';
import { describeZodError } from '@shared/rpc';

// ---- definitions --------------------------------------------------------------------------------------

const Labels = z.record(z.string(), z.string());
const Minutes = z.union([z.number().positive(), z.tuple([z.number().positive(), z.number().positive()])]);
const DurationMs = z.string().transform((s, ctx) => {
  try {
    return parseDuration(s);
  } catch (e) {
    ctx.addIssue({ code: 'custom', message: (e as Error).message });
    return z.NEVER;
  }
});

const SignalDef = z.strictObject({
  id: z.string().regex(/^[a-z][a-z0-9_]*$/, 'signal ids are snake_case'),
  /** the PromQL a dashboard panel uses to show this signal (matched after collapsing whitespace) */
  expr: z.string().min(1),
  baseline: z.number(),
  /** relative jitter around the baseline (0.2 = about ±20 %) */
  noise: z.number().min(0).max(5).default(0.1),
  min: z.number().optional(),
  max: z.number().optional(),
  /** whole numbers (counts, levels) */
  integer: z.boolean().default(false),
  /** one value per label set (e.g. per shop); dashboards show one series each and rules fire per instance */
  instances: z.array(Labels).min(1).default([{}]),
});

const AlertDef = z.strictObject({
  alert: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'alert names are identifiers'),
  signal: z.string(),
  op: z.enum(['>', '>=', '<', '<=', '==']),
  threshold: z.number(),
  /** how long the condition must hold before the alert fires */
  for: DurationMs.default(0),
  /** also require the value to be higher than `risingWindow` ago ("> 5k and growing") */
  rising: z.boolean().default(false),
  risingWindow: DurationMs.default(5 * 60_000),
  labels: Labels.refine((l) => typeof l.severity === 'string', 'an alert needs a severity label'),
  annotations: Labels.default({}),
});

const Effect = z.union([
  z.strictObject({ to: z.number() }),
  z.strictObject({ add: z.number() }),
  z.strictObject({ perMinute: z.number() }),
]);

const ScenarioDef = z.strictObject({
  id: z.string().min(1),
  weight: z.number().positive().default(1),
  minutes: Minutes,
  rampMinutes: z.number().min(0).default(2),
  /** 'one' hits one instance of instanced signals (picked at random), 'all' hits every one: a storm */
  spread: z.enum(['one', 'all']).default('one'),
  effects: z.record(z.string(), Effect),
});

export const ModelFileSchema = z.strictObject({
  signals: z.array(SignalDef).default([]),
  alerts: z.array(AlertDef).default([]),
  scenarios: z.array(ScenarioDef).default([]),
});

export type SignalDef = z.infer<typeof SignalDef>;
export type AlertDef = z.infer<typeof AlertDef>;
export type ScenarioDef = z.infer<typeof ScenarioDef>;
export interface ModelDef {
  signals: SignalDef[];
  alerts: AlertDef[];
  scenarios: ScenarioDef[];
}

/** Parses and cross-checks model files ({ name, text }); throws naming the file and the problem. */
export function parseModel(files: { name: string; text: string }[]): ModelDef {
  const model: ModelDef = { signals: [], alerts: [], scenarios: [] };
  for (const f of files) {
    let raw: unknown;
    try {
      raw = parseYaml(f.text);
    } catch (e) {
      throw new Error(`${f.name} is not valid YAML: ${(e as Error).message}`);
    }
    const parsed = ModelFileSchema.safeParse(raw ?? {});
    if (!parsed.success) {
      throw new Error(`${f.name}: ${describeZodError(parsed.error, { first: 1 })}`);
    }
    model.signals.push(...parsed.data.signals);
    model.alerts.push(...parsed.data.alerts);
    model.scenarios.push(...parsed.data.scenarios);
  }
  const signals = new Set<string>();
  for (const s of model.signals) {
    if (signals.has(s.id)) throw new Error(`signal "${s.id}" is defined twice`);
    signals.add(s.id);
  }
  for (const a of model.alerts)
    if (!signals.has(a.signal)) throw new Error(`alert ${a.alert} uses the unknown signal "${a.signal}"`);
  for (const sc of model.scenarios)
    for (const id of Object.keys(sc.effects))
      if (!signals.has(id)) throw new Error(`scenario ${sc.id} affects the unknown signal "${id}"`);
  return model;
}

// ---- randomness ---------------------------------------------------------------------------------------

/** mulberry32: small, fast, and the same sequence for the same seed everywhere. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// ---- simulation ---------------------------------------------------------------------------------------

export interface ActiveScenario {
  def: ScenarioDef;
  startedAt: number;
  /** when it stops pushing (it then ramps back down over rampMinutes) */
  endsAt: number;
  /** per affected signal: the instance indexes it hits */
  targets: Map<string, number[]>;
}

export interface InstanceState {
  labels: Record<string, string>;
  /** AR(1) noise state in [-1, 1] */
  wobble: number;
  /** [t, value] newest last, bounded by the history window */
  history: [number, number][];
}

export interface ModelOptions {
  random: () => number;
  tickMs: number;
  /** mean time between scenario starts */
  meanGapMs: number;
  maxConcurrent: number;
  /** how much history each signal keeps (the longest dashboard range) */
  historyMs: number;
}

/** The simulated world at one instant. `step(t)` moves it to t; nothing else changes it. */
export class DemoModel {
  readonly signals = new Map<string, { def: SignalDef; instances: InstanceState[] }>();
  active: ActiveScenario[] = [];
  now = 0;

  constructor(
    readonly def: ModelDef,
    private readonly o: ModelOptions,
  ) {
    for (const s of def.signals) {
      this.signals.set(s.id, { def: s, instances: s.instances.map((labels) => ({ labels, wobble: 0, history: [] })) });
    }
  }

  /** Starts a scenario now (or at `at`); the generator calls this at random, tests and the warm start directly. */
  startScenario(def: ScenarioDef, at = this.now): ActiveScenario {
    const [lo, hi] = Array.isArray(def.minutes) ? def.minutes : [def.minutes, def.minutes];
    const minutes = lo + (hi - lo) * this.o.random();
    const targets = new Map<string, number[]>();
    for (const id of Object.keys(def.effects)) {
      const n = this.signals.get(id)!.instances.length;
      targets.set(id, def.spread === 'all' || n === 1 ? [...Array(n).keys()] : []);
    }
    // 'one': the same shop across every affected signal, so related alerts fire together
    if (def.spread === 'one') {
      const widest = Math.max(...[...targets.keys()].map((id) => this.signals.get(id)!.instances.length));
      const pick = Math.floor(this.o.random() * widest);
      for (const [id, list] of targets) if (list.length === 0) list.push(pick % this.signals.get(id)!.instances.length);
    }
    const sc: ActiveScenario = { def, startedAt: at, endsAt: at + minutes * 60_000, targets };
    this.active.push(sc);
    return sc;
  }

  private maybeStartScenario(): void {
    const candidates = this.def.scenarios.filter((s) => !this.active.some((a) => a.def.id === s.id));
    if (candidates.length === 0 || this.active.length >= this.o.maxConcurrent) return;
    if (this.o.random() >= this.o.tickMs / this.o.meanGapMs) return;
    const total = candidates.reduce((sum, s) => sum + s.weight, 0);
    let r = this.o.random() * total;
    for (const s of candidates) {
      r -= s.weight;
      if (r <= 0) {
        this.startScenario(s);
        return;
      }
    }
  }

  /** 0…1: how hard a scenario pushes at time t (ramps up, holds, ramps down). */
  private envelope(sc: ActiveScenario, t: number): number {
    const ramp = sc.def.rampMinutes * 60_000;
    if (t < sc.startedAt) return 0;
    const up = ramp === 0 ? 1 : Math.min(1, (t - sc.startedAt) / ramp);
    if (t <= sc.endsAt) return up;
    return ramp === 0 ? 0 : Math.max(0, Math.min(up, 1 - (t - sc.endsAt) / ramp));
  }

  private value(id: string, def: SignalDef, idx: number, inst: InstanceState, t: number): number {
    let v = def.baseline * (1 + def.noise * inst.wobble);
    for (const sc of this.active) {
      const effect = sc.def.effects[id];
      if (!effect || !sc.targets.get(id)!.includes(idx)) continue;
      const e = this.envelope(sc, t);
      // an incident level wobbles a little, never enough to flap across the line it was written to cross
      if ('to' in effect) v = v * (1 - e) + effect.to * (1 + Math.min(def.noise, 0.1) * inst.wobble) * e;
      else if ('add' in effect) v += effect.add * e;
      else v += ((effect.perMinute * (Math.min(t, sc.endsAt) - sc.startedAt)) / 60_000) * (t <= sc.endsAt ? 1 : e);
    }
    if (def.min !== undefined) v = Math.max(def.min, v);
    if (def.max !== undefined) v = Math.min(def.max, v);
    return def.integer ? Math.round(v) : Math.round(v * 1000) / 1000;
  }

  /** Advances to `t`: maybe starts a scenario, retires finished ones, samples every signal. */
  step(t: number): void {
    this.now = t;
    this.maybeStartScenario();
    this.active = this.active.filter((sc) => t <= sc.endsAt + sc.def.rampMinutes * 60_000);
    for (const [id, s] of this.signals) {
      s.instances.forEach((inst, idx) => {
        inst.wobble = Math.max(-1, Math.min(1, 0.8 * inst.wobble + 0.6 * (this.o.random() * 2 - 1)));
        inst.history.push([t, this.value(id, s.def, idx, inst, t)]);
        while (inst.history.length > 0 && inst.history[0][0] < t - this.o.historyMs) inst.history.shift();
      });
    }
  }

  /** The value of a signal instance at or just before `t` (null before its history starts). */
  valueAt(id: string, idx: number, t: number): number | null {
    const h = this.signals.get(id)!.instances[idx].history;
    for (let i = h.length - 1; i >= 0; i--) if (h[i][0] <= t) return h[i][1];
    return null;
  }

  latest(id: string, idx: number): number | null {
    return this.signals.get(id)!.instances[idx].history.at(-1)?.[1] ?? null;
  }
}

export function compare(op: AlertDef['op'], v: number, threshold: number): boolean {
  switch (op) {
    case '>':
      return v > threshold;
    case '>=':
      return v >= threshold;
    case '<':
      return v < threshold;
    case '<=':
      return v <= threshold;
    case '==':
      return v === threshold;
  }
}

/** Fills `{{ $value }}` and `{{ $labels.name }}` the way Prometheus alert templates do. */
export function renderTemplate(text: string, value: number, labels: Record<string, string>): string {
  return text
    .replace(/\{\{\s*\$value\s*\}\}/g, String(Math.round(value * 100) / 100))
    .replace(/\{\{\s*\$labels\.([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g, (_, n: string) => labels[n] ?? '');
}

/** Alertmanager-style fingerprint: FNV-1a 64 over the sorted label pairs, as 16 hex digits. */
export function fingerprint(labels: Record<string, string>): string {
  let h = 0xcbf29ce484222325n;
  const prime = 0x100000001b3n;
  const mix = (s: string) => {
    for (const b of new TextEncoder().encode(s)) {
      h ^= BigInt(b);
      h = (h * prime) & 0xffffffffffffffffn;
    }
  };
  for (const k of Object.keys(labels).sort()) {
    mix(k);
    mix('\xff');
    mix(labels[k]);
    mix('\xff');
  }
  return h.toString(16).padStart(16, '0');
}

/** Collapses whitespace so a dashboard's target and a signal's expr compare equal however they are wrapped. */
export const normalizeExpr = (e: string): string =>
  e
    .replace(/\s+/g, ' ')
    .replace(/\s*([(),{}[\]])\s*/g, '$1')
    .trim();

/**
 * The demo's alert rules as a Prometheus rule file, for running the same alerts on a real Prometheus
 * (resources/demo/prometheus/alerts.yml is this output; a unit test keeps the two in step).
 */
export function toPrometheusRules(def: ModelDef, groupName = 'vigil-demo'): object {
  const exprOf = new Map(def.signals.map((s) => [s.id, s.expr]));
  const duration = (ms: number) => (ms % 60_000 === 0 ? `${ms / 60_000}m` : `${ms / 1000}s`);
  return {
    groups: [
      {
        name: groupName,
        rules: def.alerts.map((a) => {
          const e = exprOf.get(a.signal)!;
          const window = duration(a.risingWindow);
          // "and growing": the value went up over the window (a subquery works for any expression)
          const expr = a.rising
            ? `(${e}) ${a.op} ${a.threshold} and deriv((${e})[${window}:1m]) > 0`
            : `(${e}) ${a.op} ${a.threshold}`;
          return {
            alert: a.alert,
            expr,
            ...(a.for > 0 ? { for: duration(a.for) } : {}),
            labels: a.labels,
            annotations: a.annotations,
          };
        }),
      },
    ],
  };
}
