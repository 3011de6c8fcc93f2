import { readdirSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  getBackendInfo,
  initBackend,
  isMissingModule,
  resetBackendSelectionForTests,
  resolveRequest,
} from './init.js';
import { cdnWasmFolder, nodeWasmFolder, WASM_BINARIES } from './wasm-paths.js';

beforeEach(() => {
  resetBackendSelectionForTests();
  vi.stubEnv('NERIMA_BACKEND', '');
});

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('resolveRequest', () => {
  it('defaults to auto, reads NERIMA_BACKEND (trimmed, any case), and the option wins', () => {
    expect(resolveRequest(undefined)).toBe('auto');
    vi.stubEnv('NERIMA_BACKEND', ' CPU ');
    expect(resolveRequest(undefined)).toBe('cpu');
    expect(resolveRequest('wasm')).toBe('wasm');
  });

  it('rejects unknown names, saying which values are allowed', () => {
    vi.stubEnv('NERIMA_BACKEND', 'gpu');
    expect(() => resolveRequest(undefined)).toThrow(
      "NERIMA_BACKEND='gpu' is not a backend: set it to one of auto, tensorflow-gpu, tensorflow, wasm, cpu, or unset it",
    );
    expect(() => resolveRequest('webgl' as 'cpu')).toThrow(
      "backend 'webgl' is not one of auto, tensorflow-gpu",
    );
  });
});

describe('initBackend', () => {
  it('honours NERIMA_BACKEND and reports the backend', async () => {
    vi.stubEnv('NERIMA_BACKEND', 'cpu');
    const info = await initBackend();
    expect(info).toEqual({ name: 'cpu', requested: 'cpu' });
    expect(tf.getBackend()).toBe('cpu');
    expect(getBackendInfo()).toBe(info);
  });

  it('lets the option win over NERIMA_BACKEND; wasm reports SIMD and threads', async () => {
    vi.stubEnv('NERIMA_BACKEND', 'cpu');
    const info = await initBackend({ backend: 'wasm' });
    expect(info).toEqual({ name: 'wasm', requested: 'wasm', simd: true, threads: 1 });
    expect(tf.getBackend()).toBe('wasm');
  });

  it('reports the threads actually used: tfjs-backend-wasm is single-threaded on Node.js', async () => {
    const info = await initBackend({ backend: 'wasm', threads: 2 });
    expect(info.threads).toBe(1);
  });

  it('is idempotent: later calls return the same info object', async () => {
    const first = await initBackend({ backend: 'cpu' });
    const [a, b] = await Promise.all([initBackend(), initBackend({ backend: 'cpu' })]);
    expect(a).toBe(first);
    expect(b).toBe(first);
  });

  it('throws when a later call explicitly asks for another backend', async () => {
    await initBackend({ backend: 'cpu' });
    await expect(initBackend({ backend: 'wasm' })).rejects.toThrow(
      "backend 'wasm' was requested, but the process already runs on 'cpu'",
    );
  });

  it('auto falls back past the missing tfjs-node packages to wasm and says why', async () => {
    const info = await initBackend();
    expect(info.name).toBe('wasm');
    expect(info.requested).toBe('auto');
    expect(info.fallbackReason).toBe(
      '@tensorflow/tfjs-node-gpu is not installed; @tensorflow/tfjs-node is not installed',
    );
  });

  it('an explicitly forced tensorflow that is not installed throws a clear error, and a retry can succeed', async () => {
    vi.stubEnv('NERIMA_BACKEND', 'tensorflow');
    await expect(initBackend()).rejects.toThrow(
      "initBackend: backend 'tensorflow' was requested but is unavailable: @tensorflow/tfjs-node is not installed. " +
        "To fix: install it (pnpm add @tensorflow/tfjs-node@4.22.0; its install script downloads libtensorflow) or request 'auto'.",
    );
    expect(getBackendInfo()).toBeUndefined();
    await expect(initBackend({ backend: 'tensorflow-gpu' })).rejects.toThrow(
      '@tensorflow/tfjs-node-gpu is not installed',
    );
    expect((await initBackend({ backend: 'cpu' })).name).toBe('cpu');
  });
});

describe('isMissingModule', () => {
  const pkg = '@tensorflow/tfjs-node';
  it('recognises "package absent" as worded by Node ESM, Node CJS and Vite', () => {
    expect(isMissingModule(new Error(`Cannot find package '${pkg}' imported from /x.js`), pkg)).toBe(true);
    expect(isMissingModule(new Error(`Cannot find module '${pkg}'`), pkg)).toBe(true);
    expect(isMissingModule(new Error(`Could not resolve "${pkg}" imported by "@nerima/core".`), pkg)).toBe(
      true,
    );
  });
  it('treats a missing dependency of an installed package, or a load failure, as broken', () => {
    expect(
      isMissingModule(
        new Error(`Cannot find package '@tensorflow/tfjs' imported from /n/${pkg}/dist/index.js`),
        pkg,
      ),
    ).toBe(false);
    expect(isMissingModule(new Error('libtensorflow.so.2: cannot open shared object file'), pkg)).toBe(false);
  });
});

describe('wasm paths', () => {
  it('on Node resolves the installed dist folder, which holds the three binaries', async () => {
    const folder = await nodeWasmFolder();
    expect(folder).toMatch(/@tensorflow[/\\]tfjs-backend-wasm[/\\]dist[/\\]$/);
    const files = readdirSync(folder as string);
    for (const name of WASM_BINARIES) expect(files).toContain(name);
  });
  it('in browsers defaults to the CDN folder of the exact installed version', () => {
    expect(cdnWasmFolder()).toBe('https://cdn.jsdelivr.net/npm/@tensorflow/tfjs-backend-wasm@4.22.0/dist/');
  });
});
