/** Helpers for this folder's tests (not exported from the package). */

import type { Tensor } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';
import { createRng } from '../rng.js';

/** `n` normal deviates × `scale`, reproducible from `seed`. */
export function randn(seed: string, n: number, scale = 1): Float32Array {
  const rng = createRng(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = rng.normal() * scale;
  return out;
}

/** `n` integers in [lo, hi), reproducible from `seed`. */
export function randint(seed: string, n: number, lo: number, hi: number): Int32Array {
  const rng = createRng(seed);
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = lo + rng.int(hi - lo);
  return out;
}

/** Runs `build` on `backend` (inside `tidy`) and returns copies of the results' values. */
export async function valuesOn(backend: 'wasm' | 'cpu', build: () => Tensor[]): Promise<Float32Array[]> {
  if (!(await tf.setBackend(backend))) throw new Error(`backend ${backend} failed to initialise`);
  const out = tf.tidy(build);
  const values = out.map((t) => Float32Array.from(t.dataSync()));
  tf.dispose(out);
  return values;
}

/** Largest |a − b| / (1 + |b|) over the elements (relative for large values, absolute near 0). */
export function maxRelDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Number.POSITIVE_INFINITY;
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs((a[i] as number) - (b[i] as number)) / (1 + Math.abs(b[i] as number));
    if (!(d <= worst)) worst = Number.isNaN(d) ? Number.POSITIVE_INFINITY : d;
  }
  return worst;
}
