/**
 * Dashboard series from the demo's simulation: a panel target whose expression is a model signal's gets
 * that signal's history; the other panels stay empty (listed once at start as panels without a signal).
 */
import type { DashboardSpec } from '@shared/dashboard-spec';
import type { SourceEvent } from '../source';
import { normalizeExpr, type DemoModel, type ModelDef } from './demo-model';
import { seriesLabels, seriesUpdate } from './prometheus';

export function createDemoSeries(def: ModelDef, model: DemoModel, specs: readonly DashboardSpec[], tickMs: number) {
  const signalByExpr = new Map(def.signals.map((s) => [normalizeExpr(s.expr), s.id]));
  const signalOf = (expr: string) => signalByExpr.get(normalizeExpr(expr));
  return {
    /** One series.update per panel whose targets the model knows. */
    events(t: number): SourceEvent[] {
      const events: SourceEvent[] = [];
      for (const spec of specs) {
        const start = t - spec.query.rangeSeconds * 1000;
        for (const panel of spec.dashboard.panels) {
          const series = panel.targets.flatMap((target) => {
            const id = signalOf(target.expr);
            if (!id) return [];
            return model.signals.get(id)!.instances.map((inst) => ({
              labels: seriesLabels(target, inst.labels),
              points: inst.history.filter(([at]) => at >= start),
            }));
          });
          if (series.length > 0)
            events.push(seriesUpdate(spec, panel.id, series, { start, end: t, stepSeconds: tickMs / 1000 }, t));
        }
      }
      return events;
    },
    /** each dashboard's panels with no demo signal behind any of their targets, as warnings */
    problems(): string[] {
      return specs.flatMap((s) => {
        const unknown = s.dashboard.panels.filter((p) => p.targets.every((t) => !signalOf(t.expr)));
        return unknown.length > 0
          ? [`dashboard ${s.dashboard.id}: no demo signal for panel(s) ${unknown.map((p) => p.id).join(', ')}`]
          : [];
      });
    },
  };
}
