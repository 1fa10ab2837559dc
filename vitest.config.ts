import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Real-client tests spawn servers and CLIs; two cores cannot take much parallelism.
    maxWorkers: 2,
  },
});
