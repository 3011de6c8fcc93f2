/**
 * bench/ is not a workspace package, so bare imports do not resolve from here. This loads modules
 * as @nerima/xling-align sees them (its dependencies; the `@nerima/source` condition when tsx runs
 * with --conditions=@nerima/source), so the bench and the packages share one tfjs engine.
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

const fromPackage = createRequire(new URL('../../packages/xling-align/package.json', import.meta.url));

export async function load<T>(specifier: string): Promise<T> {
  return (await import(pathToFileURL(fromPackage.resolve(specifier)).href)) as T;
}

export const repoRoot = new URL('../../', import.meta.url).pathname;

/** Loads a module as the package at `packages/<pkg>` sees it (e.g. `meta-core` for the few-shot check). */
export async function loadFrom<T>(pkg: string, specifier: string): Promise<T> {
  const from = createRequire(new URL(`../../packages/${pkg}/package.json`, import.meta.url));
  return (await import(pathToFileURL(from.resolve(specifier)).href)) as T;
}
