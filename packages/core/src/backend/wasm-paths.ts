/**
 * Where the wasm backend loads its `.wasm` binaries from.
 *
 * - Node.js: the `dist/` folder of the installed `@tensorflow/tfjs-backend-wasm`, resolved from
 *   this module with `createRequire` (robust to pnpm layouts and to bundling `@nerima/core`).
 * - Browsers: bundlers do not copy the `.wasm` files, so the default is the jsDelivr CDN folder
 *   of the exact installed version; pass `wasmPaths` to `initBackend` to self-host them.
 */
import { version_wasm } from '@tensorflow/tfjs-backend-wasm';
import { importOptional, isNode } from './runtime.js';

/** The three binaries tfjs-backend-wasm may load (plain, SIMD, threaded SIMD). */
export const WASM_BINARIES = [
  'tfjs-backend-wasm.wasm',
  'tfjs-backend-wasm-simd.wasm',
  'tfjs-backend-wasm-threaded-simd.wasm',
] as const;

/** The CDN folder (trailing slash) holding the binaries of the installed tfjs-backend-wasm. */
export function cdnWasmFolder(): string {
  return `https://cdn.jsdelivr.net/npm/@tensorflow/tfjs-backend-wasm@${version_wasm}/dist/`;
}

/**
 * The folder (with a trailing separator) of the installed `@tensorflow/tfjs-backend-wasm/dist/`
 * on Node.js, or `undefined` when it cannot be resolved (then tfjs-backend-wasm's own default,
 * its module's directory, applies).
 */
export async function nodeWasmFolder(): Promise<string | undefined> {
  if (!isNode()) return undefined;
  try {
    const { createRequire } = await importOptional<typeof import('node:module')>('node:module');
    const path = await importOptional<typeof import('node:path')>('node:path');
    const require = createRequire(import.meta.url);
    const file = require.resolve(`@tensorflow/tfjs-backend-wasm/dist/${WASM_BINARIES[1]}`);
    return path.dirname(file) + path.sep;
  } catch {
    return undefined;
  }
}

/** The `setWasmPaths` argument to use: the caller's, else Node's package folder, else the CDN. */
export async function defaultWasmPaths(): Promise<string | undefined> {
  if (isNode()) return nodeWasmFolder();
  return cdnWasmFolder();
}
