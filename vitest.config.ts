import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['flows/**/*.test.ts', 'server/**/*.test.ts', 'connectors/**/*.test.ts', 'ui/src/**/*.test.{ts,tsx}', 'test/**/*.test.ts'],
    globalSetup: ['test/support/redis.global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
