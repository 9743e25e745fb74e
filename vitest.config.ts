import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Child processes run src/ and test/ compiled once per run, not through tsx each (helpers/js-mirror.ts).
    globalSetup: ['test/js-mirror.setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // expect.poll waits for something another process or a browser does; 1 s (vitest's default)
    // is shorter than a loaded 2-core CI runner sometimes takes. A poll that never matches still
    // fails, only later.
    expect: { poll: { timeout: 10_000 } },
    // Multi-process tests already saturate the 2 cores; running files in parallel only adds noise.
    fileParallelism: false,
  },
});
