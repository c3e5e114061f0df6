/**
 * Snippets convert only the lines around the first hit to plain text (a page of results would otherwise
 * convert every body whole). For markdown whose markup sits between words, that must show exactly what
 * converting the whole body shows: same window, same ellipses, same highlights.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bodySnippet, snippet } from '@core/knowledge/search';
import { markdownToPlain, splitFrontMatter } from '@shared/runbook-template';

const WORDS = ['kubectl', 'Kubectl', 'etcd', 'rollout', 'undo', '数据库', '锁等待', 'io', 'p95', 'lag', 'db'];
const word = fc.constantFrom(...WORDS);
const sentence = fc.array(word, { minLength: 1, maxLength: 12 }).map((ws) => ws.join(' '));
const line = fc.oneof(
  { weight: 4, arbitrary: sentence },
  { weight: 1, arbitrary: sentence.map((s) => `## ${s}`) },
  { weight: 1, arbitrary: sentence.map((s) => `- ${s}`) },
  { weight: 1, arbitrary: sentence.map((s) => `3. [ ] ${s}`) },
  { weight: 1, arbitrary: word.map((w) => `\`\`\`${w}`) },
  {
    weight: 1,
    arbitrary: fc.tuple(word, sentence).map(([w, s]) => `see [${w}](https://x.test/${w}) and **${w}** ${s}`),
  },
  { weight: 1, arbitrary: fc.constant('') },
);
// mostly lines that convert to nothing, so the converted part can come short of the window
const sparse = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('```', '```bash ' + '-'.repeat(120), '~~~', '') },
  { weight: 1, arbitrary: sentence },
);
const markdown = fc
  .tuple(fc.boolean(), fc.oneof(fc.array(line, { maxLength: 120 }), fc.array(sparse, { maxLength: 300 })))
  .map(([front, lines]) => (front ? '---\nid: x\ntags: [etcd]\n---\n' : '') + lines.join('\n'));
const terms = fc.uniqueArray(
  fc.oneof(
    word.map((w) => w.toLowerCase()),
    fc.constantFrom('ctl', 'ku', 'absent'),
  ),
  {
    maxLength: 3,
  },
);

describe('body snippets', () => {
  it('equal the snippet of the whole body converted to plain text', () => {
    fc.assert(
      fc.property(markdown, terms, (md, ts) => {
        expect(bodySnippet(md, ts)).toEqual(snippet(markdownToPlain(splitFrontMatter(md).body), ts));
      }),
      { numRuns: 500 },
    );
  });

  it('shows the first hit with its context from deep inside a long body', () => {
    const md = `# Title\n\n${'filler line of text\n'.repeat(200)}then **kubectl** rollout undo deploy/api\n${'more text\n'.repeat(50)}`;
    const text = bodySnippet(md, ['kubectl'])
      .map((s) => (s.hit ? `[${s.text}]` : s.text))
      .join('');
    expect(text).toMatch(/^….*filler line of text then \[kubectl\] rollout undo deploy\/api more text.*…$/);
  });
});
