/**
 * Environment probes that are safe in browsers and bundlers: no top-level Node imports, no
 * direct `process` reference (bundlers may polyfill or rewrite it).
 */

interface ProcessLike {
  versions?: { node?: string };
  env?: Record<string, string | undefined>;
}

function processLike(): ProcessLike | undefined {
  return (globalThis as { process?: ProcessLike }).process;
}

/** True on Node.js (not in browsers or web workers, even with a `process` polyfill). */
export function isNode(): boolean {
  return typeof processLike()?.versions?.node === 'string';
}

/** An environment variable on Node.js; `undefined` elsewhere or when unset/empty. */
export function envVar(name: string): string | undefined {
  const v = processLike()?.env?.[name];
  return v === undefined || v === '' ? undefined : v;
}

/** Sets an environment variable on Node.js when it is not set yet (no-op elsewhere). */
export function setEnvDefault(name: string, value: string): void {
  const env = processLike()?.env;
  if (env !== undefined && (env[name] === undefined || env[name] === '')) env[name] = value;
}

/**
 * `import()` of a module whose name bundlers must not resolve at build time (optional peers,
 * `node:` builtins): the specifier is a runtime value.
 */
export function importOptional<T = unknown>(specifier: string): Promise<T> {
  return import(/* @vite-ignore */ /* webpackIgnore: true */ specifier) as Promise<T>;
}
