import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    // Real servers and one spawned dist/main.js (built first when stale): a loaded 2-core machine needs headroom.
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
