/**
 * bench/ is not a workspace package, so bare imports do not resolve from here. This loads modules
 * as @nerima/span-decoder sees them (its dependencies; the `@nerima/source` condition when tsx runs
 * with --conditions=@nerima/source), so the bench and the packages share one tfjs engine.
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

const fromSpan = createRequire(new URL('../../packages/span-decoder/package.json', import.meta.url));

export async function load<T>(specifier: string): Promise<T> {
  return (await import(pathToFileURL(fromSpan.resolve(specifier)).href)) as T;
}

export type Core = typeof import('../../packages/core/src/index.js');
export type Enc = typeof import('../../packages/encoder/src/index.js');
export type Evl = typeof import('../../packages/eval/src/index.js');
export type Span = typeof import('../../packages/span-decoder/src/index.js');

export const core = await load<Core>('@nerima/core');
export const enc = await load<Enc>('@nerima/encoder');
export const evl = await load<Evl>('@nerima/eval');
export const span = await load<Span>('@nerima/span-decoder');
