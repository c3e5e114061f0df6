/**
 * Reads the security settings the shell and the host actually apply and fails on any weakening.
 * (The Electron runtime itself cannot run here; test/e2e/electron.spec.ts checks the live window where it can.)
 */
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CSP, secureWebPreferences } from '@main/shell/security';

const directives = (csp: string) =>
  Object.fromEntries(csp.split(';').map((d) => d.trim().split(/\s+/)).map(([k, ...v]) => [k, v]));

describe('hardening', () => {
  it('the window keeps isolation, sandbox and no Node integration', () => {
    expect(secureWebPreferences('/p/preload.js')).toMatchObject({
      preload: '/p/preload.js',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      experimentalFeatures: false,
    });
  });

  for (const [where, csp] of [
    ['shell and host header', CSP],
    ['index.html meta', fs.readFileSync('src/renderer/index.html', 'utf8').match(/content="(default-src[^"]+)"/)![1]],
  ] as const) {
    it(`the ${where} CSP allows no inline or eval script and no foreign origins`, () => {
      const d = directives(csp);
      expect(d['script-src']).toEqual(["'self'"]);
      expect(d['default-src']).toEqual(["'self'"]);
      expect(d['object-src']).toEqual(["'none'"]);
      expect(d['base-uri']).toEqual(["'none'"]);
      for (const [k, v] of Object.entries(d)) {
        expect(v, k).not.toContain("'unsafe-eval'");
        expect(v.filter((s: string) => /^https?:|^\*$/.test(s)), k).toEqual([]);
      }
    });
  }

  it('the host serves the same CSP as the shell', () => {
    expect(fs.readFileSync('src/main/host/server.ts', 'utf8')).toMatch(/import \{ CSP \} from '@shared\/csp'/);
  });

  it('the preload exposes one object built from the contract and nothing else', () => {
    const src = fs.readFileSync('src/preload/index.ts', 'utf8');
    expect(src.match(/exposeInMainWorld/g)).toHaveLength(1);
    expect(src).toContain('satisfies VigilApi');
    expect(src).not.toMatch(/ipcRenderer\.(send|sendSync)\(|exposeInMainWorld\([^)]*ipcRenderer/);
  });
});
