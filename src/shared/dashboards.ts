/** Dashboards: panels with PromQL targets and the last series fetched for them. */
import { z } from 'zod';

export const PanelSchema = z.object({
  id: z.string().min(1),
  title: z.string(),
  type: z.enum(['timeseries', 'stat', 'gauge']),
  unit: z.string().nullable(),
  targets: z.array(z.object({ expr: z.string(), legend: z.string().nullable() })),
  thresholds: z.array(z.object({ value: z.number(), color: z.string(), label: z.string().nullable() })),
});
export type Panel = z.infer<typeof PanelSchema>;

export const DashboardSchema = z.object({
  id: z.string().min(1).max(200),
  title: z.string(),
  tags: z.array(z.string()),
  panels: z.array(PanelSchema),
  /** panel types found in an import that Vigil cannot draw, listed rather than dropped silently */
  unsupported: z.array(z.object({ title: z.string(), type: z.string() })),
  updatedAt: z.number(),
  fetchedAt: z.number(),
});
export type Dashboard = z.infer<typeof DashboardSchema>;

export const SeriesSchema = z.object({
  dashboardId: z.string(),
  panelId: z.string(),
  /** one entry per returned series: its labels and [ms, value] points */
  series: z.array(z.object({ labels: z.record(z.string(), z.string()), points: z.array(z.tuple([z.number(), z.number()])) })),
  rangeStart: z.number(),
  rangeEnd: z.number(),
  stepSeconds: z.number(),
  fetchedAt: z.number(),
});
export type Series = z.infer<typeof SeriesSchema>;
