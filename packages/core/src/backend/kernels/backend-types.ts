/**
 * The few methods of the wasm and cpu backends the custom kernels use. Declared here (rather
 * than imported from the backend packages) to keep kernel code independent of their internals.
 */
import type { BackendValues, DataId, DataType, TensorInfo } from '@tensorflow/tfjs-core';

/** The part of `BackendWasm` (tfjs-backend-wasm 4.22.0) used here. */
export interface WasmBackendLike {
  /** Allocates an output on the wasm heap (uninitialised memory). */
  makeOutput(shape: number[], dtype: DataType): TensorInfo;
  /** A view (no copy) of a tensor's heap memory; invalid after the next allocation. */
  typedArrayFromHeap(t: TensorInfo): Float32Array | Int32Array | Uint8Array;
  disposeData(dataId: DataId): boolean;
}

/** The part of `MathBackendCPU` (tfjs-backend-cpu 4.22.0) used here. */
export interface CpuBackendLike {
  readSync(dataId: DataId): BackendValues;
  makeTensorInfo(shape: number[], dtype: DataType, values?: BackendValues): TensorInfo;
}
