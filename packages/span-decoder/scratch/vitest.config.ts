import { defineConfig } from 'vitest/config';
export default defineConfig({
  resolve: { conditions: ['@nerima/source'] },
  ssr: { resolve: { conditions: ['@nerima/source'] } },
  test: {
    include: ['packages/span-decoder/scratch/*.test.ts', 'packages/span-decoder/src/*.test.ts'],
    testTimeout: 1200_000,
    pool: 'forks',
    root: '/work/main',
  },
});
