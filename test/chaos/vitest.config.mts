import { defineConfig } from 'vitest/config';
import { aliases } from '../../aliases.mjs';

/**
 * The chaos test: `node scripts/chaos.mjs` (or `npx vitest run --config test/chaos/vitest.config.mts`).
 * CHAOS_ACTIONS, CHAOS_GATEWAY_KILLS, CHAOS_CLIENT_KILLS, CHAOS_SEED, CHAOS_CONCURRENCY choose the run.
 */
export default defineConfig({
  resolve: { alias: aliases },
  test: {
    include: ['test/chaos/**/*.test.ts'],
    environment: 'node',
    testTimeout: 900_000,
    hookTimeout: 120_000,
    fileParallelism: false,
  },
});
