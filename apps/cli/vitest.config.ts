import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    // Every test spawns the built CLI (dist/main.js) a few times; a loaded 2-core machine needs the headroom.
    testTimeout: 60_000,
    // the tests mostly wait on child processes: two files at a time keep both cores busy
    maxWorkers: 2,
    hookTimeout: 60_000,
  },
});
