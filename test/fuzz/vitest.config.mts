import { defineConfig } from 'vitest/config';
import { aliases } from '../../aliases.mjs';

/**
 * The fuzzers: `npx vitest run --config test/fuzz/vitest.config.mts`. FUZZ_FRAMES (default 100000 per
 * target) and FUZZ_SEED (default 20260105) choose the run; one seed always sends the same frames.
 */
export default defineConfig({
  resolve: { alias: aliases },
  test: {
    include: ['test/fuzz/**/*.fuzz.test.ts'],
    environment: 'node',
    testTimeout: 600_000,
    hookTimeout: 120_000,
    fileParallelism: false,
  },
});
