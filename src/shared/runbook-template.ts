/**
 * Reads a runbook's markdown into its parts: optional YAML front matter, the title, and the sections of the
 * handbook runbook template (名称/Name, 症状/Symptoms, 可能原因/Possible causes, 诊断步骤/Diagnosis, 缓解/Mitigation,
 * 根因修复/Root-cause fix). Headings are recognised in Chinese and English and in the variants teams actually
 * write ("诊断", "排查步骤", "Root cause fix", "3. 缓解：", "诊断步骤 / Diagnosis").
 *
 * Pure (no Node, no DOM): the core uses it to index and import, the renderer to draw the structured page, and
 * both derive the same step ids from it, so a ticked step means the same thing on both sides.
 */
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

export const SECTION_KEYS = ['name', 'symptoms', 'causes', 'diagnosis', 'mitigation', 'rootfix'] as const;
export type SectionKey = (typeof SECTION_KEYS)[number];
/** sections whose list items are steps an engineer ticks through */
export const STEP_SECTIONS: readonly SectionKey[] = ['diagnosis', 'mitigation'];

const ALIASES: Record<SectionKey, string[]> = {
  name: ['名称', '名字', '标题', 'name', 'title'],
  symptoms: ['症状', '现象', '告警现象', '表现', 'symptoms', 'symptom', 'signs', 'what you see'],
  causes: [
    '可能原因',
    '原因',
    '常见原因',
    '原因分析',
    'possible causes',
    'likely causes',
    'probable causes',
    'causes',
    'cause',
  ],
  diagnosis: [
    '诊断步骤',
    '诊断',
    '排查',
    '排查步骤',
    '定位',
    '定位步骤',
    '检查步骤',
    'diagnosis',
    'diagnostic steps',
    'diagnostics',
    'diagnose',
    'investigation',
    'investigate',
    'triage',
    'troubleshooting',
  ],
  mitigation: [
    '缓解',
    '缓解措施',
    '缓解步骤',
    '止血',
    '应急处理',
    '临时处理',
    '处置',
    'mitigation',
    'mitigation steps',
    'mitigate',
    'immediate actions',
    'workaround',
    'remediation',
  ],
  rootfix: [
    '根因修复',
    '根本修复',
    '根因',
    '根治',
    '长期修复',
    '后续改进',
    'root-cause fix',
    'root cause fix',
    'root-cause',
    'root cause',
    'permanent fix',
    'long-term fix',
    'follow-up',
    'follow up',
  ],
};
const ALIAS_TO_KEY = new Map<string, SectionKey>(
  SECTION_KEYS.flatMap((k) => ALIASES[k].map((a) => [a, k] as [string, SectionKey])),
);

// ---- front matter ------------------------------------------------------------------------------------
const StringList = z
  .union([z.string(), z.array(z.union([z.string(), z.number()]))])
  .transform((v) => (Array.isArray(v) ? v.map(String) : v.split(',')).map((s) => s.trim()).filter(Boolean));
const OptText = (max: number) =>
  z
    .union([z.string(), z.number()])
    .transform((v) => String(v).trim())
    .pipe(z.string().max(max))
    .optional()
    .nullable();

export const FrontMatterSchema = z.object({
  id: z
    .union([z.string(), z.number()])
    .transform((v) => String(v).trim())
    .pipe(
      z
        .string()
        .min(1)
        .max(200)
        .regex(/^[^\s/\\]+$/, 'an id has no spaces or slashes'),
    )
    .optional(),
  title: OptText(300),
  service: OptText(200),
  alertnames: StringList.optional(),
  alertname: StringList.optional(),
  tags: StringList.optional(),
  owner: OptText(200),
  url: OptText(2000),
  /** a date (2026-01-05, an ISO time) or ms since the epoch */
  updated: z.union([z.string(), z.number(), z.date()]).optional().nullable(),
});
export type FrontMatter = z.infer<typeof FrontMatterSchema>;

/** ms since the epoch, or null when the value is not a date */
export function parseUpdated(v: FrontMatter['updated']): number | null {
  if (v === undefined || v === null) return null;
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? null : v.getTime();
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  const t = Date.parse(v.trim());
  return Number.isNaN(t) ? null : t;
}

