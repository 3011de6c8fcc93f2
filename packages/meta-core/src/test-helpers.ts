/**
 * Test-only helpers (not exported from the package): a tiny deterministic stand-in encoder that
 * follows the @nerima/encoder contract without weights or a dictionary, and backend setup.
 */
import { createRng, initBackend } from '@nerima/core';
import type { EncodedFeatures, EncodeOptions, PreparedBatch, TextEncoder } from '@nerima/encoder';
import * as tf from '@tensorflow/tfjs-core';
import { CHAR_CLASSES, charClass } from './stats.js';

let ready: Promise<unknown> | undefined;

/** The cpu backend (deterministic, no wasm files needed), once per process. */
export function setupBackend(): Promise<unknown> {
  ready ??= initBackend({ backend: 'cpu' });
  return ready;
}

/**
 * Char level: a fixed pseudo-random vector per character plus its class; word level: the mean over
 * a ±1 window; context level: the sentence mean plus the position's class. No variables.
 */
export class StandInEncoder implements TextEncoder {
  readonly dim: number;
  prepareCalls = 0;

  constructor(dim = 16) {
    this.dim = dim;
  }

  private vector(ch: string): number[] {
    const rng = createRng(`char:${ch}`);
    const v = Array.from({ length: this.dim }, () => rng.normal(0, 0.5));
    const cls = CHAR_CLASSES.indexOf(charClass(ch.charCodeAt(0)));
    v[cls % this.dim] = (v[cls % this.dim] as number) + 1.5;
    return v;
  }

  async prepare(texts: readonly string[]): Promise<PreparedBatch> {
    this.prepareCalls++;
    const B = texts.length;
    const lengths = texts.map((t) => t.length);
    const T = Math.max(1, ...lengths);
    const D = this.dim;
    const emb = new Float32Array(B * T * D);
    const mask = new Float32Array(B * T);
    texts.forEach((t, b) => {
      for (let i = 0; i < t.length; i++) {
        emb.set(this.vector(t[i] as string), (b * T + i) * D);
        mask[b * T + i] = 1;
      }
    });
    return { texts: [...texts], length: T, lengths, inputs: { emb, mask } };
  }

  encode(batch: PreparedBatch, _options?: EncodeOptions): EncodedFeatures {
    const B = batch.texts.length;
    const T = batch.length;
    return tf.tidy(() => {
      const mask = tf.tensor2d(batch.inputs['mask'] as Float32Array, [B, T]);
      const m3 = tf.expandDims(mask, 2);
      const char = tf.mul(
        tf.tensor3d(batch.inputs['emb'] as Float32Array, [B, T, this.dim]),
        m3,
      ) as tf.Tensor3D;
      if (T === 1) return { char, word: char.clone(), context: char.clone(), mask: mask as tf.Tensor2D };
      const left = tf.pad(tf.slice(char, [0, 0, 0], [B, T - 1, this.dim]), [
        [0, 0],
        [1, 0],
        [0, 0],
      ]);
      const right = tf.pad(tf.slice(char, [0, 1, 0], [B, T - 1, this.dim]), [
        [0, 0],
        [0, 1],
        [0, 0],
      ]);
      const word = tf.mul(tf.div(tf.addN([left, char, right]), 3), m3) as tf.Tensor3D;
      const mean = tf.div(tf.sum(char, 1, true), tf.maximum(tf.sum(m3, 1, true), 1));
      const context = tf.mul(tf.add(tf.mul(char, 0.5), mean), m3) as tf.Tensor3D;
      return { char, word, context, mask: mask as tf.Tensor2D };
    });
  }

  combine(features: EncodedFeatures, levelWeights?: tf.Tensor1D): tf.Tensor3D {
    const levels = [features.char, features.word, features.context];
    if (!levelWeights) return tf.mul(tf.addN(levels), 1 / 3) as tf.Tensor3D;
    return tf.addN(levels.map((x, i) => tf.mul(x, tf.slice(levelWeights, [i], [1])))) as tf.Tensor3D;
  }

  variables(): Map<string, tf.Variable> {
    return new Map();
  }

  dispose(): void {}
}
