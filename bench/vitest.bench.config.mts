import { defineConfig } from 'vitest/config';

/** Benchmarks run under vitest's Node runner and print their figures as one JSON line each. */
export default defineConfig({
  test: {
    include: ['bench/**/*.bench.test.ts'],
    environment: 'node',
    testTimeout: 600_000,
    hookTimeout: 600_000,
    fileParallelism: false,
  },
});
