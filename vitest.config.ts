import { defineConfig } from 'vitest/config';

// Unit and integration tests live next to the code (*.test.ts) and in test/.
// Every test has a timeout so CI (90 min) can never hang on one.
export default defineConfig({
  test: {
    include: ['src-core/**/*.test.ts', 'src-main/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    teardownTimeout: 10_000,
    pool: 'forks',
    reporters: ['default'],
  },
});
