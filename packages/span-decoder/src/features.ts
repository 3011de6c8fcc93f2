/** Turning encoder output into the decoder's input features. */
import type { PreparedBatch, TextEncoder } from '@nerima/encoder';
import * as tf from '@tensorflow/tfjs-core';

/**
 * How the encoder's three levels feed the decoder: `'combine'` uses `encoder.combine` (weighted
 * mean, width `dim`), `'concat'` concatenates char, word and context (width `3 · dim`).
 */
export type FeatureMode = 'combine' | 'concat';

/** Width of the decoder input for an encoder of width `dim`. */
export function featureDim(dim: number, mode: FeatureMode): number {
  return mode === 'concat' ? 3 * dim : dim;
}

/** Encodes a prepared batch into decoder features [B, T, D]. Synchronous: call inside tidy / grad. */
export function encodeFeatures(
  encoder: TextEncoder,
  batch: PreparedBatch,
  mode: FeatureMode,
  options: { training?: boolean; levelWeights?: tf.Tensor1D } = {},
): tf.Tensor3D {
  return tf.tidy(() => {
    const f = encoder.encode(batch, options);
    if (mode === 'concat') return tf.concat([f.char, f.word, f.context], 2) as tf.Tensor3D;
    return encoder.combine(f, options.levelWeights);
  });
}
