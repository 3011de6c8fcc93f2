/**
 * Helpers shared by the gradient definitions. Internal to the backend layer.
 *
 * The gradient formulas in this folder are ported from TensorFlow.js 4.22.0
 * (`tfjs-core/src/gradients/*_grad.ts`, Apache-2.0, Copyright Google LLC), with the changes noted
 * at each definition. They exist because `@tensorflow/tfjs-core`'s Node entry (`tf-core.node.js`)
 * registers no gradients and its `dist/register_all_gradients.js` cannot be loaded by Node's ESM
 * loader (extensionless relative imports).
 */

import type { NamedAttrMap, Tensor } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';

/** The i-th saved tensor; throws if the engine saved fewer (a bug in a `GradConfig`). */
export function saved(list: Tensor[], i: number, kernel: string): Tensor {
  const t = list[i];
  if (t === undefined) {
    throw new Error(`nerima gradient for ${kernel}: saved tensor #${i} is missing (got ${list.length})`);
  }
  return t;
}

/** The single upstream gradient of a one-output kernel. */
export function single(dy: Tensor | Tensor[], kernel: string): Tensor {
  if (Array.isArray(dy)) {
    const first = dy[0];
    if (dy.length !== 1 || first === undefined) {
      throw new Error(`nerima gradient for ${kernel}: expected one upstream gradient, got ${dy.length}`);
    }
    return first;
  }
  return dy;
}

/** All upstream gradients of a multi-output kernel (a one-output call yields a single tensor). */
export function many(dy: Tensor | Tensor[]): Tensor[] {
  return Array.isArray(dy) ? dy : [dy];
}

/** Typed view of kernel attributes. */
export function attrsOf<T>(attrs: NamedAttrMap): T {
  return attrs as unknown as T;
}

/** Sums `res` (of the broadcast shape `outShape`) down to `shape`: the gradient of broadcasting. */
export function sumToShape(res: Tensor, shape: number[], outShape: number[]): Tensor {
  const axes = tf.broadcast_util.getReductionAxes(shape, outShape);
  return tf.reshape(axes.length > 0 ? tf.sum(res, axes) : res, shape);
}

/** The broadcast output shape of a binary kernel's two inputs. */
export function broadcastShape(a: Tensor, b: Tensor): number[] {
  return tf.broadcast_util.assertAndGetBroadcastShape(a.shape, b.shape);
}

/** A float32 cast (no-op for float32 tensors, which `tf.cast` returns as a clone). */
export function f32(x: Tensor): Tensor {
  return tf.cast(x, 'float32');
}

/** Float32 zeros shaped like `x` (gradients must be float32, whatever the input's dtype). */
export function zerosF32(x: Tensor): Tensor {
  return tf.zeros(x.shape, 'float32');
}

/** `[h, w]` from a number-or-pair conv/pool parameter. */
export function pair(v: number | [number, number]): [number, number] {
  return typeof v === 'number' ? [v, v] : v;
}
