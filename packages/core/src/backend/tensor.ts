/**
 * Tensor type aliases for all nerima packages, so signatures read the same everywhere. Types
 * only: packages import `@tensorflow/tfjs-core` themselves for the ops (one instance, the one
 * `@nerima/core` depends on, pinned to 4.22.0).
 */
export type {
  DataType,
  NamedTensorMap,
  Rank,
  Scalar,
  Tensor,
  Tensor1D,
  Tensor2D,
  Tensor3D,
  Tensor4D,
  Variable,
} from '@tensorflow/tfjs-core';
