/**
 * Markdown → safe HTML for runbooks. Runbooks come from the platform and from any folder a user imports, so
 * their HTML is treated as hostile: `marked` renders, DOMPurify keeps only plain document markup (no SVG or
 * MathML, no forms, frames, styles or event handlers), links only to http(s)/mailto/tel (and in-page #),
 * images only from http(s) — never data:, which DOMPurify would otherwise allow on <img>.
 *
 * An http(s) image is not loaded: the CSP keeps the console to its own origin (no remote fetches that track
 * who reads which runbook, nothing that breaks offline), so it becomes a link to the image, labelled with its
 * alt text, which opens through the vetted external opener like any other link.
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
    }
  });
  purifier = p;
  return p;
}

/** Replaces every remaining <img> by a link to its source (or by its alt text when it has no usable source). */
function imagesToLinks(root: DocumentFragment): void {
  for (const img of [...root.querySelectorAll('img')]) {
    const src = img.getAttribute('src');
    const alt = img.getAttribute('alt')?.trim() ?? '';
    const doc = img.ownerDocument;
    let replacement: Node;
    if (src) {
      const a = doc.createElement('a');
      a.setAttribute('href', src);
      a.setAttribute('rel', 'noopener noreferrer');
      a.setAttribute('title', src);
      a.className = 'md-image-link';
      a.textContent = `🖼 ${alt || src.split(/[?#]/)[0].split('/').pop() || src}`;
      replacement = a;
    } else replacement = doc.createTextNode(alt);
    img.replaceWith(replacement);
  }
}

export function sanitizeHtml(html: string): string {
  const fragment = getPurifier().sanitize(html, {
    RETURN_DOM_FRAGMENT: true,
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
  imagesToLinks(fragment);
  const out = fragment.ownerDocument.createElement('div');
  out.append(fragment);
  return out.innerHTML;
}

export function renderMarkdown(markdown: string): string {
  return sanitizeHtml(marked.parse(markdown) as string);
}
