/**
 * echarts in the tokens' colours: text, axes, grid lines, tooltip and legend follow the theme, so a chart
 * reads as well in dark as in light (echarts' own default has dark text, unreadable on a dark surface).
 */
import type { ThemeColors } from './tokens';

export function chartBase(c: ThemeColors) {
  const axis = {
    axisLine: { lineStyle: { color: c.borderStrong } },
    axisTick: { lineStyle: { color: c.borderStrong } },
    axisLabel: { color: c.muted, hideOverlap: true },
    splitLine: { lineStyle: { color: c.border } },
    nameTextStyle: { color: c.muted },
  };
  return {
    backgroundColor: 'transparent',
    textStyle: { color: c.fg, fontFamily: 'inherit' },
    color: [c.accent, c.severity.P1.text, c.ok, c.severity.P2.text, c.severity.P0.text, c.info, c.warn],
    legend: { textStyle: { color: c.fg }, pageTextStyle: { color: c.muted }, pageIconColor: c.accent, pageIconInactiveColor: c.border },
    tooltip: { backgroundColor: c.surface, borderColor: c.borderStrong, textStyle: { color: c.fg } },
    xAxis: axis,
    yAxis: axis,
  };
}

/**
 * `option` over the theme's base. Axes, legend and tooltip are themed only where the option has them (a
 * gauge must not grow axes); objects merge one level deep, and their label and line styles two.
 */
export function themed<T extends Record<string, unknown>>(c: ThemeColors, option: T): T {
  const base = chartBase(c) as Record<string, unknown>;
  const out: Record<string, unknown> = { backgroundColor: base.backgroundColor, textStyle: base.textStyle, color: base.color, ...option };
  for (const k of ['xAxis', 'yAxis', 'legend', 'tooltip'] as const) {
    const b = base[k] as Record<string, unknown>;
    const o = option[k] as Record<string, unknown> | undefined;
    if (!o || typeof o !== 'object' || Array.isArray(o)) continue;
    const merged: Record<string, unknown> = { ...b, ...o };
    for (const inner of ['axisLabel', 'axisLine', 'splitLine', 'textStyle']) if (b[inner] && o[inner]) merged[inner] = { ...(b[inner] as object), ...(o[inner] as object) };
    out[k] = merged;
  }
  return out as T;
}
