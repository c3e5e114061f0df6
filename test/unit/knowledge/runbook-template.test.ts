import { describe, expect, it } from 'vitest';
import { markdownToPlain, parseRunbook, sectionKeyOf, splitFrontMatter } from '@shared/runbook-template';

const ZH = `# 名称：订单拉取延迟升高

## 症状
- 拉单耗时 P95 超过 2 分钟并持续 10 分钟

## 可能原因
- 上游限流（429）或 5xx
- 批量过大、队列堵塞

## 诊断
1. 查看上游错误率和限流命中
   \`\`\`bash
   # 这不是标题，只是注释
   curl -s http://127.0.0.1:9090/api/v1/query?query=up
   \`\`\`
2. 检查数据库锁等待
- [x] 查看最近的发布记录

## 缓解
- 降低并发与批量
- 打开退避

## 根因修复
加指数退避，按店铺限速。
`;

const EN = `---
id: api-p99-high
title: API P99 above 5 s
service: checkout-api
alertnames: [ApiP99High, AutoRollbackTriggered]
tags: rollback, latency
updated: 2026-01-04
---
# API P99 above 5 s

Intro paragraph.

## Symptoms
P99 > 5 s for 120 s.

## Possible causes:
- Slow dependency

## 3. Diagnosis steps / 诊断步骤
- Check the error rate
- Check the last deploy

## Mitigation
- Roll back

## Root cause fix
- Add a timeout
`;

describe('runbook template', () => {
  it('recognises the Chinese template, its title and the 诊断 variant', () => {
    const doc = parseRunbook(ZH);
    expect(doc.title).toBe('订单拉取延迟升高');
    expect(doc.recognised).toEqual(['symptoms', 'causes', 'diagnosis', 'mitigation', 'rootfix']);
    expect(doc.sections.map((s) => s.heading)).toEqual(['症状', '可能原因', '诊断', '缓解', '根因修复']);
    expect(doc.sections.map((s) => s.anchor)).toEqual([
      'section-1',
      'section-2',
      'section-3',
      'section-4',
      'section-5',
    ]);
  });

  it('turns diagnosis and mitigation list items into steps, keeping nested code inside the step', () => {
    const doc = parseRunbook(ZH);
    const diag = doc.steps.filter((s) => s.section === 'diagnosis');
    expect(diag.map((s) => s.text)).toEqual(['查看上游错误率和限流命中', '检查数据库锁等待', '查看最近的发布记录']);
    expect(diag[0].markdown).toContain('curl -s http://127.0.0.1:9090');
    expect(diag[0].markdown).toContain('# 这不是标题');
    expect(diag[2].preTicked).toBe(true);
    expect(doc.steps.filter((s) => s.section === 'mitigation').map((s) => s.text)).toEqual([
      '降低并发与批量',
      '打开退避',
    ]);
    // causes are not steps
    expect(doc.steps.some((s) => s.section === 'causes')).toBe(false);
    // a "#" comment inside a fenced block is not a heading
    expect(doc.sections).toHaveLength(5);
  });

  it('gives steps ids that survive edits elsewhere in the runbook', () => {
    const a = parseRunbook(ZH).steps.map((s) => s.id);
    const b = parseRunbook(
      ZH.replace('## 症状\n', '## 症状\n- 新增的一条症状\n').replace(
        '- 降低并发与批量',
        '- 先确认影响范围\n- 降低并发与批量',
      ),
    ).steps.map((s) => s.id);
    for (const id of a) expect(b).toContain(id);
    expect(new Set(a).size).toBe(a.length);
  });

  it('reads English headings, numbering, colons and bilingual headings; front matter gives the metadata', () => {
    const doc = parseRunbook(EN);
    expect(doc.frontMatter).toMatchObject({
      id: 'api-p99-high',
      service: 'checkout-api',
      alertnames: ['ApiP99High', 'AutoRollbackTriggered'],
      tags: ['rollback', 'latency'],
    });
    expect(doc.title).toBe('API P99 above 5 s');
    expect(doc.recognised).toEqual(['symptoms', 'causes', 'diagnosis', 'mitigation', 'rootfix']);
    expect(doc.preamble).toBe('Intro paragraph.');
    expect(doc.steps.map((s) => [s.section, s.text])).toEqual([
      ['diagnosis', 'Check the error rate'],
      ['diagnosis', 'Check the last deploy'],
      ['mitigation', 'Roll back'],
    ]);
  });

  it.each([
    ['诊断步骤', 'diagnosis'],
    ['排查步骤', 'diagnosis'],
    ['Troubleshooting', 'diagnosis'],
    ['2. 缓解措施：', 'mitigation'],
    ['Mitigation (缓解)', 'mitigation'],
    ['根因', 'rootfix'],
    ['Root-cause fix', 'rootfix'],
    ['**Possible causes**', 'causes'],
    ['名称：发货回传失败', 'name'],
    ['Name', 'name'],
    ['Background', null],
    ['缓解之后的复盘安排', null],
  ])('maps heading %s → %s', (h, k) => expect(sectionKeyOf(h)).toBe(k));

  it('handles a "## 名称" section with the name on the next line', () => {
    const doc = parseRunbook('## 名称\n发货回传失败骤增\n\n## 症状\n失败数上升\n');
    expect(doc.title).toBe('发货回传失败骤增');
  });

  it('reports broken front matter without throwing and keeps the body', () => {
    const fm = splitFrontMatter('---\ntitle: [unclosed\n---\n# Hello\n');
    expect(fm.data).toBeNull();
    expect(fm.error).toMatch(/not valid YAML/);
    expect(fm.body).toBe('# Hello\n');
    const bad = splitFrontMatter('---\nid: has a space\n---\nx');
    expect(bad.error).toMatch(/"id"/);
    expect(parseRunbook('---\nid: has a space\n---\n# T\n').title).toBe('T');
  });

  it('uses the plain structure of a runbook without template headings for its table of contents', () => {
    const doc = parseRunbook('# Restart the cache\n\n## Before you start\ntext\n\n## Steps\n- one\n');
    expect(doc.title).toBe('Restart the cache');
    expect(doc.sections.map((s) => [s.heading, s.key])).toEqual([
      ['Before you start', null],
      ['Steps', null],
    ]);
    expect(doc.steps).toEqual([]);
  });

  it('strips markdown to plain text', () => {
    expect(markdownToPlain('## Title\n- **bold** and `code` and [link](https://x.example)\n> quote')).toBe(
      'Title\nbold and code and link\nquote',
    );
  });
});
