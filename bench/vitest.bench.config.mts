import { defineConfig } from 'vitest/config';
import { aliases } from '../aliases.mjs';

/** Benchmarks run under vitest's Node runner and print their figures as one JSON line each. */
export default defineConfig({
  resolve: { alias: aliases },
  test: {
    include: ['bench/**/*.bench.test.ts'],
    environment: 'node',
    testTimeout: 600_000,
    hookTimeout: 600_000,
    fileParallelism: false,
  },
});
