/**
 * Backend micro-benchmark: matMul throughput on wasm vs cpu, the cost of matMul's transpose
 * flags on wasm (tfjs-backend-wasm's own kernel, then with @nerima/core's wrapper), and the conv
 * and embedding gradients with @nerima/core's wasm kernels. Writes bench/results/backend.json.
 * About 20 s on an idle machine.
 *
 *   pnpm exec tsx --conditions=@nerima/source bench/backend/matmul.ts
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { gitCommit } from '../git-commit.js';
import { load } from './resolve.js';

type Tf = typeof import('@tensorflow/tfjs-core');
type Tensor = import('@tensorflow/tfjs-core').Tensor;
const core = await load<typeof import('@nerima/core')>('@nerima/core');
const tf = await load<Tf>('@tensorflow/tfjs-core');

/** Median wall time (ms) of `f` (result read back with dataSync), after `warmup` runs. */
function time(f: () => Tensor | Tensor[], reps: number, warmup = 2): number {
  const once = () => {
    const t0 = performance.now();
    tf.tidy(() => {
      const r = f();
      for (const t of Array.isArray(r) ? r : [r]) t.dataSync();
    });
    return performance.now() - t0;
  };
  for (let i = 0; i < warmup; i++) once();
  const ms = Array.from({ length: reps }, once).sort((a, b) => a - b);
  return ms[Math.floor(ms.length / 2)] as number;
}

const round = (v: number, d = 2) => Number(v.toFixed(d));
const N = 512;
const flops = 2 * N ** 3;
const gflops = (ms: number) => round(flops / (ms * 1e6));

function matmulSuite(reps: number) {
  const a = tf.randomNormal([N, N], 0, 1, 'float32', 1);
  const b = tf.randomNormal([N, N], 0, 1, 'float32', 2);
  const bT = tf.transpose(b);
  const aT = tf.transpose(a);
  const r = {
    nn_ms: time(() => tf.matMul(a, b), reps),
    nt_flag_ms: time(() => tf.matMul(a, bT, false, true), reps),
    nt_explicit_ms: time(() => tf.matMul(a, tf.transpose(bT)), reps),
    tn_flag_ms: time(() => tf.matMul(aT, b, true, false), reps),
    tn_explicit_ms: time(() => tf.matMul(tf.transpose(aT), b), reps),
  };
  tf.dispose([a, b, aT, bT]);
  return Object.fromEntries(Object.entries(r).map(([k, v]) => [k, round(v)]));
}

// Shapes of a conv1d layer's backward pass: batch 32, length 64, 128 → 128 channels, width 3.
const convShapes = { x: [32, 1, 64, 128], w: [1, 3, 128, 128] } as const;
const backpropInputAttrs = { strides: 1, pad: 'same', dataFormat: 'NHWC', inputShape: [...convShapes.x] };
function backpropInputTime(reps: number): number {
  const dy = tf.randomNormal([...convShapes.x], 0, 1, 'float32', 7);
  const w = tf.randomNormal([...convShapes.w], 0, 0.1, 'float32', 8);
  const ms = time(
    () => tf.engine().runKernel('Conv2DBackpropInput', { dy, filter: w }, backpropInputAttrs) as Tensor,
    reps,
  );
  tf.dispose([dy, w]);
  return round(ms);
}

// 1. wasm exactly as tfjs-backend-wasm ships it (no @nerima/core kernels yet).
await tf.setBackend('wasm');
const wasmRaw = matmulSuite(7);
const backpropInputShipped = backpropInputTime(3);

// 2. wasm after initBackend (matMul wrapper, UnsortedSegmentSum, Conv2DBackpropFilter/Input).
const info = await core.initBackend({ backend: 'wasm' });
const wasmNerima = matmulSuite(7);
const backpropInputNerima = backpropInputTime(5);

// 3. whole gradients on wasm: a conv1d layer (x and w) and an embedding table.
const x = tf.randomNormal([32, 64, 128], 0, 1, 'float32', 3);
const w = tf.randomNormal([3, 128, 128], 0, 0.1, 'float32', 4);
const emb = tf.randomNormal([20000, 128], 0, 0.1, 'float32', 5);
const ids = tf.randomUniform([32, 64], 0, 20000, 'int32', 6);
const conv = (xx: Tensor, ww: Tensor) => tf.conv1d(xx as never, ww as never, 1, 'same');
const convForward = round(time(() => conv(x, w), 5));
const convGrads = round(time(() => tf.grads((xx: Tensor, ww: Tensor) => tf.sum(conv(xx, ww)))([x, w]), 5));
const embGrad = round(time(() => tf.grad((e: Tensor) => tf.sum(tf.square(tf.gather(e, ids))))(emb), 5));
tf.dispose([x, w, emb, ids]);

// 4. cpu, the same matMul (fewer repetitions: it is slow).
await tf.setBackend('cpu');
const a = tf.randomNormal([N, N], 0, 1, 'float32', 1);
const b = tf.randomNormal([N, N], 0, 1, 'float32', 2);
const cpuNn = time(() => tf.matMul(a, b), 3, 1);
tf.dispose([a, b]);

const metrics = {
  matmul_512: {
    wasm_gflops: gflops(wasmNerima.nn_ms as number),
    cpu_gflops: gflops(cpuNn),
    wasm_ms: wasmNerima.nn_ms,
    cpu_ms: round(cpuNn),
  },
  wasm_transpose_flags_512: {
    tfjs_kernel: wasmRaw,
    with_nerima_wrapper: wasmNerima,
    nt_flag_slowdown_vs_explicit_tfjs_kernel: round(
      (wasmRaw.nt_flag_ms as number) / (wasmRaw.nt_explicit_ms as number),
      1,
    ),
    tn_flag_slowdown_vs_explicit_tfjs_kernel: round(
      (wasmRaw.tn_flag_ms as number) / (wasmRaw.tn_explicit_ms as number),
      1,
    ),
  },
  wasm_conv1d_b32_l64_c128_k3: {
    forward_ms: convForward,
    backprop_input_kernel_tfjs_ms: backpropInputShipped,
    backprop_input_kernel_nerima_ms: backpropInputNerima,
    grads_x_and_w_ms: convGrads,
  },
  wasm_embedding_grad_v20000_d128_n2048_ms: embGrad,
};

const commit = gitCommit();

const result = {
  command: 'pnpm exec tsx --conditions=@nerima/source bench/backend/matmul.ts',
  commit,
  date: new Date().toISOString(),
  backend: info,
  machine: {
    node: process.version,
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model,
    loadAverage1m: round(loadavg()[0] ?? 0),
  },
  notes:
    'Median ms per op incl. dataSync. The machine is shared (see loadAverage1m), so absolute numbers are noisy; ratios are the point.',
  metrics,
};
mkdirSync(new URL('../results/', import.meta.url), { recursive: true });
writeFileSync(new URL('../results/backend.json', import.meta.url), `${JSON.stringify(result, null, 2)}\n`);
console.log(JSON.stringify(result, null, 2));
