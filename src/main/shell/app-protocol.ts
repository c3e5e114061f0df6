/**
 * The renderer is served from `app://vigil/…`, a privileged custom scheme, never from file:// (Electron's
 * security checklist, "avoid file://"): a page on file:// shares its origin with every file on the disk,
 * while app://vigil is an origin of its own that can reach nothing but the built renderer.
 *
 * `resolveRendererPath` is the pure part: URL → a path inside the renderer folder, or a refusal. It refuses
 * rather than normalises: "..", ".", empty segments, backslashes, encoded separators ("%2F", "%5C"), encoded
 * dots, NUL, a foreign host, user info or port, and any file type the build does not emit.
 * `serveRendererRequest` adds what needs the disk: the real path (symlinks resolved) must still be inside
 * the real renderer folder and be a regular file.
 */
import fs from 'node:fs';
import path from 'node:path';
import { CSP } from '@shared/csp';

export const APP_SCHEME = 'app';
export const APP_HOST = 'vigil';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_INDEX_URL = `${APP_ORIGIN}/index.html`;

/** The file types the renderer build emits, with the type they are served as. Anything else is refused. */
export const RENDERER_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.ttf': 'font/ttf',
};

export type RendererPath =
  { ok: true; relative: string; type: string } | { ok: false; status: 400 | 403 | 404; reason: string };

const refuse = (status: 400 | 403 | 404, reason: string): RendererPath => ({ ok: false, status, reason });
const SEGMENT = /^[A-Za-z0-9._~!$&'()*+,;=:@-]+$/;

/**
 * Maps `app://vigil/<path>` onto a relative path inside the renderer folder (always "/"-separated, no
 * leading slash). "/" maps to index.html. Pure: no disk access.
 */
export function resolveRendererPath(url: string): RendererPath {
  if (typeof url !== 'string' || url.length > 2048) return refuse(400, 'not a URL');
  const prefix = `${APP_ORIGIN}/`;
  // Chromium hands standard-scheme URLs over canonical (lower-case scheme and host); anything else is not ours
  if (!url.startsWith(prefix)) return refuse(404, `not under ${prefix}`);
  const rawPath = url.slice(prefix.length).replace(/[?#].*$/s, '');
  const segments = rawPath === '' ? ['index.html'] : rawPath.split('/');
  const decoded: string[] = [];
  for (const raw of segments) {
    if (raw === '') return refuse(400, 'empty path segment');
    if (/%(2f|5c|00|2e)/i.test(raw)) return refuse(400, 'encoded separator, dot or NUL');
    let seg: string;
    try {
      seg = decodeURIComponent(raw);
    } catch {
      return refuse(400, 'malformed percent-encoding');
    }
    if (seg === '.' || seg === '..') return refuse(400, 'dot segment');
    // eslint-disable-next-line no-control-regex
    if (/[\\/\u0000-\u001f\u007f]/.test(seg)) return refuse(400, 'separator or control character');
    if (!SEGMENT.test(seg)) return refuse(400, 'unexpected character');
    if (seg.startsWith('.')) return refuse(404, 'hidden file');
    decoded.push(seg);
  }
  const relative = decoded.join('/');
  const type = RENDERER_TYPES[path.posix.extname(relative).toLowerCase()];
  if (!type) return refuse(403, 'not a file type the renderer build emits');
  return { ok: true, relative, type };
}

/** `child` is `root` itself or inside it (both absolute, already resolved). */
export function isInside(root: string, child: string): boolean {
  const rel = path.relative(root, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

function textResponse(status: number, reason: string): Response {
  return new Response(reason, {
    status,
    headers: { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' },
  });
}

export interface ServeOptions {
  /** the built renderer folder (out/renderer, or inside app.asar when packaged) */
  root: string;
  log?: (reason: string, url: string) => void;
}

/**
 * Answers one request on the app scheme. Only GET/HEAD, only from our own origin (or the browser itself),
 * only regular files whose real path stays in the real renderer folder. Every response carries the CSP.
 */
export function serveRendererRequest(
  request: { url: string; method: string; initiatorOrigin?: string | null },
  opts: ServeOptions,
): Response {
  const fail = (status: number, reason: string) => {
    opts.log?.(reason, request.url.slice(0, 300));
    return textResponse(status, reason);
  };
  if (request.method !== 'GET' && request.method !== 'HEAD') return fail(405, 'method not allowed');
  // Electron sets initiatorOrigin for requests web content makes; a page of another origin gets nothing here
  if (request.initiatorOrigin && request.initiatorOrigin !== APP_ORIGIN) return fail(403, 'foreign initiator');
  const r = resolveRendererPath(request.url);
  if (!r.ok) return fail(r.status, r.reason);
  let file: string;
  try {
    const realRoot = fs.realpathSync(opts.root);
    file = fs.realpathSync(path.join(realRoot, ...r.relative.split('/')));
    if (!isInside(realRoot, file)) return fail(403, 'resolves outside the renderer (symlink)');
    if (!fs.statSync(file).isFile()) return fail(404, 'not a file');
  } catch {
    return fail(404, 'not found');
  }
  const body = request.method === 'HEAD' ? null : fs.readFileSync(file);
  return new Response(body, {
    status: 200,
    headers: {
      'Content-Type': r.type,
      'Content-Security-Policy': CSP,
      'X-Content-Type-Options': 'nosniff',
      'Cache-Control': 'no-cache',
    },
  });
}

/** Registers the handler (after ready). Electron also sets `initiatorOrigin` on requests web content makes. */
export function handleAppProtocol(
  protocol: {
    handle(scheme: string, handler: (request: GlobalRequest) => GlobalResponse | Promise<GlobalResponse>): void;
  },
  opts: ServeOptions,
): void {
  protocol.handle(APP_SCHEME, (request) => {
    const initiatorOrigin = (request as { initiatorOrigin?: string | null }).initiatorOrigin;
    return serveRendererRequest({ url: request.url, method: request.method, initiatorOrigin }, opts);
  });
}

/**
 * Must run before the app is ready: app:// as a standard, secure origin (storage, fetch, module scripts and
 * their code cache). `corsEnabled` lets the page's own `<script type="module" crossorigin>` load from the
 * scheme; it opens nothing to other origins, since the handler never sends Access-Control-Allow-Origin and
 * refuses foreign initiators outright. The CSP is never bypassed, and no service worker may register.
 */
export function registerAppScheme(protocol: { registerSchemesAsPrivileged(s: Electron.CustomScheme[]): void }): void {
  protocol.registerSchemesAsPrivileged([
    {
      scheme: APP_SCHEME,
      privileges: {
        standard: true,
        secure: true,
        supportFetchAPI: true,
        codeCache: true,
        corsEnabled: true,
        bypassCSP: false,
        allowServiceWorkers: false,
        stream: false,
      },
    },
  ]);
}
