// @vitest-environment jsdom
/**
 * The runbook sanitiser against a hostile corpus, in jsdom (DOMPurify needs a DOM; Chromium runs the same
 * code in test/e2e/knowledge.spec.ts and checks nothing executes).
 */
import { describe, expect, it } from 'vitest';

// The sanitiser is renderer code (DOM types); this file is type-checked with the Node project, so it is
// loaded by path and described here by the little of it and of the DOM the test touches.
interface El {
  tagName: string;
  textContent: string | null;
  innerHTML: string;
  attributes: ArrayLike<{ name: string; value: string }> & Iterable<{ name: string; value: string }>;
  getAttribute(name: string): string | null;
  hasAttribute(name: string): boolean;
  querySelector(sel: string): El | null;
  querySelectorAll(sel: string): ArrayLike<El> & Iterable<El>;
}
const document = (globalThis as unknown as { document: { createElement(tag: string): El } }).document;
const MODULE = '../../../src/renderer/src/components/markdown';
const { renderMarkdown, sanitizeHtml } = (await import(/* @vite-ignore */ MODULE)) as {
  renderMarkdown(markdown: string): string;
  sanitizeHtml(html: string): string;
};

const HOSTILE: [string, string][] = [
  ['script tag', '<script>window.pwned = 1</script>'],
  ['script in markdown list', '- item <script>alert(1)</script>'],
  ['img onerror', '<img src=x onerror="alert(1)">'],
  ['event handler on a div', '<div onclick="alert(1)" onmouseover="alert(2)">hover</div>'],
  ['body onload', '<body onload=alert(1)>'],
  ['javascript: link (markdown)', '[click](javascript:alert(1))'],
  [
    'javascript: link, obfuscated case and entities',
    '<a href="JaVaScRiPt&colon;alert(1)">x</a> <a href="java&#x09;script:alert(1)">y</a>',
  ],
  ['javascript: link with leading spaces', '[x](  javascript:alert(1))'],
  ['vbscript link', '<a href="vbscript:msgbox(1)">x</a>'],
  ['data: link', '[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)'],
  ['data: image', '![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)'],
  ['data: image as html', '<img src="data:image/png;base64,iVBORw0KGgo=">'],
  ['svg with script', '<svg><script>alert(1)</script><circle r="5"/></svg>'],
  ['svg onload', '<svg onload="alert(1)"><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>'],
  ['svg use', '<svg><use href="data:image/svg+xml,<svg id=x onload=alert(1)>#x"/></svg>'],
  ['math', '<math><mtext><table><mglyph><style><img src=x onerror=alert(1)></style></mglyph></table></mtext></math>'],
  ['iframe srcdoc', '<iframe srcdoc="<script>alert(1)</script>"></iframe>'],
  ['object/embed', '<object data="javascript:alert(1)"></object><embed src="javascript:alert(1)">'],
  ['form action', '<form action="javascript:alert(1)"><button formaction="javascript:alert(2)">go</button></form>'],
  ['meta refresh', '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">'],
  ['base href', '<base href="javascript:alert(1)//">'],
  ['style expression', '<p style="background:url(javascript:alert(1))">x</p><style>*{background:red}</style>'],
  ['link import', '<link rel="import" href="https://evil.example/x.html">'],
  ['target blank tabnabbing', '<a href="https://example.com" target="_blank">x</a>'],
  ['dom clobbering', '<img name="getElementById"><form id="location"></form><a id="cookie">x</a>'],
  ['template', '<template><script>alert(1)</script></template>'],
  ['mutation xss via noscript', '<noscript><p title="</noscript><img src=x onerror=alert(1)>">'],
];

function dom(html: string): El {
  const div = document.createElement('div');
  div.innerHTML = html;
  return div;
}

function assertInert(html: string) {
  const root = dom(html);
  const all = [root, ...root.querySelectorAll('*')];
  for (const el of all) {
    expect([
      'SCRIPT',
      'IFRAME',
      'OBJECT',
      'EMBED',
      'FORM',
      'META',
      'BASE',
      'LINK',
      'STYLE',
      'SVG',
      'MATH',
      'TEMPLATE',
    ]).not.toContain(el.tagName.toUpperCase());
    for (const a of el.attributes) {
      expect(a.name, `${el.tagName} ${a.name}`).not.toMatch(/^on/i);
      expect(a.name).not.toBe('style');
      expect(a.name).not.toBe('srcdoc');
      if (['href', 'src', 'action', 'formaction', 'xlink:href', 'data'].includes(a.name))
        expect(a.value).toMatch(/^(https?:|mailto:|tel:|#)/i);
      expect(a.value).not.toMatch(/javascript:|vbscript:|data:/i);
    }
    if (el.tagName === 'A') {
      expect(el.getAttribute('target')).toBeNull();
      expect(el.getAttribute('rel')).toBe('noopener noreferrer');
    }
    if (el.tagName === 'IMG' && el.hasAttribute('src')) expect(el.getAttribute('src')).toMatch(/^https?:/);
  }
}

describe('runbook markdown sanitiser', () => {
  it.each(HOSTILE)('neutralises %s', (_, input) => {
    assertInert(renderMarkdown(input));
    assertInert(sanitizeHtml(input));
  });

  it('the whole corpus in one document leaves nothing executable', () => {
    assertInert(renderMarkdown(HOSTILE.map(([, h]) => h).join('\n\n')));
  });

  it('keeps what a runbook needs: headings, lists, tables, code, safe links, and https images as links', () => {
    const html = renderMarkdown(
      '## 诊断\n1. Check `up`\n\n```bash\ncurl -s http://127.0.0.1:9090/-/ready\n```\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n[Grafana](https://grafana.example.com/d/x) [mail](mailto:oncall@example.com) [call](tel:+8613800000000) [top](#top)\n\n![graph](https://img.example.com/g.png)',
    );
    const root = dom(html);
    expect(root.querySelector('h2')!.textContent).toBe('诊断');
    expect(root.querySelector('ol li code')!.textContent).toBe('up');
    expect(root.querySelector('pre code')!.textContent).toContain('curl -s http://127.0.0.1:9090/-/ready');
    expect(root.querySelectorAll('table td')).toHaveLength(2);
    expect([...root.querySelectorAll('a')].map((a) => a.getAttribute('href'))).toEqual([
      'https://grafana.example.com/d/x',
      'mailto:oncall@example.com',
      'tel:+8613800000000',
      '#top',
      'https://img.example.com/g.png',
    ]);
    // the CSP loads nothing remote: the image is a link to it, named by its alt text
    expect(root.querySelector('img')).toBeNull();
    expect(root.querySelector('a[href="https://img.example.com/g.png"]')!.textContent).toBe('🖼 graph');
  });

  it('an image without alt text is named by its file; one without a usable source keeps only its alt text', () => {
    const root = dom(renderMarkdown('![](https://img.example.com/dir/topology.png?v=2) ![拓扑图](javascript:alert(1)) <img src=x alt="本地图">'));
    expect(root.querySelector('img')).toBeNull();
    expect([...root.querySelectorAll('a')].map((a) => [a.getAttribute('href'), a.textContent])).toEqual([
      ['https://img.example.com/dir/topology.png?v=2', '🖼 topology.png'],
    ]);
    expect(root.textContent).toContain('拓扑图');
    expect(root.textContent).toContain('本地图');
  });

  it('drops the link target but keeps the text of a refused link', () => {
    const root = dom(renderMarkdown('[restart the pod](javascript:alert(1))'));
    expect(root.querySelector('a')!.hasAttribute('href')).toBe(false);
    expect(root.textContent!.trim()).toBe('restart the pod');
  });
});
