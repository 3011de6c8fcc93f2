/**
 * Backend selection for every nerima package: one call, `await initBackend()`, before any
 * tensor work. The tfjs backend is process-global, so the first call decides.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { getThreadsCount, setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { registerGradients } from './gradients/index.js';
import { registerKernels } from './kernels/index.js';
import { envVar, importOptional, isNode, setEnvDefault } from './runtime.js';
import { installSecondOrderTapeFix } from './tape-fix.js';
import { defaultWasmPaths } from './wasm-paths.js';

/** A concrete backend. `tensorflow-gpu` and `tensorflow` are tfjs-node(-gpu) (tfjs name `tensorflow`). */
export type BackendName = 'tensorflow-gpu' | 'tensorflow' | 'wasm' | 'cpu';

/** What a caller may ask for: a concrete backend, or `auto` (the fastest that loads). */
export type BackendRequest = 'auto' | BackendName;

/** Options of {@link initBackend}. */
export interface InitBackendOptions {
  /**
   * The backend to use. Default: env `NERIMA_BACKEND`, else `auto` (Node: tfjs-node-gpu, then
   * tfjs-node, then wasm, then cpu; browsers: wasm, then cpu). The option wins over the env var.
   */
  backend?: BackendRequest;
  /**
   * Worker threads. wasm: passed to `setThreadsCount` (effective only in cross-origin-isolated
   * browsers; tfjs-backend-wasm runs single-threaded on Node.js). tfjs-node: sets
   * `TF_NUM_INTRAOP_THREADS` unless already set.
   */
  threads?: number;
  /**
   * Where the wasm binaries are (`setWasmPaths` argument: a folder URL/path with a trailing slash,
   * or a map from binary name to URL). Default: the installed package on Node.js, the jsDelivr
   * CDN folder of the installed version in browsers.
   */
  wasmPaths?: string | Record<string, string>;
}

/** The backend in use, as reported by {@link initBackend} and {@link getBackendInfo}. */
export interface BackendInfo {
  /** The backend actually active. */
  name: BackendName;
  /** What was asked for (option, else `NERIMA_BACKEND`, else `auto`). */
  requested: BackendRequest;
  /** wasm only: whether the SIMD binary is in use. */
  simd?: boolean;
  /** wasm: threads in use; tfjs-node: the `threads` option, when given. */
  threads?: number;
  /** With `auto`: why faster candidates were skipped (`; `-separated). */
  fallbackReason?: string;
}

const REQUESTS: readonly BackendRequest[] = ['auto', 'tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'];
const NODE_PACKAGES: Record<'tensorflow-gpu' | 'tensorflow', string> = {
  'tensorflow-gpu': '@tensorflow/tfjs-node-gpu',
  tensorflow: '@tensorflow/tfjs-node',
};

let pending: Promise<BackendInfo> | undefined;
let active: BackendInfo | undefined;
let wasmPathsSet = false;

/** The effective request: option, else `NERIMA_BACKEND`, else `auto`; throws on unknown names. */
export function resolveRequest(option: BackendRequest | undefined): BackendRequest {
  if (option !== undefined) {
    if (!REQUESTS.includes(option)) {
      throw new Error(`initBackend: backend '${String(option)}' is not one of ${REQUESTS.join(', ')}`);
    }
    return option;
  }
  const env = envVar('NERIMA_BACKEND');
  if (env === undefined) return 'auto';
  const v = env.trim().toLowerCase();
  if (!(REQUESTS as readonly string[]).includes(v)) {
    throw new Error(
      `NERIMA_BACKEND='${env}' is not a backend: set it to one of ${REQUESTS.join(', ')}, or unset it`,
    );
  }
  return v as BackendRequest;
}

type Attempt = { ok: true; info: Omit<BackendInfo, 'requested'> } | { ok: false; reason: string };

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * True when `e` says the package itself is absent, as opposed to present but broken (then the
 * missing name is another one, e.g. its `@tensorflow/tfjs` dependency). Node ESM/CJS, Vite and
 * webpack word this differently; all quote the name.
 */
export function isMissingModule(e: unknown, pkg: string): boolean {
  const msg = messageOf(e);
  const quoted = msg.includes(`'${pkg}'`) || msg.includes(`"${pkg}"`);
  return quoted && /Cannot find (package|module)|Could not resolve|Failed to (load|resolve)/.test(msg);
}

async function tryTensorflow(
  name: 'tensorflow-gpu' | 'tensorflow',
  threads: number | undefined,
): Promise<Attempt> {
  const pkg = NODE_PACKAGES[name];
  if (!isNode()) return { ok: false, reason: `${pkg} needs Node.js` };
  if (threads !== undefined) setEnvDefault('TF_NUM_INTRAOP_THREADS', String(threads));
  try {
    await importOptional(pkg);
  } catch (e) {
    if (isMissingModule(e, pkg)) return { ok: false, reason: `${pkg} is not installed` };
    const reason = `${pkg} is installed but failed to load: ${messageOf(e)}`;
    console.warn(`nerima: ${reason}`);
    return { ok: false, reason };
  }
  if (!(await tf.setBackend('tensorflow'))) {
    return {
      ok: false,
      reason: `${pkg} loaded but tf.setBackend('tensorflow') failed (see the warning above)`,
    };
  }
  return { ok: true, info: { name, ...(threads !== undefined ? { threads } : {}) } };
}

