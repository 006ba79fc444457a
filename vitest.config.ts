import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // once per run: which optional system packages (Chromium, OpenBLAS) are missing, and what that skips
    globalSetup: ['test/support/global-setup.ts'],
    // numerical known-answer tests and end-to-end CLI runs take seconds, not milliseconds
    testTimeout: 180_000,
    hookTimeout: 180_000,
    // two cores: CLI tests spawn processes of their own
    maxWorkers: 2,
  },
});
