/** The layering holds by construction: one alias table, and no import across the boundaries (issue #12). */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
// eslint-disable-next-line no-restricted-imports -- the alias table itself sits at the root, outside every alias
import { aliases } from '../../../aliases.mjs';

const tsconfig = () => {
  const text = fs.readFileSync('tsconfig.base.json', 'utf8').replace(/^\s*\/\/.*$/gm, '');
  return JSON.parse(text) as { compilerOptions: { paths: Record<string, string[]> } };
};

function sources(dir: string, out: string[] = []): string[] {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) sources(p, out);
    else if (/\.(ts|tsx)$/.test(e.name)) out.push(p);
  }
  return out;
}

const importsOf = (file: string) =>
  [...fs.readFileSync(file, 'utf8').matchAll(/(?:from|import)\s*\(?\s*['"]([^'"]+)['"]/g)].map((m) => m[1]);

describe('layout', () => {
  it('tsconfig paths and aliases.mjs name the same folders', () => {
    const paths = tsconfig().compilerOptions.paths;
    for (const [alias, dir] of Object.entries(aliases)) {
      const rel = './' + path.relative(process.cwd(), dir).split(path.sep).join('/');
      expect(paths[`${alias}/*`], alias).toEqual([`${rel}/*`]);
    }
    const declared = new Set(Object.keys(paths).map((k) => k.replace(/\/\*$/, '')));
    expect([...declared].sort()).toEqual(Object.keys(aliases).sort());
  });

  it('the gateway imports nothing from the desktop app', () => {
    const offenders = sources('src/gateway').flatMap((f) =>
      importsOf(f)
        .filter((s) => /^@main|^@core|(^|\/)main\//.test(s))
        .map((s) => `${f}: ${s}`),
    );
    expect(offenders).toEqual([]);
  });

  it('src/node depends on no feature: not the app, the gateway, the renderer or Electron', () => {
    const offenders = sources('src/node').flatMap((f) =>
      importsOf(f)
        .filter((s) => /^@main|^@core|^@gateway|^@renderer|^electron$|(^|\/)(main|gateway|renderer)\//.test(s))
        .map((s) => `${f}: ${s}`),
    );
    expect(offenders).toEqual([]);
  });

  it('only the shell and host entry files start the embedded gateway', () => {
    const users = sources('src')
      .filter((f) => importsOf(f).some((s) => s.startsWith('@gateway/')) && !f.startsWith(path.join('src', 'gateway')))
      .sort();
    expect(users).toEqual([path.join('src/main/host/cli.ts'), path.join('src/main/shell/index.ts')]);
  });
});
