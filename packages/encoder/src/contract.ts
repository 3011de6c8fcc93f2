/**
 * The contract between @nerima/encoder and its consumers (@nerima/span-decoder, @nerima/meta-core,
 * @nerima/xling-align). Change it only additively: several packages are written against it.
 */
import type * as tf from '@tensorflow/tfjs-core';

/** The three feature levels the control network weights. */
export type FeatureLevel = 'char' | 'word' | 'context';
export const FEATURE_LEVELS: readonly FeatureLevel[] = ['char', 'word', 'context'];

/**
 * Texts turned into padded integer/float inputs (no tensors yet: preparing may be async because
 * the morphological analyser loads its dictionary lazily). Positions are UTF-16 code units of the
 * original text, so a feature at position i belongs to `text[i]`.
 */
export interface PreparedBatch {
  texts: string[];
  /** Padded length T (max text length in the batch, at least 1). */
  length: number;
  /** Real lengths, one per text. */
  lengths: number[];
  /** Implementation-specific inputs (ids, classes, POS ids, gazetteer bits...), each flattened [B*T*(k)]. */
  inputs: Record<string, Int32Array | Float32Array>;
}

/** Per-character features at the three levels, each [B, T, dim] with the same `dim`. */
export interface EncodedFeatures {
  char: tf.Tensor3D;
  word: tf.Tensor3D;
  context: tf.Tensor3D;
  /** 1 for real positions, 0 for padding: [B, T]. */
  mask: tf.Tensor2D;
}

export interface EncodeOptions {
  /** Enables dropout. */
  training?: boolean;
  /**
   * Optional softmax weights over the levels ([3], order of FEATURE_LEVELS) used by `combine`.
   * A tensor so the control network's output stays differentiable.
   */
  levelWeights?: tf.Tensor1D;
}

/** A trainable text encoder. `encode` is synchronous tensor math: call it inside tf.tidy / tf.grad. */
export interface TextEncoder {
  /** Width of each level's output (all levels share it). */
  readonly dim: number;
  prepare(texts: readonly string[]): Promise<PreparedBatch>;
  encode(batch: PreparedBatch, options?: EncodeOptions): EncodedFeatures;
  /** Weighted sum of the levels (uniform weights when none are given): [B, T, dim]. */
  combine(features: EncodedFeatures, levelWeights?: tf.Tensor1D): tf.Tensor3D;
  /** Named trainable variables, stable names used in checkpoints. */
  variables(): Map<string, tf.Variable>;
  dispose(): void;
}
