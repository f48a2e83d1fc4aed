import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // The end-to-end tests mostly wait on child processes and loopback servers: two workers
    // halve the suite's time on a 2-core machine.
    maxWorkers: 2,
  },
});
