/**
 * The design tokens meet WCAG 2.x AA in both themes: 4.5:1 for text (body, meta lines, severity, badges,
 * label chips of every hue, banners), 3:1 for the borders of controls and the focus ring.
 */
import { describe, expect, it } from 'vitest';
import { SEVERITIES } from '@shared/domain';
import { contrast, hslToRgb, labelHue, parseHex } from '@renderer/design/color';
import { THEMES, themes, tokensCss } from '@renderer/design/tokens';

const AA_TEXT = 4.5;
const AA_UI = 3;

describe.each(THEMES)('%s theme', (name) => {
  const c = themes[name];
  const surfaces = { bg: c.bg, surface: c.surface, surface2: c.surface2 };

  it.each(Object.entries(surfaces))('body, secondary and status text on %s', (_s, bg) => {
    for (const [fg, min] of [
      [c.fg, 7],
      [c.muted, AA_TEXT],
      [c.accent, AA_TEXT],
      [c.ok, AA_TEXT],
      [c.warn, AA_TEXT],
      [c.danger, AA_TEXT],
      [c.info, AA_TEXT],
    ] as const)
      expect(contrast(fg, bg), `${fg} on ${bg}`).toBeGreaterThanOrEqual(min);
  });

  it('severity colours as text on every surface, and on their own badges', () => {
    for (const sev of SEVERITIES) {
      const s = c.severity[sev];
      for (const bg of Object.values(surfaces)) expect(contrast(s.text, bg), `${sev} text on ${bg}`).toBeGreaterThanOrEqual(AA_TEXT);
      expect(contrast(s.on, s.bg), `${sev} badge`).toBeGreaterThanOrEqual(AA_TEXT);
    }
  });

  it('severity badges stay apart from one another (P0 is not mistaken for P1)', () => {
    const lum = SEVERITIES.map((s) => parseHex(c.severity[s].bg).join());
    expect(new Set(lum).size).toBe(SEVERITIES.length);
  });

  it('text on tinted status backgrounds, the primary button and the freeze banner', () => {
    for (const tint of [c.okSubtle, c.warnSubtle, c.dangerSubtle, c.infoSubtle, c.accentSubtle]) {
      expect(contrast(c.fg, tint)).toBeGreaterThanOrEqual(AA_TEXT);
      expect(contrast(c.muted, tint), `muted on ${tint}`).toBeGreaterThanOrEqual(AA_TEXT);
    }
    expect(contrast(c.ok, c.okSubtle)).toBeGreaterThanOrEqual(AA_TEXT);
    expect(contrast(c.warn, c.warnSubtle)).toBeGreaterThanOrEqual(AA_TEXT);
    expect(contrast(c.danger, c.dangerSubtle)).toBeGreaterThanOrEqual(AA_TEXT);
    expect(contrast(c.accent, c.accentSubtle)).toBeGreaterThanOrEqual(AA_TEXT);
    expect(contrast(c.onAccent, c.accent)).toBeGreaterThanOrEqual(AA_TEXT);
    expect(contrast(c.onFreeze, c.freezeBg)).toBeGreaterThanOrEqual(AA_TEXT);
  });

  it('control borders and the focus ring are visible (3:1)', () => {
    for (const bg of Object.values(surfaces)) {
      expect(contrast(c.borderStrong, bg), `control border on ${bg}`).toBeGreaterThanOrEqual(AA_UI);
      expect(contrast(c.accent, bg), `focus ring on ${bg}`).toBeGreaterThanOrEqual(AA_UI);
    }
  });

  it('label chips of every hue keep their text readable', () => {
    let worst = Infinity;
    for (let hue = 0; hue < 360; hue++) worst = Math.min(worst, contrast(c.fg, hslToRgb(hue, c.chipS, c.chipL)));
    expect(worst).toBeGreaterThanOrEqual(AA_TEXT);
  });
});

describe('tokens', () => {
  it('a label keeps its hue wherever it is drawn, and different names spread over the wheel', () => {
    expect(labelHue('service')).toBe(labelHue('service'));
    const hues = new Set(['service', 'instance', 'namespace', 'job', 'env', 'cluster', 'team', 'shop_id'].map(labelHue));
    expect(hues.size).toBeGreaterThanOrEqual(7);
  });

  it('the stylesheet defines every colour for both themes', () => {
    const css = tokensCss();
    expect(css).toContain("[data-theme='dark']");
    for (const v of ['--fg:', '--surface:', '--sev-p0:', '--sev-p0-bg:', '--on-sev-p0:', '--chip-l:', '--sp-3:', '--fs-md:'])
      expect(css.match(new RegExp(v, 'g'))?.length ?? 0, v).toBeGreaterThanOrEqual(v.startsWith('--sp') || v.startsWith('--fs') ? 1 : 2);
  });
});
