/**
 * Characters that make one text look like another: zero-width and other invisible characters, bidirectional
 * controls (U+202E turns "DiskFull" backwards), soft hyphens, fillers, tag characters and C0/C1 controls.
 * `Disk\u200bFull` must not pass for `DiskFull`: the console shows each such character as a marked code
 * point (`revealSegments`) and an alert whose name or labels hold one carries a warning (`hiddenCharsIn`).
 * Pure and total.
 */

/** every character that is invisible, reorders text, or is a control (tab and newline excepted) */
// eslint-disable-next-line no-control-regex, no-misleading-character-class -- finding these characters, one by one, is the point
const HIDDEN = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff9-\ufffb]|\udb40[\udc00-\udc7f]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

const NAMES: Record<number, string> = {
  0x00ad: 'SOFT HYPHEN',
  0x061c: 'ARABIC LETTER MARK',
  0x180e: 'MONGOLIAN VOWEL SEPARATOR',
  0x200b: 'ZERO WIDTH SPACE',
  0x200c: 'ZERO WIDTH NON-JOINER',
  0x200d: 'ZERO WIDTH JOINER',
  0x200e: 'LEFT-TO-RIGHT MARK',
  0x200f: 'RIGHT-TO-LEFT MARK',
  0x2028: 'LINE SEPARATOR',
  0x2029: 'PARAGRAPH SEPARATOR',
  0x202a: 'LEFT-TO-RIGHT EMBEDDING',
  0x202b: 'RIGHT-TO-LEFT EMBEDDING',
  0x202c: 'POP DIRECTIONAL FORMATTING',
  0x202d: 'LEFT-TO-RIGHT OVERRIDE',
  0x202e: 'RIGHT-TO-LEFT OVERRIDE',
  0x2060: 'WORD JOINER',
  0x2066: 'LEFT-TO-RIGHT ISOLATE',
  0x2067: 'RIGHT-TO-LEFT ISOLATE',
  0x2068: 'FIRST STRONG ISOLATE',
  0x2069: 'POP DIRECTIONAL ISOLATE',
  0xfeff: 'ZERO WIDTH NO-BREAK SPACE',
};

export interface Segment {
  text: string;
  /** set for a hidden character: its code point as U+XXXX (the text is the character itself) */
  codePoint?: string;
  /** its Unicode name, where we know it */
  name?: string;
}

const codePointOf = (ch: string) => `U+${(ch.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;

/** True when `s` holds a character that hides or reorders text. */
export function hasHiddenChars(s: string): boolean {
  HIDDEN.lastIndex = 0;
  const found = HIDDEN.test(s);
  HIDDEN.lastIndex = 0;
  return found;
}

/** `s` as plain runs and hidden characters, in order (joined, the texts give back `s`). */
export function revealSegments(s: string): Segment[] {
  const out: Segment[] = [];
  let last = 0;
  for (const m of s.matchAll(HIDDEN)) {
    if (m.index > last) out.push({ text: s.slice(last, m.index) });
    const cp = m[0].codePointAt(0) ?? 0;
    out.push({ text: m[0], codePoint: codePointOf(m[0]), name: NAMES[cp] });
    last = m.index + m[0].length;
  }
  if (last < s.length || out.length === 0) out.push({ text: s.slice(last) });
  return out;
}

/** `s` with every hidden character written as ⟦U+XXXX⟧ (for plain-text places: titles, notifications, logs). */
export function revealPlain(s: string): string {
  return s.replace(HIDDEN, (ch) => `⟦${codePointOf(ch)}⟧`);
}

/** Where an alert hides characters: its name, label names or values (what the warning lists). */
export function hiddenCharsIn(a: { alertname: string; labels: Readonly<Record<string, string>> }): string[] {
  const where: string[] = [];
  if (hasHiddenChars(a.alertname)) where.push('alertname');
  for (const [k, v] of Object.entries(a.labels)) if (k !== 'alertname' && (hasHiddenChars(k) || hasHiddenChars(v))) where.push(k);
  return where;
}
