import { preset } from '@nerima/tsup-config';
import { defineConfig } from 'tsup';

// Two entries: the Node.js library and the browser-safe subset (export condition `browser`).
export default defineConfig(preset({ entry: ['src/index.ts', 'src/browser.ts'] }));
