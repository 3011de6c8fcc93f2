/**
 * `UnsortedSegmentSum` for the wasm backend (missing there) and a linear-time replacement for the
 * cpu backend's (which loops once per segment: O(numSegments × size)). It is the kernel behind
 * the gradient of `gather`, i.e. of every embedding lookup.
 */

import type { KernelConfig, KernelFunc, TensorInfo, TypedArray } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';
import type { CpuBackendLike, WasmBackendLike } from './backend-types.js';

interface SegmentArgs {
  x: TensorInfo;
  segmentIds: TensorInfo;
  numSegments: number;
  outShape: number[];
  inner: number;
}

function parseArgs(params: Parameters<KernelFunc>[0]): SegmentArgs {
  const x = params.inputs['x'];
  const segmentIds = params.inputs['segmentIds'];
  const numSegments = params.attrs?.['numSegments'];
  if (x === undefined || segmentIds === undefined || typeof numSegments !== 'number') {
    throw new Error('UnsortedSegmentSum: expected inputs {x, segmentIds} and attr numSegments');
  }
  if (x.dtype !== 'float32' && x.dtype !== 'int32') {
    throw new Error(`UnsortedSegmentSum: x must be float32 or int32, got ${x.dtype}`);
  }
  const idsRank = segmentIds.shape.length;
  for (let i = 0; i < idsRank; i++) {
    if (segmentIds.shape[i] !== x.shape[i]) {
      throw new Error(
        `UnsortedSegmentSum: segmentIds shape [${segmentIds.shape}] must be a prefix of x shape [${x.shape}]`,
      );
    }
  }
  const inner = tf.util.sizeFromShape(x.shape.slice(idsRank));
  return { x, segmentIds, numSegments, inner, outShape: [numSegments, ...x.shape.slice(idsRank)] };
}

/**
 * out[s, j] = Σ_{i : ids[i] = s} x[i, j]; ids outside [0, numSegments) are dropped (as TF drops
 * negative ids, and as the cpu kernel ignores both). `out` must be zeroed.
 */
export function segmentSumInto(
  x: TypedArray,
  ids: TypedArray,
  inner: number,
  numSegments: number,
  out: TypedArray,
): void {
  const n = ids.length;
  for (let i = 0; i < n; i++) {
    const s = ids[i] as number;
    if (s < 0 || s >= numSegments) continue;
    const src = i * inner;
    const dst = s * inner;
    for (let j = 0; j < inner; j++) out[dst + j] = (out[dst + j] as number) + (x[src + j] as number);
  }
}

const wasmKernel: KernelFunc = (params) => {
  const a = parseArgs(params);
  const backend = params.backend as WasmBackendLike;
  const out = backend.makeOutput(a.outShape, a.x.dtype);
  // Views only after the last allocation (an allocation may grow and detach the heap).
  const outView = backend.typedArrayFromHeap(out);
  outView.fill(0);
  segmentSumInto(
    backend.typedArrayFromHeap(a.x),
    backend.typedArrayFromHeap(a.segmentIds),
    a.inner,
    a.numSegments,
    outView,
  );
  return out;
};

const cpuKernel: KernelFunc = (params) => {
  const a = parseArgs(params);
  const backend = params.backend as CpuBackendLike;
  const out =
    a.x.dtype === 'int32'
      ? new Int32Array(a.numSegments * a.inner)
      : new Float32Array(a.numSegments * a.inner);
  segmentSumInto(
    backend.readSync(a.x.dataId) as TypedArray,
    backend.readSync(a.segmentIds.dataId) as TypedArray,
    a.inner,
    a.numSegments,
    out,
  );
  return backend.makeTensorInfo(a.outShape, a.x.dtype, out);
};

export const unsortedSegmentSumWasm: KernelConfig = {
  kernelName: 'UnsortedSegmentSum',
  backendName: 'wasm',
  kernelFunc: wasmKernel,
};

export const unsortedSegmentSumCpu: KernelConfig = {
  kernelName: 'UnsortedSegmentSum',
  backendName: 'cpu',
  kernelFunc: cpuKernel,
};
