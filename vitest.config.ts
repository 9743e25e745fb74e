import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Multi-process tests already saturate the 2 cores; running files in parallel only adds noise.
    fileParallelism: false,
  },
});
