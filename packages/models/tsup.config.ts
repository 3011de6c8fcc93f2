import { cp, rm } from 'node:fs/promises';
import { preset } from '@nerima/tsup-config';
import { defineConfig } from 'tsup';

// The shipped tagger folders (and the CLI's shipped meta model, models/meta) travel inside dist/
// (dist/weights/<name>), so the packed package is self-contained; the repository's models/<name>
// is their source.
const SHIPPED = ['stockmark', 'gsd', 'meta'];

export default defineConfig(
  preset({
    async onSuccess() {
      await rm('dist/weights', { recursive: true, force: true });
      for (const name of SHIPPED) {
        await cp(`../../models/${name}`, `dist/weights/${name}`, {
          recursive: true,
          filter: (src) => !src.endsWith('.md'),
        });
      }
    },
  }),
);
