import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // numerical known-answer tests and end-to-end CLI runs take seconds, not milliseconds
    testTimeout: 180_000,
    hookTimeout: 180_000,
    // two cores: CLI tests spawn processes of their own
    maxWorkers: 2,
  },
});
