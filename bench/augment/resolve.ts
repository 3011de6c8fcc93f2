/**
 * bench/ is not a workspace package, so bare imports do not resolve from here. This loads modules as
 * @nerima/augment sees them (its dependencies and dev dependencies; the `@nerima/source` condition
 * when tsx runs with --conditions=@nerima/source).
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

const fromAugment = createRequire(new URL('../../packages/augment/package.json', import.meta.url));

export async function load<T>(specifier: string): Promise<T> {
  return (await import(pathToFileURL(fromAugment.resolve(specifier)).href)) as T;
}

export type Core = typeof import('../../packages/core/src/index.js');
export type Evl = typeof import('../../packages/eval/src/index.js');
export type Aug = typeof import('../../packages/augment/src/index.js');

export const core = await load<Core>('@nerima/core');
export const evl = await load<Evl>('@nerima/eval');
export const aug = await load<Aug>('@nerima/augment');