// ---- document -----------------------------------------------------------------------------------------
export interface RunbookStep {
  /** stable across edits elsewhere in the runbook: section + hash of the step's text */
  id: string;
  section: SectionKey;
  /** the step as markdown (continuation lines and nested code blocks included) */
  markdown: string;
  /** one line of plain text, for labels and the recorded step run */
  text: string;
  /** written as a ticked task item ("- [x]") in the source */
  preTicked: boolean;
}

export type SectionBlock = { type: 'markdown'; markdown: string } | { type: 'step'; step: RunbookStep };

export interface RunbookSection {
  key: SectionKey | null;
  heading: string;
  /** a DOM-safe anchor derived from the position, never from the content */
  anchor: string;
  markdown: string;
  /** content in order, with the list items of diagnosis/mitigation pulled out as steps */
  blocks: SectionBlock[];
}

export interface RunbookDoc {
  frontMatter: FrontMatter | null;
  /** why the front matter was ignored, when it was present but unusable */
  frontMatterError: string | null;
  /** from front matter, the 名称/Name section or the first heading */
  title: string | null;
  /** markdown without the front matter */
  body: string;
  /** markdown before the first section (the title heading removed) */
  preamble: string;
  sections: RunbookSection[];
  steps: RunbookStep[];
  /** which template sections were found */
  recognised: SectionKey[];
}

const FRONT_MATTER = /^\uFEFF?---[ \t]*\r?\n([\s\S]*?)\r?\n(?:---|\.\.\.)[ \t]*(?:\r?\n|$)/;
const HEADING = /^ {0,3}(#{1,6})[ \t]+(.*?)[ \t#]*$/;
const FENCE = /^ {0,3}(`{3,}|~{3,})/;
const NAME_INLINE = /^(?:名称|名字|name|title)\s*[:：]\s*(.+)$/i;

/** Splits a front matter block off the top; a broken block is reported, not thrown. */
export function splitFrontMatter(markdown: string): { data: FrontMatter | null; error: string | null; body: string } {
  const m = FRONT_MATTER.exec(markdown);
  if (!m) return { data: null, error: null, body: markdown.replace(/^\uFEFF/, '') };
  const body = markdown.slice(m[0].length);
  let raw: unknown;
  try {
    raw = parseYaml(m[1]) ?? {};
  } catch (err) {
    return { data: null, error: `front matter is not valid YAML: ${firstLine(err)}`, body };
  }
  if (typeof raw !== 'object' || Array.isArray(raw))
    return { data: null, error: 'front matter must be a YAML mapping', body };
  const res = FrontMatterSchema.safeParse(raw);
  if (!res.success) {
    const issue = res.error.issues[0];
    return {
      data: null,
      error: `front matter field "${issue?.path.join('.') ?? '?'}": ${issue?.message ?? 'invalid'}`,
      body,
    };
  }
  return { data: res.data, error: null, body };
}

const firstLine = (err: unknown) => (err instanceof Error ? err.message : String(err)).split('\n')[0];

/** Maps a heading's text onto a template section, or null for any other heading. */
export function sectionKeyOf(heading: string): SectionKey | null {
  const cleaned = heading
    .replace(/[*_`]/g, '')
    .trim()
    // numbering: "1.", "2)", "3、", "一、", "第一步", "Step 2:"
    .replace(
      /^(?:\d+(?:\.\d+)*[.)、:]?|[一二三四五六七八九十]+[、.．]|第[一二三四五六七八九十\d]+[步节部分]+[:：、]?)\s*/,
      '',
    )
    .replace(/[:：]\s*$/, '')
    .trim()
    .toLowerCase();
  if (NAME_INLINE.test(cleaned)) return 'name';
  const parts = [cleaned, ...cleaned.split(/\s*[/|｜()（）]\s*/)]
    .map((p) => p.replace(/[:：]$/, '').trim())
    .filter(Boolean);
  for (const p of parts) {
    const k = ALIAS_TO_KEY.get(p);
    if (k) return k;
  }
  return null;
}

interface Line {
  text: string;
  /** inside a fenced code block (its fence lines included) */
  code: boolean;
}

function scanLines(body: string): Line[] {
  const out: Line[] = [];
  let fence: string | null = null;
  for (const text of body.replace(/\r\n?/g, '\n').split('\n')) {
    const f = FENCE.exec(text);
    if (fence) {
      out.push({ text, code: true });
      if (f && f[1][0] === fence[0] && f[1].length >= fence.length && text.trim() === f[1]) fence = null;
    } else if (f) {
      fence = f[1];
      out.push({ text, code: true });
    } else out.push({ text, code: false });
  }
  return out;
}

