/**
 * Functional building blocks over named variables. All ops are plain tfjs ops with gradients on the
 * cpu and wasm backends; matMuls get explicitly transposed operands (no transpose flags, which are
 * slow on wasm). Nothing here tidies: callers run inside tf.tidy / tf.grad.
 */
import * as tf from '@tensorflow/tfjs-core';

/** Source of normal / uniform deviates (the seeded RNG from @nerima/core fits). */
export interface RandomSource {
  next(): number;
  normal(mean?: number, std?: number): number;
}

export type Init =
  | { kind: 'zeros' }
  | { kind: 'ones' }
  | { kind: 'normal'; std: number }
  | { kind: 'glorot' };

/** A deterministic initial value for a variable of `shape`. */
export function initValues(shape: readonly number[], init: Init, rng: RandomSource): Float32Array {
  const size = shape.reduce((a, b) => a * b, 1);
  const out = new Float32Array(size);
  if (init.kind === 'zeros') return out;
  if (init.kind === 'ones') return out.fill(1);
  if (init.kind === 'normal') {
    for (let i = 0; i < size; i++) out[i] = rng.normal(0, init.std);
    return out;
  }
  const fanIn = shape.length >= 2 ? shape[shape.length - 2]! : shape[0]!;
  const fanOut = shape[shape.length - 1]!;
  const limit = Math.sqrt(6 / (fanIn + fanOut));
  for (let i = 0; i < size; i++) out[i] = (rng.next() * 2 - 1) * limit;
  return out;
}

/** x [N, in] · w [in, out] + b [out]. */
export function dense(x: tf.Tensor2D, w: tf.Tensor2D, b?: tf.Tensor1D): tf.Tensor2D {
  const y: tf.Tensor2D = tf.matMul(x, w);
  return b ? (tf.add(y, b) as tf.Tensor2D) : y;
}

/** Layer normalisation over the last axis. */
export function layerNorm<T extends tf.Tensor>(x: T, gain: tf.Tensor1D, bias: tf.Tensor1D, eps = 1e-5): T {
  const axis = x.rank - 1;
  const mean = tf.mean(x, axis, true);
  const centered = tf.sub(x, mean);
  const variance = tf.mean(tf.square(centered), axis, true);
  const normed = tf.mul(centered, tf.rsqrt(tf.add(variance, eps)));
  return tf.add(tf.mul(normed, gain), bias) as T;
}

/** GELU, sigmoid approximation x·σ(1.702x) (3x cheaper than the tanh form on wasm). */
export function gelu<T extends tf.Tensor>(x: T): T {
  return tf.mul(x, tf.sigmoid(tf.mul(x, 1.702))) as T;
}

/**
 * Shifts x [B, T, C] along time by `offset` (output[t] = x[t + offset], zeros outside).
 */
export function shiftTime(x: tf.Tensor3D, offset: number): tf.Tensor3D {
  if (offset === 0) return x;
  const [B, T, C] = x.shape;
  if (Math.abs(offset) >= T) return tf.zeros([B, T, C]);
  if (offset > 0) {
    const body = tf.slice(x, [0, offset, 0], [B, T - offset, C]);
    return tf.pad(body, [
      [0, 0],
      [0, offset],
      [0, 0],
    ]);
  }
  const body = tf.slice(x, [0, 0, 0], [B, T + offset, C]);
  return tf.pad(body, [
    [0, 0],
    [-offset, 0],
    [0, 0],
  ]);
}

/**
 * A 1-D convolution over time written as shifted copies + one matMul:
 * y[t] = Σ_k x[t + offsets[k]] · W_k + b, with w [len(offsets) * C, F]. Same as conv1d with 'same'
 * padding (and dilation = the spacing of `offsets`), but needs no Conv2DBackpropFilter kernel.
 */
export function convTime(
  x: tf.Tensor3D,
  offsets: readonly number[],
  w: tf.Tensor2D,
  b: tf.Tensor1D,
): tf.Tensor3D {
  const [B, T, C] = x.shape;
  const parts = offsets.map((o) => shiftTime(x, o));
  const cat = parts.length === 1 ? parts[0]! : tf.concat(parts, 2);
  const y = dense(tf.reshape(cat, [B * T, offsets.length * C]), w, b);
  return tf.reshape(y, [B, T, w.shape[1]]);
}

/** Time offsets of an n-gram window of `width` (left-leaning for even widths): 2 → [-1, 0], 3 → [-1, 0, 1]. */
export function windowOffsets(width: number, dilation = 1): number[] {
  const left = Math.floor(width / 2);
  const out: number[] = [];
  for (let k = 0; k < width; k++) out.push((k - left) * dilation);
  return out;
}

/** Dropout with an explicit seed (no-op when rate is 0). */
export function dropout<T extends tf.Tensor>(x: T, rate: number, seed: number): T {
  if (rate <= 0) return x;
  return tf.dropout(x, rate, undefined, seed) as T;
}

/**
 * Multi-head self-attention. x [B, T, D] (already normalised), keyBias [B, 1, 1, T] (0 for real keys,
 * -1e9 for padding). wQkv [D, 3D] (columns: Q, K, V), wOut [D, D].
 *
 * Written for wasm speed: Q, K, V come from three matMuls on column slices of wQkv (slicing the small
 * weight is cheap, slicing the [B*T, 3D] activations or a 5-D transpose is not), and K is transposed
 * once, explicitly, to [B*H, dh, T].
 */
export function selfAttention(
  x: tf.Tensor3D,
  keyBias: tf.Tensor4D,
  heads: number,
  wQkv: tf.Tensor2D,
  bQkv: tf.Tensor1D,
  wOut: tf.Tensor2D,
  bOut: tf.Tensor1D,
): tf.Tensor3D {
  const [B, T, D] = x.shape;
  const dh = D / heads;
  const x2 = tf.reshape(x, [B * T, D]) as tf.Tensor2D;
  const proj = (k: number) =>
    tf.reshape(dense(x2, tf.slice(wQkv, [0, k * D], [D, D]), tf.slice(bQkv, [k * D], [D])), [
      B,
      T,
      heads,
      dh,
    ]);
  const q = tf.reshape(tf.transpose(proj(0), [0, 2, 1, 3]), [B * heads, T, dh]);
  const kT = tf.reshape(tf.transpose(proj(1), [0, 2, 3, 1]), [B * heads, dh, T]);
  const v = tf.reshape(tf.transpose(proj(2), [0, 2, 1, 3]), [B * heads, T, dh]);
  const scores = tf.reshape(tf.mul(tf.matMul(q, kT), 1 / Math.sqrt(dh)), [B, heads, T, T]);
  const probs = tf.softmax(tf.add(scores, keyBias));
  const ctx = tf.matMul(tf.reshape(probs, [B * heads, T, T]), v); // [B*H, T, dh]
  const merged = tf.reshape(tf.transpose(tf.reshape(ctx, [B, heads, T, dh]), [0, 2, 1, 3]), [
    B * T,
    D,
  ]) as tf.Tensor2D;
  return tf.reshape(dense(merged, wOut, bOut), [B, T, D]);
}
