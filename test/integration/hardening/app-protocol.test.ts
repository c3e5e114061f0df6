/**
 * The app:// scheme that replaces file://: the handler the shell registers with protocol.handle serves the
 * built renderer and nothing else. Run against a real folder on disk with a secret beside it and symlinks
 * pointing out of it; every traversal variant (raw, encoded, double-encoded, backslashes, symlinks) must
 * be refused, and a property check asserts that whatever is served is a file inside the renderer folder.
 * The handler is the one the shell hands to `protocol.handle` (captured from a recorder standing in for
 * Electron's protocol module, which cannot run here); requests are passed as Electron passes them, raw URL
 * strings included, since Node's own Request would normalise the very paths under test.
 */
import fc from 'fast-check';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CSP } from '@shared/csp';
import { APP_INDEX_URL, handleAppProtocol, registerAppScheme, resolveRendererPath } from '@main/shell/app-protocol';
import { tempDir } from '@test/helpers/tmp';

const t = tempDir('vigil-app-protocol-');
const root = path.join(t.dir, 'renderer');
const SECRET = 'TOP-SECRET-outside-the-renderer';
const inside = new Map<string, string>();

beforeAll(() => {
  fs.mkdirSync(path.join(root, 'assets'), { recursive: true });
  const files: Record<string, string> = {
    'index.html': '<!doctype html><title>Vigil</title>',
    'assets/index-abc.js': 'console.log(1)',
    'assets/index-abc.css': 'body{}',
    'assets/.env': 'HIDDEN=1',
    'assets/run.sh': 'echo no',
  };
  for (const [rel, body] of Object.entries(files)) {
    fs.writeFileSync(path.join(root, rel), body);
    inside.set(rel, body);
  }
  fs.writeFileSync(path.join(t.dir, 'secret.js'), SECRET);
  fs.writeFileSync(path.join(t.dir, 'secret.html'), SECRET);
  fs.mkdirSync(path.join(t.dir, 'elsewhere'));
  fs.writeFileSync(path.join(t.dir, 'elsewhere', 'x.js'), SECRET);
  fs.symlinkSync(path.join(t.dir, 'secret.js'), path.join(root, 'assets', 'link.js'));
  fs.symlinkSync(path.join(t.dir, 'elsewhere'), path.join(root, 'assets', 'dir'));
  fs.symlinkSync(path.join(root, 'assets', 'index-abc.js'), path.join(root, 'assets', 'alias.js'));
});
afterAll(() => t.cleanup());

const handlers = new Map<string, (request: GlobalRequest) => GlobalResponse | Promise<GlobalResponse>>();
const refusals: string[] = [];
handleAppProtocol(
  { handle: (scheme, fn) => handlers.set(scheme, fn) },
  { root, log: (reason) => refusals.push(reason) },
);

const get = (url: string, extra: { method?: string; initiatorOrigin?: string | null } = {}) =>
  handlers.get('app')!({
    url,
    method: extra.method ?? 'GET',
    initiatorOrigin: extra.initiatorOrigin,
  } as unknown as GlobalRequest) as Response;

