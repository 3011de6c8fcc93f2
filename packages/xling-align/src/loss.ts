/** InfoNCE with in-batch negatives, and the mask that keeps known translations out of the negatives. */
import * as tf from '@tensorflow/tfjs-core';

/** Options of {@link infoNce}. */
export interface InfoNceOptions {
  /**
   * [B, M] with 1 where column j must not count as a negative of row i (another translation of the
   * same name: see {@link falseNegativeMask}); the diagonal must be 0.
   */
  exclude?: tf.Tensor2D;
  /** Average the a→b and b→a losses (default true). The b→a direction uses the first B rows of b. */
  symmetric?: boolean;
}

/**
 * InfoNCE (CLIP-style) loss of paired, L2-normalised embeddings: row i of `a` should match row i of
 * `b` against every other row of `b` (the in-batch negatives, plus any extra rows of `b` beyond B,
 * e.g. hard negatives), with logits `scale · a bᵀ` (scale = 1/temperature). Synchronous: call inside
 * `tf.tidy` / `tf.variableGrads`.
 *
 * loss_a→b = mean_i [ logsumexp_j(s·a_i·b_j) − s·a_i·b_i ], symmetric: ½(loss_a→b + loss_b→a).
 */
export function infoNce(
  a: tf.Tensor2D,
  b: tf.Tensor2D,
  scale: tf.Scalar | number,
  options: InfoNceOptions = {},
): tf.Scalar {
  const [B, P] = a.shape;
  const [M, Pb] = b.shape;
  if (P !== Pb) throw new Error(`infoNce: a is [${a.shape}] and b is [${b.shape}]: widths differ`);
  if (M < B) throw new Error(`infoNce: b has ${M} rows, fewer than a's ${B}`);
  return tf.tidy(() => {
    // explicit transpose: the wasm matMul is much slower with transposeB
    let logits = tf.mul(tf.matMul(a, tf.transpose(b)), scale) as tf.Tensor2D;
    if (options.exclude) logits = tf.add(logits, tf.mul(options.exclude, -1e9)) as tf.Tensor2D;
    const bHead = M === B ? b : (tf.slice(b, [0, 0], [B, P]) as tf.Tensor2D);
    const positive = tf.mul(tf.sum(tf.mul(a, bHead), 1), scale);
    const rows = tf.mean(tf.sub(tf.logSumExp(logits, 1), positive));
    if (options.symmetric === false) return rows as tf.Scalar;
    const square = M === B ? logits : (tf.slice(logits, [0, 0], [B, B]) as tf.Tensor2D);
    const cols = tf.mean(tf.sub(tf.logSumExp(square, 0), positive));
    return tf.mul(tf.add(rows, cols), 0.5) as tf.Scalar;
  });
}

/** The identity of one side of a pair, for {@link falseNegativeMask}. */
export interface PairKeys {
  jaKey: string;
  key: string;
}

/**
 * [rows.length × cols.length] exclusion matrix (row-major, 1 = exclude) for {@link infoNce}: column
 * j is excluded for row i (j ≠ i) when it shares the Japanese name (a homograph: its counterpart is
 * also right) or the counterpart name (then it is the positive itself).
 */
export function falseNegativeMask(rows: readonly PairKeys[], cols: readonly PairKeys[]): Float32Array {
  const out = new Float32Array(rows.length * cols.length);
  rows.forEach((r, i) => {
    cols.forEach((c, j) => {
      if (i !== j && (r.jaKey === c.jaKey || r.key === c.key)) out[i * cols.length + j] = 1;
    });
  });
  return out;
}
