/**
 * The demo's simulated Alertmanager: alert rules evaluated against the model's signals (pending for `for`,
 * firing while the condition holds, held resolved after an operator resolves until the condition clears),
 * silences with Alertmanager's states, and both listed the way Alertmanager's API v2 lists them, so the
 * demo goes through the same `reconcile` as the real source.
 */
import type { Matcher } from '@shared/alerts';
import { compileMatchers } from '@shared/matchers';
import { silenceOfAction, type NewSilence } from './alert-state';
import type { AmAlert, AmSilence } from './alertmanager-api';
import { compare, fingerprint, renderTemplate, type AlertDef, type DemoModel, type ModelDef } from './demo-model';

export interface RuleInstance {
  def: AlertDef;
  signalId: string;
  index: number;
  labels: Record<string, string>;
  pendingSince: number | null;
  firing: { fingerprint: string; startsAt: number; annotations: Record<string, string> } | null;
  /** resolved by an operator: stays quiet until the condition clears once */
  heldResolved: boolean;
}

export interface DemoSilence {
  id: string;
  matchers: Matcher[];
  startsAt: number;
  endsAt: number;
  createdBy: string;
  comment: string;
  updatedAt: number;
}

const iso = (ms: number) => new Date(ms).toISOString();

export const silenceState = (s: DemoSilence, t: number): AmSilence['status']['state'] =>
  s.endsAt <= t ? 'expired' : s.startsAt > t ? 'pending' : 'active';

export function createDemoAlertmanager(def: ModelDef, model: DemoModel) {
  const rules: RuleInstance[] = def.alerts.flatMap((a) =>
    model.signals.get(a.signal)!.instances.map((inst, index) => ({
      def: a,
      signalId: a.signal,
      index,
      labels: { alertname: a.alert, ...a.labels, ...inst.labels },
      pendingSince: null,
      firing: null,
      heldResolved: false,
    })),
  );
  const silences = new Map<string, DemoSilence>();
  let silenceSeq = 0;
  // silence ids of one run never collide with those of an earlier run the gateway still holds
  let runTag = '0';

  /** Runs the rules against the model's latest values. */
  const evaluate = (t: number) => {
    for (const r of rules) {
      const v = model.latest(r.signalId, r.index);
      if (v === null) continue;
      const before = r.def.rising ? model.valueAt(r.signalId, r.index, t - r.def.risingWindow) : null;
      const holds = compare(r.def.op, v, r.def.threshold) && (!r.def.rising || (before !== null && v > before));
      if (!holds) {
        r.pendingSince = null;
        r.firing = null;
        r.heldResolved = false;
        continue;
      }
      r.pendingSince ??= t;
      if (r.firing || r.heldResolved || t - r.pendingSince < r.def.for) continue;
      const annotations = Object.fromEntries(
        Object.entries(r.def.annotations).map(([k, text]) => [k, renderTemplate(text, v, r.labels)]),
      );
      r.firing = { fingerprint: fingerprint(r.labels), startsAt: t, annotations };
    }
  };

  /** The firing set and silences as Alertmanager would list them. */
  const listing = (t: number): { alerts: AmAlert[]; silences: AmSilence[] } => {
    const active = [...silences.values()]
      .filter((s) => silenceState(s, t) === 'active')
      .map((s) => ({ id: s.id, test: compileMatchers(s.matchers) }));
    const alerts = rules
      .filter((r) => r.firing)
      .map((r): AmAlert => {
        const silencedBy = active.filter((s) => s.test(r.labels)).map((s) => s.id);
        return {
          fingerprint: r.firing!.fingerprint,
          labels: r.labels,
          annotations: r.firing!.annotations,
          startsAt: iso(r.firing!.startsAt),
          endsAt: iso(t + 5 * 60_000),
          generatorURL: undefined,
          status: { state: silencedBy.length ? 'suppressed' : 'active', silencedBy, inhibitedBy: [] },
        };
      });
    const sil = [...silences.values()].map((s): AmSilence => ({
      id: s.id,
      matchers: s.matchers,
      startsAt: iso(s.startsAt),
      endsAt: iso(s.endsAt),
      updatedAt: iso(s.updatedAt),
      createdBy: s.createdBy,
      comment: s.comment,
      status: { state: silenceState(s, t) },
    }));
    return { alerts, silences: sil };
  };

  return {
    evaluate,
    listing,
    /** the rule whose alert with this fingerprint fires now */
    firingRule: (fp: string) => rules.find((r) => r.firing?.fingerprint === fp),
    /** an operator resolved it: quiet until its condition clears */
    resolve(r: RuleInstance) {
      r.firing = null;
      r.heldResolved = true;
    },
    startRun(tag: string) {
      runTag = tag;
    },
    silence: (id: string) => silences.get(id),
    addSilence(s: NewSilence, now: number): DemoSilence {
      const full = { ...s, id: `demo-silence-${runTag}-${++silenceSeq}`, updatedAt: now };
      silences.set(full.id, full);
      return full;
    },
    /** whether an action's silence exists in this run (a resumed create that did get through) */
    createdBy: (actionId: string) => silenceOfAction([...silences.values()], actionId) !== null,
    /** Alertmanager forgets expired silences after its retention; so does the demo */
    forgetExpired(t: number, retentionMs: number) {
      for (const [id, s] of silences) if (s.endsAt < t - retentionMs) silences.delete(id);
    },
  };
}

export type DemoAlertmanager = ReturnType<typeof createDemoAlertmanager>;
