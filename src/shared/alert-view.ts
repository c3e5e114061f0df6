/**
 * An alert as the console's views get it: label and annotation values (and names) longer than a few KB are
 * cut, with what was cut and how long it was, so a 1 MB label cannot stall the table or the detail pane. The
 * whole value is loaded on demand ("show all": `alertValue`). The cache and the platform keep the alert whole;
 * only what crosses to the renderer is cut.
 */
import { z } from 'zod';
import { AlertSchema, type Alert } from './alerts';

/** a value longer than this many UTF-16 units is cut to it */
export const VALUE_CUT_CHARS = 4096;
/** a label or annotation name longer than this is cut to it (the value is still loaded by position) */
export const NAME_CUT_CHARS = 256;

export interface CutEntry {
  /** the entry's position in the stored alert's labels or annotations (what `alertValue` loads by) */
  index: number;
  /** the name as shown (cut when it was longer than NAME_CUT_CHARS) */
  name: string;
  /** the whole value's length in UTF-16 units */
  length: number;
  /** the name itself was cut */
  nameCut: boolean;
}

export interface AlertCuts {
  labels: CutEntry[];
  annotations: CutEntry[];
}

const CutEntrySchema = z.object({ index: z.number().int().nonnegative(), name: z.string(), length: z.number().int(), nameCut: z.boolean() });
/** The alert as the renderer sees it: `cut` is there only when something was cut. */
export const AlertViewSchema = AlertSchema.extend({
  cut: z.object({ labels: z.array(CutEntrySchema), annotations: z.array(CutEntrySchema) }).optional(),
});
export type AlertView = Alert & { cut?: AlertCuts };

/** `s` cut to at most `n` units, never between the two halves of a surrogate pair. */
export function cutText(s: string, n: number): string {
  if (s.length <= n) return s;
  const code = s.charCodeAt(n - 1);
  return s.slice(0, code >= 0xd800 && code <= 0xdbff ? n - 1 : n);
}

function cutSet(set: Readonly<Record<string, string>>): { set: Record<string, string>; cuts: CutEntry[] } {
  const cuts: CutEntry[] = [];
  const entries = Object.entries(set).map(([k, v], index): [string, string] => {
    const nameCut = k.length > NAME_CUT_CHARS;
    const name = nameCut ? `${cutText(k, NAME_CUT_CHARS)}…#${index}` : k;
    const value = cutText(v, VALUE_CUT_CHARS);
    if (nameCut || value.length < v.length) cuts.push({ index, name, length: v.length, nameCut });
    return [name, value];
  });
  // fromEntries, not assignment: a label named "__proto__" stays a label
  return { set: Object.fromEntries(entries), cuts };
}

/** a generator URL longer than this is not offered at all (a cut URL would open the wrong page) */
export const URL_MAX_CHARS = 16_384;

const big = (set: Readonly<Record<string, string>>) => Object.entries(set).some(([k, v]) => k.length > NAME_CUT_CHARS || v.length > VALUE_CUT_CHARS);

/**
 * The alert with oversized names and values cut (the same object when nothing is): labels, annotations, the
 * alert name and who acked it; a generator URL over URL_MAX_CHARS is dropped.
 */
export function cutAlert(a: Alert): AlertView {
  const longUrl = (a.generatorUrl?.length ?? 0) > URL_MAX_CHARS;
  const longText = a.alertname.length > VALUE_CUT_CHARS || (a.ackedBy?.length ?? 0) > VALUE_CUT_CHARS;
  if (!big(a.labels) && !big(a.annotations) && !longText && !longUrl) return a;
  const labels = cutSet(a.labels);
  const annotations = cutSet(a.annotations);
  return {
    ...a,
    alertname: cutText(a.alertname, VALUE_CUT_CHARS),
    ackedBy: a.ackedBy === null ? null : cutText(a.ackedBy, VALUE_CUT_CHARS),
    generatorUrl: longUrl ? null : a.generatorUrl,
    labels: labels.set,
    annotations: annotations.set,
    cut: { labels: labels.cuts, annotations: annotations.cuts },
  };
}

/** The cut entry for a shown name, if that entry was cut. */
export function cutOf(a: AlertView, where: keyof AlertCuts, name: string): CutEntry | undefined {
  return a.cut?.[where].find((c) => c.name === name);
}
