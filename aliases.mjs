// Import path aliases, declared once for every tool that resolves modules: electron-vite (main, preload,
// renderer), vitest (all projects) and Playwright read this file; tsconfig.base.json mirrors it in "paths"
// (JSON cannot import), and test/unit/foundation/layout.test.ts checks that the two agree.
import { fileURLToPath } from 'node:url';

const at = (p) => fileURLToPath(new URL(p, import.meta.url));

/** alias → folder, longest prefix first where one contains another */
export const aliases = {
  '@shared': at('./src/shared'),
  '@node': at('./src/node'),
  '@core': at('./src/main/core'),
  '@main': at('./src/main'),
  '@gateway': at('./src/gateway'),
  '@renderer': at('./src/renderer/src'),
  '@resources': at('./resources'),
  '@test': at('./test'),
};
