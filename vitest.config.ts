import { defineConfig } from 'vitest/config';

// Tests run from source: the @nerima/source export condition points each package at src/.
export default defineConfig({
  resolve: { conditions: ['@nerima/source'] },
  ssr: { resolve: { conditions: ['@nerima/source'] } },
  test: {
    include: [
      'packages/*/src/**/*.test.ts',
      'apps/*/src/**/*.test.ts',
      'apps/*/test/**/*.test.ts',
      'tooling/*/test/**/*.test.ts',
    ],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
