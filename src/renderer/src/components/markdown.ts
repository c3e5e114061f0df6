/**
 * Markdown → safe HTML for runbooks. Runbooks come from the platform and from any folder a user imports, so
 * their HTML is treated as hostile: `marked` renders, DOMPurify keeps only plain document markup (no SVG or
 * MathML, no forms, frames, styles or event handlers), links only to http(s)/mailto/tel (and in-page #),
 * images only from http(s) — never data:, which DOMPurify would otherwise allow on <img>.
 */
import DOMPurify from 'dompurify';
import { Marked } from 'marked';

const marked = new Marked({ gfm: true, breaks: false, async: false });

const LINK_SCHEMES = /^(?:https?:|mailto:|tel:|#)/i;
const IMAGE_SCHEMES = /^https?:/i;

let purifier: ReturnType<typeof DOMPurify> | null = null;

function getPurifier(): ReturnType<typeof DOMPurify> {
  if (purifier) return purifier;
  const p = DOMPurify(window);
  p.addHook('afterSanitizeAttributes', (node) => {
    const el = node as Element;
    if (el.tagName === 'A') {
      const href = el.getAttribute('href');
      if (href !== null && !LINK_SCHEMES.test(href.trim())) el.removeAttribute('href');
      el.removeAttribute('target');
      el.setAttribute('rel', 'noopener noreferrer');
    } else if (el.tagName === 'IMG') {
      const src = el.getAttribute('src');
      if (src === null || !IMAGE_SCHEMES.test(src.trim())) el.removeAttribute('src');
      el.setAttribute('referrerpolicy', 'no-referrer');
      el.setAttribute('loading', 'lazy');
    }
  });
  purifier = p;
  return p;
}

export function sanitizeHtml(html: string): string {
  return getPurifier().sanitize(html, {
    USE_PROFILES: { html: true },
    FORBID_TAGS: [
      'style',
      'form',
      'input',
      'button',
      'textarea',
      'select',
      'option',
      'iframe',
      'frame',
      'object',
      'embed',
      'base',
      'link',
      'meta',
      'video',
      'audio',
      'source',
      'track',
      'template',
      'dialog',
    ],
    FORBID_ATTR: ['style', 'srcset', 'action', 'formaction', 'ping', 'background', 'poster', 'xlink:href'],
    ALLOWED_URI_REGEXP: LINK_SCHEMES,
    ALLOW_DATA_ATTR: false,
    // ids and names from content are prefixed, so a runbook cannot clobber document.* properties
    SANITIZE_NAMED_PROPS: true,
  });
}

export function renderMarkdown(markdown: string): string {
  return sanitizeHtml(marked.parse(markdown) as string);
}
