/**
 * Wraps the wasm backend's `BatchMatMul` and `_FusedMatMul`:
 *
 * - When a transpose flag is set, the operand is transposed first with the wasm Transpose kernel
 *   and the product runs without flags. The wasm matmul with `transposeA`/`transposeB` is 10–40×
 *   slower than transpose + plain matmul (bench/backend/matmul.ts → bench/results/backend.json),
 *   and every matmul gradient uses the flags.
 * - `_FusedMatMul` with a bias: tfjs-backend-wasm 4.22.0 adds the bias wrongly when the batch has
 *   more than one matrix (rows after the first get a shifted bias) and rejects biases of rank > 1.
 *   Then the product runs unfused and bias and activation are applied with the Add and activation
 *   kernels.
 */

import type { KernelConfig, KernelFunc, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';
import type { WasmBackendLike } from './backend-types.js';

const WRAPPED = Symbol.for('nerima.wasmMatMulWrapper');

type Wrapped = KernelFunc & { [WRAPPED]?: KernelConfig };

function wasmKernel(name: string): KernelFunc {
  const k = tf.getKernel(name, 'wasm');
  if (k === undefined) throw new Error(`wasm ${name} kernel is not registered`);
  return k.kernelFunc;
}

function transposeLast2(t: TensorInfo, backend: object): TensorInfo {
  const rank = t.shape.length;
  const perm = t.shape.map((_, i) => i);
  perm[rank - 2] = rank - 1;
  perm[rank - 1] = rank - 2;
  return wasmKernel('Transpose')({ inputs: { x: t }, backend, attrs: { perm } }) as TensorInfo;
}

/** Applies a fused-op activation with the plain wasm kernels. */
function activate(
  x: TensorInfo,
  attrs: tf.NamedAttrMap,
  prelu: TensorInfo | undefined,
  backend: object,
): TensorInfo {
  const activation = (attrs['activation'] as string | undefined) ?? 'linear';
  switch (activation) {
    case 'linear':
      return x;
    case 'relu':
      return wasmKernel('Relu')({ inputs: { x }, backend }) as TensorInfo;
    case 'relu6':
      return wasmKernel('Relu6')({ inputs: { x }, backend }) as TensorInfo;
    case 'sigmoid':
      return wasmKernel('Sigmoid')({ inputs: { x }, backend }) as TensorInfo;
    case 'elu':
      return wasmKernel('Elu')({ inputs: { x }, backend }) as TensorInfo;
    case 'leakyrelu':
      return wasmKernel('LeakyRelu')({
        inputs: { x },
        backend,
        attrs: { alpha: (attrs['leakyreluAlpha'] as number | undefined) ?? 0.2 },
      }) as TensorInfo;
    case 'prelu':
      if (prelu === undefined)
        throw new Error('_FusedMatMul: prelu activation without preluActivationWeights');
      return wasmKernel('Prelu')({ inputs: { x, alpha: prelu }, backend }) as TensorInfo;
    default:
      throw new Error(`_FusedMatMul: unsupported activation '${activation}'`);
  }
}

function batchSize(a: TensorInfo, b: TensorInfo): number {
  const dims = tf.broadcast_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
  return tf.util.sizeFromShape(dims);
}

function wrap(original: KernelConfig): KernelConfig {
  const inner = original.kernelFunc;
  const fused = original.kernelName === '_FusedMatMul';
  const kernelFunc: Wrapped = (params) => {
    const attrs = params.attrs ?? {};
    const { backend } = params;
    const ta = attrs['transposeA'] === true;
    const tb = attrs['transposeB'] === true;
    const a = params.inputs['a'];
    const b = params.inputs['b'];
    const bias = fused ? params.inputs['bias'] : undefined;
    const unfuse =
      bias != null && a !== undefined && b !== undefined && (batchSize(a, b) > 1 || bias.shape.length !== 1);
    if ((!ta && !tb && !unfuse) || a === undefined || b === undefined) return inner(params);
    const temps: TensorInfo[] = [];
    const disposeTemps = () => {
      for (const t of temps) (backend as WasmBackendLike).disposeData(t.dataId);
    };
    try {
      const inputs: NamedTensorInfoMap = { ...params.inputs };
      if (ta) {
        inputs['a'] = transposeLast2(a, backend);
        temps.push(inputs['a']);
      }
      if (tb) {
        inputs['b'] = transposeLast2(b, backend);
        temps.push(inputs['b']);
      }
      const flat = { ...attrs, transposeA: false, transposeB: false };
      if (!unfuse) return inner({ inputs, backend, attrs: flat });
      // Unfused: product, then bias, then activation.
      const product = inner({
        inputs: { a: inputs['a'] as TensorInfo, b: inputs['b'] as TensorInfo },
        backend,
        attrs: { ...flat, activation: 'linear' },
      }) as TensorInfo;
      temps.push(product);
      const biased = wasmKernel('Add')({ inputs: { a: product, b: bias }, backend }) as TensorInfo;
      const out = activate(biased, attrs, params.inputs['preluActivationWeights'], backend);
      if (out !== biased) temps.push(biased);
      return out;
    } finally {
      disposeTemps();
    }
  };
  kernelFunc[WRAPPED] = original;
  return { ...original, kernelFunc };
}

/** The wrapped configs for the currently registered wasm kernels (empty when already wrapped). */
export function matMulWrappers(): KernelConfig[] {
  const out: KernelConfig[] = [];
  for (const name of ['BatchMatMul', '_FusedMatMul']) {
    const current = tf.getKernel(name, 'wasm');
    if (current === undefined || (current.kernelFunc as Wrapped)[WRAPPED] !== undefined) continue;
    out.push(wrap(current));
  }
  return out;
}

/** The original (unwrapped) wasm kernel, for benchmarks and tests. */
export function originalWasmKernel(name: 'BatchMatMul' | '_FusedMatMul'): KernelConfig | undefined {
  const current = tf.getKernel(name, 'wasm');
  if (current === undefined) return undefined;
  return (current.kernelFunc as Wrapped)[WRAPPED] ?? current;
}
