import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import react from '@vitejs/plugin-react';
import { aliases } from './aliases.mjs';

/** dependencies bundled into out/main (see main.build.externalizeDeps) */
const BUNDLED_DEPS = ['zod', 'yaml', 'luxon', 'uuid', 'ws', 'csv-parse', 'prom-client'];

export default defineConfig({
  main: {
    resolve: { alias: aliases },
    // Three Node entries share one build: the Electron main process, the browser host and the gateway.
    // Only shell/ imports electron; host/ and gateway/ run under plain Node.
    build: {
      // Pure-JS dependencies are bundled: resolving and compiling their hundreds of files was most of the
      // console's start-up (zod alone ~0.4 s), and bundling drops what is never imported (zod's 40 locales).
      // Left outside: native or binary-carrying packages (better-sqlite3, node-notifier's vendored helpers),
      // electron, and what is loaded on first use only (electron-updater).
      externalizeDeps: { exclude: BUNDLED_DEPS },
      rolldownOptions: {
        input: {
          index: resolve(__dirname, 'src/main/shell/index.ts'),
          host: resolve(__dirname, 'src/main/host/cli.ts'),
          gateway: resolve(__dirname, 'src/gateway/cli.ts'),
        },
      },
    },
  },
  preload: {
    resolve: { alias: aliases },
    // Sandboxed preload: one self-contained CommonJS file, dependencies bundled in.
    build: {
      externalizeDeps: false,
      rolldownOptions: {
        input: { index: resolve(__dirname, 'src/preload/index.ts') },
        output: { format: 'cjs' },
      },
    },
  },
  renderer: {
    resolve: { alias: aliases },
    root: resolve(__dirname, 'src/renderer'),
    base: './',
    build: {
      rolldownOptions: { input: resolve(__dirname, 'src/renderer/index.html') },
      // the page's code minified: the first screen parses and compiles about half the bytes (docs/performance.md)
      minify: true,
      // the largest chunk is echarts (~0.5 MB minified), loaded only when the dashboards open
      chunkSizeWarningLimit: 768,
    },
    plugins: [react()],
  },
});
