import { preset } from '@nerima/tsup-config';
import { defineConfig } from 'tsup';

// One executable file, plus the child process that serves the meta model (meta-process.ts forks
// dist/meta-process-worker.js); no .d.ts (the CLI has no library surface).
export default defineConfig(
  preset({
    entry: ['src/main.ts', 'src/meta-process-worker.ts'],
    dts: false,
    banner: { js: '#!/usr/bin/env node' },
  }),
);
