/**
 * Colour arithmetic for the design tokens: WCAG 2.x relative luminance and contrast ratio, HSL → RGB, and
 * the hue a label chip takes from its label's name. Pure, so the token test checks every pair the UI draws.
 */

export type Rgb = [number, number, number];

export function parseHex(hex: string): Rgb {
  const m = /^#([0-9a-f]{6})$/i.exec(hex.trim());
  if (!m) throw new Error(`not a #rrggbb colour: ${hex}`);
  const n = parseInt(m[1], 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

/** hue 0–360, saturation and lightness 0–100 */
export function hslToRgb(h: number, s: number, l: number): Rgb {
  const sat = s / 100;
  const lig = l / 100;
  const k = (n: number) => (n + h / 30) % 12;
  const a = sat * Math.min(lig, 1 - lig);
  const f = (n: number) => lig - a * Math.max(-1, Math.min(k(n) - 3, Math.min(9 - k(n), 1)));
  return [Math.round(f(0) * 255), Math.round(f(8) * 255), Math.round(f(4) * 255)];
}

/** WCAG relative luminance of an sRGB colour */
export function luminance([r, g, b]: Rgb): number {
  const lin = (c: number) => {
    const v = c / 255;
    return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
}

/** WCAG contrast ratio (1–21) between two colours, given as #rrggbb or RGB triples */
export function contrast(a: string | Rgb, b: string | Rgb): number {
  const la = luminance(typeof a === 'string' ? parseHex(a) : a);
  const lb = luminance(typeof b === 'string' ? parseHex(b) : b);
  const [hi, lo] = la > lb ? [la, lb] : [lb, la];
  return (hi + 0.05) / (lo + 0.05);
}

const hueCache = new Map<string, number>();

/**
 * The hue of a label chip: a hash of the label's name (FNV-1a), so `service` chips share one colour across
 * every alert and view, as karma colours its label chips. Cached: the alert grid asks for it per drawn cell.
 */
export function labelHue(name: string): number {
  let h = hueCache.get(name);
  if (h !== undefined) return h;
  let x = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) {
    x ^= name.charCodeAt(i);
    x = Math.imul(x, 0x01000193);
  }
  h = (x >>> 0) % 360;
  hueCache.set(name, h);
  return h;
}
