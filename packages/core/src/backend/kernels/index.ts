/**
 * Registers nerima's kernels. Internal: {@link initBackend} calls it.
 *
 * - wasm `UnsortedSegmentSum`, `Conv2DBackpropFilter`: missing from tfjs-backend-wasm 4.22.0.
 * - wasm `Conv2DBackpropInput`: replaced (matmul + col2im; the shipped one is a slow direct loop).
 * - wasm `BatchMatMul`, `_FusedMatMul`: wrapped to transpose explicitly instead of using the
 *   slow transpose flags, and (fused) to add a bias correctly for batched products.
 * - cpu `UnsortedSegmentSum`: replaced by a linear-time version.
 */

import type { KernelConfig } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';
import { conv2DBackpropFilterWasm } from './conv2d-backprop-filter.js';
import { conv2DBackpropInputWasm } from './conv2d-backprop-input.js';
import { matMulWrappers } from './matmul.js';
import { unsortedSegmentSumCpu, unsortedSegmentSumWasm } from './unsorted-segment-sum.js';

const OURS: readonly KernelConfig[] = [
  unsortedSegmentSumWasm,
  conv2DBackpropFilterWasm,
  conv2DBackpropInputWasm,
  unsortedSegmentSumCpu,
];

function replace(config: KernelConfig): void {
  if (tf.getKernel(config.kernelName, config.backendName) !== undefined) {
    tf.unregisterKernel(config.kernelName, config.backendName);
  }
  tf.registerKernel(config);
}

/**
 * Registers (or re-registers) the kernels above; returns `backend/kernel` names registered by
 * this call. Safe to call more than once.
 */
export function registerKernels(): string[] {
  const done: string[] = [];
  for (const config of OURS) {
    if (tf.getKernel(config.kernelName, config.backendName)?.kernelFunc === config.kernelFunc) continue;
    replace(config);
    done.push(`${config.backendName}/${config.kernelName}`);
  }
  for (const config of matMulWrappers()) {
    replace(config);
    done.push(`${config.backendName}/${config.kernelName}`);
  }
  return done;
}

export { originalWasmKernel } from './matmul.js';
