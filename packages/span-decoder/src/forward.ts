/**
 * Pure forward functions of the span decoder: `(params, features, indices) → logits`.
 *
 * Notation: h [B, T, D] are the per-character features, K = maxWidth. A span is `[start, end)` with
 * `end - start = k + 1`, k ∈ [0, K); its last character is `start + k`.
 *
 * - Start scorer: an MLP per position → logit [B, T].
 * - End-given-start scorer: for a start s and width index k,
 *   `v · act(P_s[s] + P_e[s+k] + W[k] + b) + (h_s U_q)·(h_{s+k} U_k)`.
 *   The additive part is exactly an MLP over the concatenation [h_s, h_e, h_e − h_s, width] (each
 *   term is linear in h_s, h_e, width, so the concat-matmul splits into per-position projections
 *   computed once); the low-rank biaffine part adds the multiplicative h_s ⊙ h_e interaction. The
 *   projections are computed once per position and broadcast over widths with one gather.
 * - Span representation: `act(A[s] + E[s+k] + mean_{i∈span} M[i] + W'[k] + b')` with the mean taken
 *   from a cumulative sum (again per-position projections, one gather per term).
 */
import type { Rng } from '@nerima/core';
import * as tf from '@tensorflow/tfjs-core';
import type { SpanDecoderConfig } from './config.js';
import { activate, dense, type ParamMap, param, VariableBuilder } from './params.js';

/** Positions (batch row, character index) used as starts. */
export interface StartIndex {
  batch: Int32Array;
  start: Int32Array;
}

/** Spans `[start, end)` in batch rows. */
export interface SpanIndex {
  batch: Int32Array;
  start: Int32Array;
  end: Int32Array;
}

/** Names of the boundary and span-representation variables (the type scorer adds its own). */
export function createBoundaryVariables(config: SpanDecoderConfig, rng: Rng): Map<string, tf.Variable> {
  const { inputDim: d, startHidden, endHidden, biaffineRank, widthDim, spanDim, maxWidth } = config;
  const b = new VariableBuilder(rng, '');
  b.dense('start.hidden', d, startHidden);
  b.dense('start.out', startHidden, 1);
  b.dense('end.s', d, endHidden);
  b.dense('end.e', d, endHidden, false);
  b.embedding('end.width', maxWidth, widthDim);
  b.dense('end.widthProj', widthDim, endHidden, false);
  b.dense('end.out', endHidden, 1);
  if (biaffineRank > 0) {
    b.dense('end.bq', d, biaffineRank, false);
    b.dense('end.bk', d, biaffineRank, false);
  }
  b.dense('span.s', d, spanDim);
  b.dense('span.e', d, spanDim, false);
  b.dense('span.m', d, spanDim, false);
  b.embedding('span.width', maxWidth, widthDim);
  b.dense('span.widthProj', widthDim, spanDim, false);
  return b.vars;
}

/** Start logits [B, T]. */
export function startLogits(params: ParamMap, h: tf.Tensor3D, config: SpanDecoderConfig): tf.Tensor2D {
  return tf.tidy(() => {
    const [B, T] = h.shape;
    const hidden = activate(dense(params, 'start.hidden', h), config.activation);
    return tf.reshape(dense(params, 'start.out', hidden), [B, T]) as tf.Tensor2D;
  });
}

/** Flattened gather rows for (batch, position) pairs, positions clamped to [0, T). */
function rowIndex(batch: Int32Array, pos: Int32Array, T: number, offset = 0): Int32Array {
  const out = new Int32Array(batch.length);
  for (let i = 0; i < out.length; i++) {
    const p = Math.min(Math.max((pos[i] as number) + offset, 0), T - 1);
    out[i] = (batch[i] as number) * T + p;
  }
  return out;
}

/**
 * End logits for the given starts: [G, K], column k scores the span `[start, start + k + 1)`.
 * Columns past the text's end are meaningless (mask them with {@link endValidMask}).
 */
export function endLogitsAt(
  params: ParamMap,
  h: tf.Tensor3D,
  starts: StartIndex,
  config: SpanDecoderConfig,
): tf.Tensor2D {
  const [B, T, D] = h.shape;
  const K = config.maxWidth;
  const G = starts.batch.length;
  if (G === 0) return tf.zeros([0, K]);
  const sIdx = rowIndex(starts.batch, starts.start, T);
  const eIdx = new Int32Array(G * K);
  for (let g = 0; g < G; g++) {
    const base = (starts.batch[g] as number) * T;
    const s = starts.start[g] as number;
    for (let k = 0; k < K; k++) eIdx[g * K + k] = base + Math.min(s + k, T - 1);
  }
  return tf.tidy(() => {
    const flat = tf.reshape(h, [B * T, D]);
    const sI = tf.tensor1d(sIdx, 'int32');
    const eI = tf.tensor1d(eIdx, 'int32');
    const hs = tf.gather(flat, sI); // [G, D]
    const he = tf.gather(flat, eI); // [G*K, D]
    const ps = tf.reshape(dense(params, 'end.s', hs), [G, 1, -1]);
    const pe = tf.reshape(dense(params, 'end.e', he, false), [G, K, -1]);
    const pw = tf.reshape(dense(params, 'end.widthProj', param(params, 'end.width'), false), [1, K, -1]);
    const hidden = activate(tf.add(tf.add(ps, pe), pw), config.activation);
    let logits = tf.reshape(dense(params, 'end.out', hidden), [G, K]);
    if (config.biaffineRank > 0) {
      const q = tf.reshape(dense(params, 'end.bq', hs, false), [G, 1, config.biaffineRank]);
      const k = tf.reshape(dense(params, 'end.bk', he, false), [G, K, config.biaffineRank]);
      logits = tf.add(logits, tf.sum(tf.mul(q, k), -1));
    }
    return logits as tf.Tensor2D;
  });
}

