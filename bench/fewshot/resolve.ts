/**
 * bench/ is not a workspace package, so bare imports do not resolve from here. This loads modules
 * as @nerima/meta-core sees them (its dependencies; the `@nerima/source` condition when tsx runs
 * with --conditions=@nerima/source), so the bench and the packages share one tfjs engine.
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

const fromMeta = createRequire(new URL('../../packages/meta-core/package.json', import.meta.url));

export async function load<T>(specifier: string): Promise<T> {
  return (await import(pathToFileURL(fromMeta.resolve(specifier)).href)) as T;
}

export type Core = typeof import('../../packages/core/src/index.js');
export type Enc = typeof import('../../packages/encoder/src/index.js');
export type Evl = typeof import('../../packages/eval/src/index.js');
export type Meta = typeof import('../../packages/meta-core/src/index.js');
// Type-only path: bench/ has no node_modules of its own.
export type Tf = typeof import('../../packages/meta-core/node_modules/@tensorflow/tfjs-core/dist/index.js');

export type Aug = typeof import('../../packages/augment/src/index.js');

// @nerima/augment is not a dependency of meta-core: resolve it from its own package.
const fromAugment = createRequire(new URL('../../packages/augment/package.json', import.meta.url));
export const aug = (await import(pathToFileURL(fromAugment.resolve('@nerima/augment')).href)) as Aug;
export const core = await load<Core>('@nerima/core');
export const enc = await load<Enc>('@nerima/encoder');
export const evl = await load<Evl>('@nerima/eval');
export const meta = await load<Meta>('@nerima/meta-core');
export const tf = await load<Tf>('@tensorflow/tfjs-core');
