/**
 * bench/ is not a workspace package, so bare imports do not resolve from here. This loads modules
 * as @nerima/encoder sees them (its own dependencies, the `@nerima/source` condition when tsx runs
 * with --conditions=@nerima/source), so the bench and the package share one tfjs engine.
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

const fromEncoder = createRequire(new URL('../../packages/encoder/package.json', import.meta.url));

export async function load<T>(specifier: string): Promise<T> {
  return (await import(pathToFileURL(fromEncoder.resolve(specifier)).href)) as T;
}

export const repoRoot = new URL('../../', import.meta.url).pathname;
