import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import react from '@vitejs/plugin-react';
import { aliases } from './aliases.mjs';

export default defineConfig({
  main: {
    resolve: { alias: aliases },
    // Three Node entries share one build: the Electron main process, the browser host and the gateway.
    // Only shell/ imports electron; host/ and gateway/ run under plain Node.
    build: {
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
    build: { rolldownOptions: { input: resolve(__dirname, 'src/renderer/index.html') } },
    plugins: [react()],
  },
});