/** 1 where `start + k + 1 <= length` (the span fits in its text), else 0: [G * K]. */
export function endValidMask(starts: StartIndex, lengths: readonly number[], maxWidth: number): Float32Array {
  const G = starts.batch.length;
  const out = new Float32Array(G * maxWidth);
  for (let g = 0; g < G; g++) {
    const len = lengths[starts.batch[g] as number] as number;
    const s = starts.start[g] as number;
    for (let k = 0; k < maxWidth; k++) out[g * maxWidth + k] = s + k + 1 <= len ? 1 : 0;
  }
  return out;
}

/** Every position as a start: batch-major, [B*T] entries. */
export function allStarts(B: number, T: number): StartIndex {
  const batch = new Int32Array(B * T);
  const start = new Int32Array(B * T);
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T; t++) {
      batch[b * T + t] = b;
      start[b * T + t] = t;
    }
  }
  return { batch, start };
}

/** Start logits [B, T] and end logits for every start [B, T, K] (the full pure forward). */
export function boundaryLogits(
  params: ParamMap,
  h: tf.Tensor3D,
  config: SpanDecoderConfig,
): { start: tf.Tensor2D; end: tf.Tensor3D } {
  const [B, T] = h.shape;
  const start = startLogits(params, h, config);
  const endFlat = endLogitsAt(params, h, allStarts(B, T), config);
  const end = tf.reshape(endFlat, [B, T, config.maxWidth]) as tf.Tensor3D;
  endFlat.dispose();
  return { start, end };
}

/** Span representations [S, spanDim] for spans `[start, end)` (widths past maxWidth share the last width embedding). */
export function spanRepresentations(
  params: ParamMap,
  h: tf.Tensor3D,
  spans: SpanIndex,
  config: SpanDecoderConfig,
): tf.Tensor2D {
  const [B, T, D] = h.shape;
  const S = spans.batch.length;
  if (S === 0) return tf.zeros([0, config.spanDim]);
  const K = config.maxWidth;
  const sIdx = new Int32Array(S);
  const lastIdx = new Int32Array(S);
  const cumStart = new Int32Array(S);
  const cumEnd = new Int32Array(S);
  const widthIdx = new Int32Array(S);
  const invWidth = new Float32Array(S);
  for (let i = 0; i < S; i++) {
    const b = spans.batch[i] as number;
    const s = spans.start[i] as number;
    const e = spans.end[i] as number;
    if (!(e > s && s >= 0 && e <= T)) {
      throw new RangeError(
        `spanRepresentations: span ${i} [${s}, ${e}) in row ${b} is empty or outside [0, ${T})`,
      );
    }
    sIdx[i] = b * T + s;
    lastIdx[i] = b * T + e - 1;
    cumStart[i] = b * (T + 1) + s;
    cumEnd[i] = b * (T + 1) + e;
    widthIdx[i] = Math.min(e - s, K) - 1;
    invWidth[i] = 1 / (e - s);
  }
  return tf.tidy(() => {
    const flat = tf.reshape(h, [B * T, D]);
    const a = dense(params, 'span.s', tf.gather(flat, tf.tensor1d(sIdx, 'int32')));
    const e = dense(params, 'span.e', tf.gather(flat, tf.tensor1d(lastIdx, 'int32')), false);
    // Mean over the span of M h_i, from a cumulative sum with a zero row in front: [B, T+1, spanDim].
    const m = dense(params, 'span.m', h, false);
    const cum = tf.reshape(tf.concat([tf.zeros([B, 1, config.spanDim]), tf.cumsum(m, 1)], 1), [
      B * (T + 1),
      -1,
    ]);
    const sum = tf.sub(
      tf.gather(cum, tf.tensor1d(cumEnd, 'int32')),
      tf.gather(cum, tf.tensor1d(cumStart, 'int32')),
    );
    const mean = tf.mul(sum, tf.tensor2d(invWidth, [S, 1]));
    const wEmb = tf.gather(param(params, 'span.width'), tf.tensor1d(widthIdx, 'int32'));
    const w = dense(params, 'span.widthProj', wEmb, false);
    return activate(tf.addN([a, e, mean, w]), config.activation) as tf.Tensor2D;
  });
}