interface Heading {
  i: number;
  level: number;
  text: string;
  key: SectionKey | null;
}

/** Headings (outside code), the level sections split at, and the title with the line it came from. */
function outline(body: string, fmTitle: string | null) {
  const lines = scanLines(body);
  const headings: Heading[] = [];
  lines.forEach((l, i) => {
    if (l.code) return;
    const h = HEADING.exec(l.text);
    if (h) headings.push({ i, level: h[1].length, text: h[2].trim(), key: sectionKeyOf(h[2]) });
  });

  // The section level is the shallowest heading that names a template section (other than the name); a
  // document without any uses its second-shallowest heading level, so a plain runbook still gets a TOC.
  const known = headings.filter((h) => h.key && h.key !== 'name');
  const levels = [...new Set(headings.map((h) => h.level))].sort((a, b) => a - b);
  const sectionLevel = known.length
    ? Math.min(...known.map((h) => h.level))
    : ((levels.length > 1 ? levels[1] : levels[0]) ?? 2);

  let title: string | null = fmTitle;
  let titleLine = -1;
  for (const h of headings) {
    if (h.level > sectionLevel) continue;
    const inline = NAME_INLINE.exec(h.text);
    if (inline) {
      title ??= inline[1].trim();
      titleLine = h.i;
      break;
    }
    if (h.level < sectionLevel && h.key === null) {
      title ??= h.text;
      titleLine = h.i;
      break;
    }
  }
  // "## 名称" followed by the name on the next line
  const nameSection = headings.find((h) => h.key === 'name' && h.i !== titleLine);
  if (!title && nameSection) {
    const next = lines.slice(nameSection.i + 1).find((l) => l.text.trim() !== '');
    if (next && !next.code && !HEADING.test(next.text)) title = markdownToPlain(next.text) || null;
  }
  if (!title) title = headings.find((h) => h.i !== titleLine)?.text ?? null;
  return { lines, headings, sectionLevel, title: title ? title.trim() : null, titleLine };
}

/** Only what a loader needs (front matter and title): much cheaper than parseRunbook for big imports. */
export function readRunbookHead(markdown: string): Pick<RunbookDoc, 'frontMatter' | 'frontMatterError' | 'title'> {
  const fm = splitFrontMatter(markdown);
  return { frontMatter: fm.data, frontMatterError: fm.error, title: outline(fm.body, fm.data?.title || null).title };
}

export function parseRunbook(markdown: string): RunbookDoc {
  const fm = splitFrontMatter(markdown);
  const { lines, headings, sectionLevel, title, titleLine } = outline(fm.body, fm.data?.title || null);

  const splits = headings.filter((h) => h.level <= sectionLevel && h.i !== titleLine);
  const textOf = (from: number, to: number) =>
    lines
      .slice(from, to)
      .filter((_, k) => from + k !== titleLine)
      .map((l) => l.text)
      .join('\n')
      .trim();

  const sections: RunbookSection[] = [];
  const steps: RunbookStep[] = [];
  const usedIds = new Set<string>();
  splits.forEach((h, n) => {
    const end = n + 1 < splits.length ? splits[n + 1].i : lines.length;
    const contentLines = lines.slice(h.i + 1, end).filter((_, k) => h.i + 1 + k !== titleLine);
    const md = contentLines
      .map((l) => l.text)
      .join('\n')
      .trim();
    const blocks =
      h.key && STEP_SECTIONS.includes(h.key)
        ? stepBlocks(h.key, contentLines, usedIds)
        : md
          ? [{ type: 'markdown' as const, markdown: md }]
          : [];
    for (const b of blocks) if (b.type === 'step') steps.push(b.step);
    sections.push({ key: h.key, heading: h.text, anchor: `section-${n + 1}`, markdown: md, blocks });
  });

  const preamble = textOf(0, splits.length ? splits[0].i : lines.length);
  return {
    frontMatter: fm.data,
    frontMatterError: fm.error,
    title,
    body: fm.body,
    preamble,
    sections,
    steps,
    recognised: [...new Set(sections.map((s) => s.key).filter((k): k is SectionKey => k !== null))],
  };
}

