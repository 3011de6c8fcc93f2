import { preset } from '@nerima/tsup-config';
import { defineConfig } from 'tsup';

// One executable file; no .d.ts (the CLI has no library surface).
export default defineConfig(
  preset({ entry: ['src/main.ts'], dts: false, banner: { js: '#!/usr/bin/env node' } }),
);
