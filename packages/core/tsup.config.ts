import { preset } from '@nerima/tsup-config';
import { defineConfig } from 'tsup';

// The Node.js library, and the browser-safe subset (export condition `browser`), built for
// browsers so that `#atomic` (package.json "imports") resolves to its throwing stand-in.
export default defineConfig([
  preset(),
  preset({
    entry: ['src/browser.ts'],
    platform: 'browser',
    clean: false,
    esbuildOptions(options) {
      options.conditions = ['browser', 'import', 'default'];
    },
  }),
]);