async function tryWasm(options: InitBackendOptions): Promise<Attempt> {
  try {
    if (options.wasmPaths !== undefined) {
      setWasmPaths(options.wasmPaths);
      wasmPathsSet = true;
    } else if (!wasmPathsSet) {
      const paths = await defaultWasmPaths();
      if (paths !== undefined) setWasmPaths(paths);
      wasmPathsSet = true;
    }
    if (options.threads !== undefined) setThreadsCount(options.threads);
  } catch (e) {
    return { ok: false, reason: `wasm setup failed: ${messageOf(e)}` };
  }
  if (!(await tf.setBackend('wasm'))) {
    return {
      ok: false,
      reason: "tf.setBackend('wasm') failed: the .wasm binaries could not be loaded (see the warning above)",
    };
  }
  const simd = (await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) === true;
  return { ok: true, info: { name: 'wasm', simd, threads: getThreadsCount() } };
}

async function tryCpu(): Promise<Attempt> {
  if (!(await tf.setBackend('cpu'))) return { ok: false, reason: "tf.setBackend('cpu') failed" };
  return { ok: true, info: { name: 'cpu' } };
}

async function attempt(name: BackendName, options: InitBackendOptions): Promise<Attempt> {
  let r: Attempt;
  if (name === 'tensorflow-gpu' || name === 'tensorflow') r = await tryTensorflow(name, options.threads);
  else if (name === 'wasm') r = await tryWasm(options);
  else r = await tryCpu();
  // After loading: tfjs-node brings @tensorflow/tfjs, which registers the upstream gradients;
  // nerima's (fixed and extended) ones must win.
  if (r.ok) registerGradients();
  return r;
}

async function select(requested: BackendRequest, options: InitBackendOptions): Promise<BackendInfo> {
  registerKernels();
  installSecondOrderTapeFix();
  if (requested !== 'auto') {
    const r = await attempt(requested, options);
    if (!r.ok) {
      const hint =
        requested === 'tensorflow' || requested === 'tensorflow-gpu'
          ? `install it (pnpm add ${NODE_PACKAGES[requested]}@4.22.0; its install script downloads libtensorflow) or request 'auto'`
          : "request 'auto' to fall back automatically";
      throw new Error(
        `initBackend: backend '${requested}' was requested but is unavailable: ${r.reason}. To fix: ${hint}.`,
      );
    }
    const { name, ...rest } = r.info;
    return { name, requested, ...rest };
  }
  const candidates: BackendName[] = isNode()
    ? ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu']
    : ['wasm', 'cpu'];
  const reasons: string[] = [];
  for (const name of candidates) {
    const r = await attempt(name, options);
    if (r.ok) {
      const { name: chosen, ...rest } = r.info;
      return {
        name: chosen,
        requested,
        ...rest,
        ...(reasons.length > 0 ? { fallbackReason: reasons.join('; ') } : {}),
      };
    }
    reasons.push(r.reason);
  }
  throw new Error(`initBackend: no backend could be initialised: ${reasons.join('; ')}`);
}

/**
 * Selects and initialises the tfjs backend, registers nerima's gradients and kernels, and reports
 * what is active. Idempotent: later calls return the first call's (same) info object.
 *
 * An explicitly requested backend (option or `NERIMA_BACKEND`) that cannot load makes the call
 * throw, saying why and what to do; `auto` falls back and says why in `fallbackReason`. A later
 * call that explicitly asks for a different backend than the active one throws (one backend per
 * process).
 *
 * @example
 * const info = await initBackend();          // { name: 'wasm', requested: 'auto', simd: true, threads: 1, ... }
 * await initBackend({ backend: 'cpu' });      // or NERIMA_BACKEND=cpu
 */
export async function initBackend(options: InitBackendOptions = {}): Promise<BackendInfo> {
  const requested = resolveRequest(options.backend);
  if (pending === undefined) {
    pending = select(requested, options).then(
      (info) => {
        active = info;
        return info;
      },
      (e: unknown) => {
        pending = undefined;
        throw e;
      },
    );
    return pending;
  }
  const info = await pending;
  if (requested !== 'auto' && requested !== info.name) {
    throw new Error(
      `initBackend: backend '${requested}' was requested, but the process already runs on '${info.name}' ` +
        `(first requested as '${info.requested}'). The backend is process-global: request it in the first ` +
        `initBackend call, or set NERIMA_BACKEND=${requested} before start.`,
    );
  }
  return info;
}

/** The info of the backend {@link initBackend} activated, or `undefined` before it resolves. */
export function getBackendInfo(): BackendInfo | undefined {
  return active;
}

/**
 * Test-only: forgets the selection so the next {@link initBackend} selects again. Not exported
 * from the package.
 */
export function resetBackendSelectionForTests(): void {
  pending = undefined;
  active = undefined;
}
