/**
 * Builds the page and its Web Worker. Packages resolve through their `browser` export condition
 * (browser-safe entries, no Node.js builtins) and the `@nerima/source` condition (run from src).
 * The model files are not bundled: `modelAssets` serves them in dev and copies them into
 * `dist/model/` and `dist/dict/` on build (encoder weights, meta model, kuromoji's dictionary).
 */
import { copyFileSync, createReadStream, existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);

/** URL path (under the page's base) → file on disk. */
export function modelFiles(): Map<string, string> {
  const files = new Map<string, string>([
    ['model/encoder.bin', resolve(here, '../../models/encoder/encoder.bin')],
    ['model/meta-model.json', resolve(here, 'model/meta-model.json')],
  ]);
  const dict = join(dirname(require.resolve('kuromoji/package.json')), 'dict');
  for (const f of readdirSync(dict)) if (f.endsWith('.dat.gz')) files.set(`dict/${f}`, join(dict, f));
  return files;
}

function modelAssets(): Plugin {
  let outDir = '';
  return {
    name: 'nerima-model-assets',
    configResolved(config) {
      outDir = resolve(config.root, config.build.outDir);
    },
    configureServer(server) {
      const files = modelFiles();
      server.middlewares.use((req, res, next) => {
        const path = decodeURIComponent((req.url ?? '').split('?')[0] ?? '').replace(/^\/+/, '');
        const file = files.get(path);
        if (!file) return next();
        // Plain bytes: kuromoji gunzips the .dat.gz files itself (no Content-Encoding).
        res.setHeader(
          'content-type',
          path.endsWith('.json') ? 'application/json' : 'application/octet-stream',
        );
        res.setHeader('content-length', String(statSync(file).size));
        createReadStream(file).pipe(res);
      });
    },
    closeBundle() {
      for (const [path, file] of modelFiles()) {
        if (!existsSync(file)) throw new Error(`${file}: missing (see apps/web/README.md: pnpm make-model)`);
        const to = join(outDir, path);
        mkdirSync(dirname(to), { recursive: true });
        copyFileSync(file, to);
      }
    },
  };
}

export default defineConfig({
  base: './',
  plugins: [modelAssets()],
  resolve: {
    conditions: ['browser', '@nerima/source', 'module', 'import', 'default'],
    // kuromoji's dictionary loader calls path.join on the dictionary URL.
    alias: [{ find: /^path$/, replacement: resolve(here, 'src/shims/path.ts') }],
  },
  worker: { format: 'es' },
  build: {
    target: 'es2022',
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 4096,
    rollupOptions: {
      onwarn(warning, warn) {
        // The packages load node: builtins with dynamic import() on Node-only paths (file IO); in
        // the browser build those become empty stubs that never run. Anything else still warns.
        if (/Module "node:[^"]+" has been externalized for browser compatibility/.test(warning.message))
          return;
        warn(warning);
      },
    },
  },
});
