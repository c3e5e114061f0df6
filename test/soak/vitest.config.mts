import { defineConfig } from 'vitest/config';
import { aliases } from '../../aliases.mjs';

/** The soak (not in CI): `npm run test:soak`, i.e. node scripts/soak.mjs. SOAK_* variables choose the run. */
export default defineConfig({
  resolve: { alias: aliases },
  test: {
    include: ['test/soak/**/*.test.ts'],
    environment: 'node',
    testTimeout: 4 * 3_600_000,
    hookTimeout: 120_000,
    fileParallelism: false,
  },
});
