/**
 * The packages the page uses resolve, under the `browser` export condition, to entries whose
 * static import graph has no Node.js builtin (dynamic `import('node:…')` on Node-only code paths is
 * allowed: it never runs in a browser and bundlers leave it out of the static graph). The check
 * bundles a module importing every package by name with Vite/Rollup, as the page's build does.
 */
import { builtinModules } from 'node:module';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'vite';
import { describe, expect, it } from 'vitest';

// @nerima/span-decoder comes in through meta-core (it is not a dependency of the page itself).
const PACKAGES = ['@nerima/core', '@nerima/encoder', '@nerima/meta-core'];
const builtins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
const isBuiltin = (id: string) => builtins.has(id) || id.startsWith('node:');

interface Found {
  staticNode: string[];
  dynamicNode: string[];
  /** Every module in the graph (static and dynamic imports). */
  modules: string[];
}

async function bundleEntries(): Promise<Found> {
  const found: Found = { staticNode: [], dynamicNode: [], modules: [] };
  const entry = '\0browser-entries';
  const recorder: Plugin = {
    name: 'record-node-imports',
    enforce: 'pre',
    resolveId(source, importer) {
      if (source === 'browser-entries') return entry;
      if (isBuiltin(source)) {
        found.staticNode.push(`${source} ← ${importer ?? '?'}`);
        return { id: source, external: true };
      }
      return null;
    },
    resolveDynamicImport(source, importer) {
      if (typeof source === 'string' && isBuiltin(source)) {
        found.dynamicNode.push(`${source} ← ${importer}`);
        return { id: source, external: true };
      }
      return null;
    },
    buildEnd() {
      found.modules.push(...this.getModuleIds());
    },
    load(id) {
      if (id !== entry) return null;
      return PACKAGES.map((p, i) => `export * as p${i} from '${p}';`).join('\n');
    },
  };
  await build({
    configFile: false,
    logLevel: 'silent',
    root: fileURLToPath(new URL('..', import.meta.url)),
    plugins: [recorder],
    resolve: { conditions: ['browser', '@nerima/source', 'module', 'import', 'default'] },
    build: {
      write: false,
      minify: false,
      rollupOptions: {
        input: 'browser-entries',
        external: [/^@tensorflow\//, 'kuromoji'],
        preserveEntrySignatures: 'strict',
      },
    },
  });
  return found;
}

describe('browser entries', () => {
  it('import no Node.js builtin statically, and bundle from their src/browser.ts', async () => {
    const found = await bundleEntries();
    expect(found.staticNode).toEqual([]);
    for (const pkg of ['core', 'encoder', 'span-decoder', 'meta-core']) {
      expect(found.modules.some((m) => m.endsWith(`packages/${pkg}/src/browser.ts`))).toBe(true);
    }
    // The Node-only modules stay out, even behind dynamic imports: file IO, atomic writes,
    // pre-training, the supervised tagger files.
    for (const bad of [
      'core/src/atomic.ts',
      'core/src/io/',
      'encoder/src/pretrain.ts',
      'span-decoder/src/tagger.ts',
    ]) {
      expect(found.modules.filter((m) => m.includes(bad))).toEqual([]);
    }
    // Node-only paths load their builtins on demand (documented in each module).
    expect(found.dynamicNode.every((d) => /node:(fs\/promises|path|module)/.test(d))).toBe(true);
  }, 120_000);
});
