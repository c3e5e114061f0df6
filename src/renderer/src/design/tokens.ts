/**
 * The design tokens: one type scale, one spacing scale, radii, and the colours of the light and dark themes.
 * Every stylesheet reads them as CSS custom properties (`var(--fg)`, `var(--sp-3)`, …) written by
 * theme.ts; charts read the same values from here. test/unit/foundation/tokens.test.ts computes the WCAG
 * contrast of every pair the UI draws (text on surfaces, severity colours, label chips) in both themes.
 */
import type { Severity } from '@shared/domain';

export const THEMES = ['light', 'dark'] as const;
export type ThemeName = (typeof THEMES)[number];

/** 4 px grid */
export const space = { 1: '2px', 2: '4px', 3: '8px', 4: '12px', 5: '16px', 6: '24px', 7: '32px' } as const;

/** font sizes; 14 px is body text, 12 px the dense table and meta lines, 11 px only for badges */
export const fontSize = { xs: '11px', sm: '12px', md: '14px', lg: '16px', xl: '18px', '2xl': '22px' } as const;
export const lineHeight = { tight: '1.25', normal: '1.5' } as const;
export const fontFamily = {
  sans: "system-ui, -apple-system, 'Segoe UI', 'Noto Sans CJK SC', 'PingFang SC', 'Microsoft YaHei', sans-serif",
  mono: "ui-monospace, 'SFMono-Regular', Menlo, Consolas, 'Noto Sans Mono CJK SC', monospace",
} as const;
export const radius = { sm: '3px', md: '6px', lg: '10px', pill: '999px' } as const;
/** height of buttons, inputs and selects */
export const controlHeight = '30px';

export interface SeverityColors {
  /** the severity as text on a surface (counts, headings) */
  text: string;
  /** a solid badge */
  bg: string;
  /** text on the solid badge */
  on: string;
}

export interface ThemeColors {
  /** the app background behind panels */
  bg: string;
  /** panels, tables, dialogs */
  surface: string;
  /** hover, header rows, sunken areas */
  surface2: string;
  fg: string;
  /** secondary text: meta lines, hints (AA on bg, surface and surface2) */
  muted: string;
  border: string;
  borderStrong: string;
  accent: string;
  onAccent: string;
  accentSubtle: string;
  ok: string;
  warn: string;
  danger: string;
  info: string;
  okSubtle: string;
  warnSubtle: string;
  dangerSubtle: string;
  infoSubtle: string;
  /** the change-freeze banner: a solid band every view shows */
  freezeBg: string;
  onFreeze: string;
  severity: Record<Severity, SeverityColors>;
  /** label chips: hsl(hue from the label name, chipS %, chipL %) behind `fg` text */
  chipS: number;
  chipL: number;
  overlay: string;
  shadow: string;
}

export const themes: Record<ThemeName, ThemeColors> = {
  light: {
    bg: '#f3f5f8',
    surface: '#ffffff',
    surface2: '#eceff3',
    fg: '#1a1f26',
    muted: '#526070',
    border: '#d3d9e0',
    borderStrong: '#748193',
    accent: '#2256c5',
    onAccent: '#ffffff',
    accentSubtle: '#e2eafa',
    ok: '#16703b',
    warn: '#835400',
    danger: '#b01f1f',
    info: '#2256c5',
    okSubtle: '#e1f3e7',
    warnSubtle: '#fbf0d8',
    dangerSubtle: '#fce6e6',
    infoSubtle: '#e2eafa',
    freezeBg: '#9f1a1a',
    onFreeze: '#ffffff',
    severity: {
      P0: { text: '#a0102a', bg: '#b0122d', on: '#ffffff' },
      P1: { text: '#ad3a06', bg: '#b8400b', on: '#ffffff' },
      P2: { text: '#7a5c00', bg: '#f1c232', on: '#1a1f26' },
      P3: { text: '#2a5fbf', bg: '#dbe6f8', on: '#1d4796' },
    },
    chipS: 70,
    chipL: 91,
    overlay: 'rgb(15 20 30 / 40%)',
    shadow: '0 8px 28px rgb(15 20 30 / 18%)',
  },
  dark: {
    bg: '#101317',
    surface: '#181c22',
    surface2: '#222831',
    fg: '#e4e8ed',
    muted: '#9ba6b4',
    border: '#303843',
    borderStrong: '#6e7b8e',
    accent: '#79a6ff',
    onAccent: '#0c1424',
    accentSubtle: '#1d2b47',
    ok: '#5fcc89',
    warn: '#e3b04f',
    danger: '#ff7f7f',
    info: '#79a6ff',
    okSubtle: '#15301f',
    warnSubtle: '#372a0e',
    dangerSubtle: '#3c1919',
    infoSubtle: '#1d2b47',
    freezeBg: '#8f1818',
    onFreeze: '#ffffff',
    severity: {
      P0: { text: '#ff7088', bg: '#ff7088', on: '#1a0308' },
      P1: { text: '#ff9e63', bg: '#ff9e63', on: '#1f0d02' },
      P2: { text: '#efc94a', bg: '#efc94a', on: '#1c1500' },
      P3: { text: '#86afff', bg: '#2a3b5e', on: '#d6e3ff' },
    },
    chipS: 28,
    chipL: 24,
    overlay: 'rgb(0 0 0 / 55%)',
    shadow: '0 8px 28px rgb(0 0 0 / 50%)',
  },
};

/** the CSS custom property each colour token becomes */
const kebab = (s: string) => s.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

function themeVars(c: ThemeColors, name: ThemeName): string {
  const lines: string[] = [`color-scheme: ${name};`];
  for (const [k, v] of Object.entries(c)) {
    if (k === 'severity') continue;
    lines.push(`--${kebab(k)}: ${v};`);
  }
  for (const [sev, s] of Object.entries(c.severity)) {
    const n = sev.toLowerCase();
    lines.push(`--sev-${n}: ${s.text};`, `--sev-${n}-bg: ${s.bg};`, `--on-sev-${n}: ${s.on};`);
  }
  return lines.join(' ');
}

/** The stylesheet that defines every token: scales on :root, colours per [data-theme]. */
export function tokensCss(): string {
  const scale = [
    ...Object.entries(space).map(([k, v]) => `--sp-${k}: ${v};`),
    ...Object.entries(fontSize).map(([k, v]) => `--fs-${k}: ${v};`),
    ...Object.entries(lineHeight).map(([k, v]) => `--lh-${k}: ${v};`),
    ...Object.entries(radius).map(([k, v]) => `--r-${k}: ${v};`),
    `--font-sans: ${fontFamily.sans};`,
    `--font-mono: ${fontFamily.mono};`,
    `--control-h: ${controlHeight};`,
  ].join(' ');
  return [
    `:root { ${scale} }`,
    `:root, [data-theme='light'] { ${themeVars(themes.light, 'light')} }`,
    `[data-theme='dark'] { ${themeVars(themes.dark, 'dark')} }`,
  ].join('\n');
}