const ITEM = /^( {0,3})([-*+]|\d{1,3}[.)])[ \t]+(?:\[( |x|X)\][ \t]+)?(.*)$/;

/** Pulls top-level list items out as steps; everything else stays markdown, in order. */
function stepBlocks(section: SectionKey, lines: Line[], usedIds: Set<string>): SectionBlock[] {
  const blocks: SectionBlock[] = [];
  let prose: string[] = [];
  const flushProse = () => {
    const md = prose.join('\n').trim();
    if (md) blocks.push({ type: 'markdown', markdown: md });
    prose = [];
  };
  let i = 0;
  while (i < lines.length) {
    const m = lines[i].code ? null : ITEM.exec(lines[i].text);
    if (!m) {
      prose.push(lines[i].text);
      i++;
      continue;
    }
    flushProse();
    const indent = new RegExp(`^ {0,${m[1].length + m[2].length + 1}}`);
    const body = [m[4]];
    i++;
    // continuation: indented lines, blank lines followed by more indented lines, and nested fences
    while (i < lines.length) {
      const l = lines[i];
      const isBlank = l.text.trim() === '';
      const indented = /^\s+\S/.test(l.text) || (l.code && /^\s/.test(l.text));
      if (indented || (l.code && body.length && isFenceContinuation(lines, i))) {
        body.push(l.text.replace(indent, ''));
        i++;
      } else if (isBlank && i + 1 < lines.length && /^\s{2,}\S/.test(lines[i + 1].text)) {
        body.push('');
        i++;
      } else break;
    }
    const markdown = body.join('\n').trim();
    const text = markdownToPlain(markdown).split('\n')[0]?.trim() ?? '';
    blocks.push({
      type: 'step',
      step: {
        id: uniqueId(`${section}:${hash(normalise(markdown))}`, usedIds),
        section,
        markdown,
        text,
        preTicked: m[3] === 'x' || m[3] === 'X',
      },
    });
  }
  flushProse();
  return blocks;
}

/** a fenced block that opened inside an item (indented) continues until it closes */
function isFenceContinuation(lines: Line[], i: number): boolean {
  for (let k = i - 1; k >= 0; k--) {
    if (!lines[k].code) return false;
    if (FENCE.test(lines[k].text) && /^\s+/.test(lines[k].text)) return true;
  }
  return false;
}

function uniqueId(base: string, used: Set<string>): string {
  let id = base;
  for (let n = 2; used.has(id); n++) id = `${base}~${n}`;
  used.add(id);
  return id;
}

const normalise = (s: string) => s.replace(/\s+/g, ' ').trim().toLowerCase();

/** FNV-1a, 32 bit: short, stable ids without a crypto dependency in shared code */
function hash(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(36);
}

/** Markdown to readable plain text (labels, snippets, the recorded step run). Not a renderer. */
export function markdownToPlain(md: string): string {
  return md
    .replace(/^ {0,3}(`{3,}|~{3,}).*$/gm, '')
    .replace(/!\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/<[^>]+>/g, '')
    .replace(/^ {0,3}#{1,6}[ \t]+/gm, '')
    .replace(/^ {0,3}>[ \t]?/gm, '')
    .replace(/^ {0,3}(?:[-*+]|\d{1,3}[.)])[ \t]+(?:\[[ xX]\][ \t]+)?/gm, '')
    .replace(/(\*\*|__|~~|`)/g, '')
    .replace(/(^|[^\w*])[*_]([^*_\n]+)[*_]/g, '$1$2')
    .replace(/[ \t]+/g, ' ')
    .replace(/\n{2,}/g, '\n')
    .trim();
}

/** The runbook's metadata as the front matter gives it, with the fallbacks every loader uses. */
export function runbookFields(
  doc: Pick<RunbookDoc, 'frontMatter' | 'title'>,
  fallback: { id: string; title: string; updatedAt: number },
) {
  const fm = doc.frontMatter ?? {};
  return {
    id: fm.id ?? fallback.id,
    title: (fm.title || doc.title || fallback.title).slice(0, 300),
    service: fm.service || null,
    alertnames: [...new Set([...(fm.alertnames ?? []), ...(fm.alertname ?? [])])],
    tags: [...new Set(fm.tags ?? [])],
    owner: fm.owner || null,
    url: fm.url || null,
    updatedAt: parseUpdated(fm.updated) ?? fallback.updatedAt,
  };
}
