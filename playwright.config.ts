import { defineConfig } from '@playwright/test';

/**
 * E2E runs the built app (out/ or $VIGIL_OUT_DIR) through the browser host in Debian's Chromium.
 * We never download Playwright's own browsers: the executable is /usr/bin/chromium (or $CHROMIUM_PATH).
 */
export default defineConfig({
  testDir: 'test/e2e',
  outputDir: process.env.PW_OUTPUT_DIR ?? 'test-results/e2e',
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [['list'], ['json', { outputFile: process.env.PW_JSON_REPORT ?? 'test-results/playwright.json' }]],
  use: {
    browserName: 'chromium',
    locale: 'en-US',
    viewport: { width: 1360, height: 860 },
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
    },
  },
});