describe('the app:// scheme', () => {
  it('is handled for the app scheme only', () => {
    expect([...handlers.keys()]).toEqual(['app']);
  });

  it('is registered as a privileged standard, secure scheme that does not bypass the CSP', () => {
    const registerSchemesAsPrivileged = vi.fn();
    registerAppScheme({ registerSchemesAsPrivileged });
    const [[schemes]] = registerSchemesAsPrivileged.mock.calls as [[Electron.CustomScheme[]]];
    expect(schemes).toHaveLength(1);
    expect(schemes[0].scheme).toBe('app');
    expect(schemes[0].privileges).toMatchObject({
      standard: true,
      secure: true,
      bypassCSP: false,
      allowServiceWorkers: false,
    });
  });

  it('serves the renderer, with its type, the CSP and nosniff', async () => {
    const index = get(APP_INDEX_URL);
    expect(index.status).toBe(200);
    expect(index.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(index.headers.get('content-security-policy')).toBe(CSP);
    expect(index.headers.get('x-content-type-options')).toBe('nosniff');
    // nothing is ever shared with another origin
    expect(index.headers.get('access-control-allow-origin')).toBeNull();
    expect(await index.text()).toContain('<title>Vigil</title>');
    expect(await get('app://vigil/').text()).toContain('<title>Vigil</title>');
    const js = get('app://vigil/assets/index-abc.js?v=1#x');
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(await js.text()).toBe('console.log(1)');
    expect(get('app://vigil/assets/index-abc.css').headers.get('content-type')).toBe('text/css; charset=utf-8');
    // a symlink that stays inside the renderer is fine
    expect(await get('app://vigil/assets/alias.js').text()).toBe('console.log(1)');
    const head = get('app://vigil/index.html', { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
  });

  it.each([
    ['dot-dot', 'app://vigil/../secret.js'],
    ['dot-dot deeper', 'app://vigil/assets/../../secret.js'],
    ['dot segment', 'app://vigil/./index.html'],
    ['encoded slash', 'app://vigil/assets%2F..%2F..%2Fsecret.js'],
    ['encoded slash, lower case', 'app://vigil/..%2fsecret.js'],
    ['encoded dots', 'app://vigil/%2e%2e/secret.js'],
    ['encoded dots, upper case', 'app://vigil/%2E%2E/secret.js'],
    ['mixed encoded dot', 'app://vigil/.%2e/secret.js'],
    ['double-encoded', 'app://vigil/%252e%252e/secret.js'],
    ['double-encoded slash', 'app://vigil/..%252f..%252fsecret.js'],
    ['backslash', 'app://vigil/..\\secret.js'],
    ['encoded backslash', 'app://vigil/..%5csecret.js'],
    ['encoded backslash, upper case', 'app://vigil/assets%5C..%5C..%5Csecret.js'],
    ['NUL', 'app://vigil/index.html%00.js'],
    ['overlong UTF-8 dot', 'app://vigil/%c0%ae%c0%ae/secret.js'],
    ['empty segment', 'app://vigil//etc/passwd.js'],
    ['absolute path', 'app://vigil/%2Fetc%2Fpasswd'],
    ['symlinked file pointing out', 'app://vigil/assets/link.js'],
    ['symlinked folder pointing out', 'app://vigil/assets/dir/x.js'],
    ['hidden file', 'app://vigil/assets/.env'],
    ['a file type the build never emits', 'app://vigil/assets/run.sh'],
    ['a folder', 'app://vigil/assets'],
    ['a missing file', 'app://vigil/missing.js'],
    ['another host', 'app://evil/index.html'],
    ['a look-alike host', 'app://vigil.evil/index.html'],
    ['user info', 'app://x@vigil/index.html'],
    ['a port', 'app://vigil:443/index.html'],
    ['file://', `file://${root}/index.html`],
    ['a malformed escape', 'app://vigil/%E0%A4%A.js'],
  ])('refuses %s', async (_what, url) => {
    const before = refusals.length;
    const r = get(url);
    expect(r.status, url).toBeGreaterThanOrEqual(400);
    expect(await r.text()).not.toContain(SECRET);
    expect(refusals.length, 'every refusal is logged').toBe(before + 1);
  });

  it('answers only GET and HEAD, and nothing to a page of another origin', () => {
    expect(get(APP_INDEX_URL, { method: 'POST' }).status).toBe(405);
    expect(get(APP_INDEX_URL, { initiatorOrigin: 'https://evil.example' }).status).toBe(403);
    expect(get(APP_INDEX_URL, { initiatorOrigin: 'null' }).status).toBe(403);
    expect(get(APP_INDEX_URL, { initiatorOrigin: 'app://vigil' }).status).toBe(200);
  });

  it('serves nothing but files inside the renderer, whatever the path (property)', () => {
    const token = fc.constantFrom(
      '..',
      '.',
      '%2e',
      '%2E',
      '%2f',
      '%2F',
      '%5c',
      '\\',
      '/',
      '%252f',
      '%00',
      'assets',
      'index.html',
      'link.js',
      'dir',
      'x.js',
      'secret.js',
      'index-abc.js',
      '%',
      'a',
    );
    fc.assert(
      fc.property(fc.array(token, { maxLength: 10 }), (parts) => {
        const r = get(`app://vigil/${parts.join('')}`);
        if (r.status !== 200) return;
        const rel = resolveRendererPath(`app://vigil/${parts.join('')}`);
        expect(rel.ok).toBe(true);
        if (!rel.ok) return;
        const real = fs.realpathSync(path.join(root, rel.relative));
        expect(path.relative(fs.realpathSync(root), real).startsWith('..')).toBe(false);
      }),
      { numRuns: 2000 },
    );
  });
});
