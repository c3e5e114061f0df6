/**
 * Packaging: electron-builder.yml flips every fuse the security checklist asks for, each under a name
 * electron-builder actually reads (a misspelt key would be ignored silently), the whole file passes
 * electron-builder's own schema, and the deep-link scheme is registered. Also: the installed node-abi —
 * what electron-builder's rebuild and better-sqlite3's prebuild-install use — knows the installed
 * Electron's ABI, so packaging can build the native module for it.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const require = createRequire(import.meta.url);
const config = parse(fs.readFileSync('electron-builder.yml', 'utf8')) as Record<string, unknown> & {
  electronFuses: Record<string, boolean>;
};

/** The fuses and the value each must have (docs/development.md, "Electron security checklist"). */
const REQUIRED = {
  runAsNode: false,
  enableNodeOptionsEnvironmentVariable: false,
  enableNodeCliInspectArguments: false,
  onlyLoadAppFromAsar: true,
  enableEmbeddedAsarIntegrityValidation: true,
  enableCookieEncryption: true,
  grantFileProtocolExtraPrivileges: false,
};

describe('electron-builder.yml', () => {
  it('flips every fuse the checklist asks for', () => {
    for (const [fuse, value] of Object.entries(REQUIRED)) expect(config.electronFuses[fuse], fuse).toBe(value);
  });

  it('names only fuses electron-builder reads, so none is ignored silently', () => {
    const packager = fs.readFileSync(require.resolve('app-builder-lib/out/platformPackager.js'), 'utf8');
    const read = new Set([...packager.matchAll(/fuses\.(\w+)/g)].map((m) => m[1]));
    for (const fuse of Object.keys(config.electronFuses))
      expect(read.has(fuse), `electron-builder does not read "${fuse}"`).toBe(true);
  });

  it("passes electron-builder's own configuration schema", { timeout: 60_000 }, async () => {
    const { validateConfiguration } = require('app-builder-lib/out/util/config/config.js') as {
      validateConfiguration(c: unknown, logger: unknown): Promise<void>;
    };
    const { DebugLogger } = require('builder-util') as { DebugLogger: new (enabled: boolean) => unknown };
    await expect(validateConfiguration(structuredClone(config), new DebugLogger(false))).resolves.toBeUndefined();
    // the check has teeth: a misspelt fuse is refused
    const bad = structuredClone(config);
    bad.electronFuses = { ...bad.electronFuses, runAsNod: false };
    await expect(validateConfiguration(bad, new DebugLogger(false))).rejects.toThrow(/electronFuses/);
  });

  it('registers vigil:// deep links, ships the macOS zip electron-updater needs, and unpacks native modules', () => {
    expect(config.protocols).toEqual([{ name: 'Vigil link', schemes: ['vigil'] }]);
    expect((config.linux as { mimeTypes: string[] }).mimeTypes).toContain('x-scheme-handler/vigil');
    expect((config.mac as { target: string[] }).target).toContain('zip');
    expect(config.asar).toBe(true);
    expect(config.asarUnpack).toContain('**/*.node');
  });
});

describe('the native module for the installed Electron', () => {
  it("node-abi knows the installed Electron's ABI and agrees with the electron package", () => {
    const out = execFileSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        "import { electronAbi } from './scripts/native.mjs'; console.log(JSON.stringify(electronAbi()))",
      ],
      {
        encoding: 'utf8',
      },
    );
    const abi = JSON.parse(out) as {
      version: string;
      stated: string | null;
      known: { tool: string; abi: string | null }[];
      ok: boolean;
    };
    const electronMajor = Number(abi.version.split('.')[0]);
    expect(electronMajor).toBeGreaterThanOrEqual(45);
    expect(abi.stated).toMatch(/^\d+$/);
    expect(abi.known.map((k) => k.tool)).toContain('electron-builder (@electron/rebuild)');
    for (const k of abi.known) expect(k.abi, k.tool).toBe(abi.stated);
    expect(abi.ok).toBe(true);
  });

  it('keeps better-sqlite3 on major 12 (13 crashes under Node 20)', () => {
    const pkg = JSON.parse(fs.readFileSync('package.json', 'utf8')) as { dependencies: Record<string, string> };
    expect(pkg.dependencies['better-sqlite3']).toMatch(/^\^12\./);
  });
});
