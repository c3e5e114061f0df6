import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';

/**
 * The layering, as import rules (docs/development.md draws it):
 *   shared ← node ← core, gateway (never each other) ← host, shell (wire the core; only their entry files
 *   start the embedded gateway); renderer ← shared only.
 * ESLint replaces (does not merge) `no-restricted-imports` between config objects, so each folder's rule
 * below lists every restriction that holds there.
 */
const deepRelative = {
  group: ['../../*', '../../**'],
  message: 'Climb at most one folder: import through an alias (@shared, @node, @core, @main, @gateway, @renderer, @resources, @test).',
};
const noElectron = { group: ['electron'], message: 'Only src/main/shell and the preload depend on Electron.' };
const noNodeBuiltins = { group: ['node:*', 'fs', 'path', 'os', 'child_process', 'crypto', 'http', 'net'], message: 'No Node modules here.' };
const noMain = { group: ['@main', '@main/**', '@core', '@core/**', '**/main/**'], message: 'This layer does not depend on the desktop app (src/main).' };
const noGateway = { group: ['@gateway/**', '**/gateway/**'], message: 'The gateway is the platform side: reach it over the wire, not by import.' };
const noRenderer = { group: ['@renderer/**', '**/renderer/**'], message: 'The renderer is reached only through window.vigil.' };
const noNodeLayer = { group: ['@node/**', '**/node/**'], message: 'src/node is Node-only; shared and the renderer run in the browser too.' };
const noShellHost = { group: ['@main/host/**', '@main/shell/**', '**/host/**', '**/shell/**'], message: 'The core does not know who hosts it (shell or browser host).' };
const noEmbedded = {
  group: ['@gateway/**', '**/gateway/**'],
  message: 'Only the entry files (src/main/shell/index.ts, src/main/host/cli.ts) start the embedded gateway.',
};
const restrict = (...patterns) => ['error', { patterns }];

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', 'test-results/**', 'playwright-report/**', '.native/**', 'bench/results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
      'no-console': 'off',
      'no-restricted-imports': restrict(deepRelative),
    },
  },
  {
    // issue #12: one unit, one responsibility. A function that needs more says why in place (eslint-disable with a reason).
    files: ['src/**/*.{ts,tsx}'],
    rules: { 'max-lines-per-function': ['error', { max: 150, skipBlankLines: true, skipComments: true, IIFEs: true }] },
  },
  {
    // tool configs sit in test/ subfolders and load the one alias table at the root
    files: ['**/vitest.config.mts', '**/vitest.*.config.mts'],
    rules: { 'no-restricted-imports': 'off' },
  },
  {
    files: ['src/renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'warn',
      'no-restricted-imports': restrict(deepRelative, noMain, noGateway, noNodeLayer, noElectron, noNodeBuiltins, {
        group: ['**/preload/**'],
        message: 'The renderer talks to the core only through window.vigil (src/shared/api.ts).',
      }),
    },
  },
  {
    files: ['src/shared/**/*.ts'],
    rules: {
      'no-restricted-imports': restrict(deepRelative, noMain, noGateway, noRenderer, noNodeLayer, noElectron, noNodeBuiltins),
    },
  },
  {
    files: ['src/node/**/*.ts'],
    rules: { 'no-restricted-imports': restrict(deepRelative, noMain, noGateway, noRenderer, noElectron) },
  },
  {
    files: ['src/main/core/**/*.ts'],
    rules: { 'no-restricted-imports': restrict(deepRelative, noShellHost, noGateway, noRenderer, noElectron) },
  },
  {
    files: ['src/gateway/**/*.ts'],
    rules: { 'no-restricted-imports': restrict(deepRelative, noMain, noRenderer, noElectron) },
  },
  {
    files: ['src/main/host/**/*.ts'],
    ignores: ['src/main/host/cli.ts'],
    rules: { 'no-restricted-imports': restrict(deepRelative, noEmbedded, noRenderer, noElectron) },
  },
  {
    files: ['src/main/shell/**/*.ts'],
    ignores: ['src/main/shell/index.ts'],
    rules: { 'no-restricted-imports': restrict(deepRelative, noEmbedded, noRenderer) },
  },
  {
    files: ['src/main/host/cli.ts'],
    rules: { 'no-restricted-imports': restrict(deepRelative, noRenderer, noElectron) },
  },
);
