import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { createRng, initBackend } from './deps.js';
import { createEncoder } from './index.js';
import { MlmHead } from './mlm.js';

// The wasm backend lacks some gradient kernels (gather → UnsortedSegmentSum) that @nerima/core registers.
const TEXTS = ['東京都に住む山田太郎さん', '𠮷野家で牛丼を食べた。', 'ＡＢＣ株式会社のｶﾀｶﾅ'];
const small = {
  dim: 32,
  dropout: 0,
  char: { embDim: 16, classDim: 4, convFilters: 8 },
  word: { embDim: 8, posDim: 4, biesDim: 4 },
  transformer: { layers: 1, heads: 4, ffnDim: 32, maxPositions: 64 },
};

beforeAll(async () => {
  const info = await initBackend({ backend: 'wasm' });
  expect(info.name).toBe('wasm');
});

describe('encoder on wasm', () => {
  it.each(['conv', 'transformer'] as const)(
    'gives a non-zero gradient to every variable (%s)',
    async (context) => {
      const enc = await createEncoder({ ...small, texts: TEXTS, context });
      const head = new MlmHead(enc, createRng(1));
      const batch = await enc.prepare(TEXTS);
      const vars = [...enc.variables().entries(), ...head.variables().map((v) => [v.name, v] as const)];
      const before = tf.memory().numTensors;
      const { grads, value } = tf.variableGrads(
        () =>
          tf.tidy(() => {
            const f = enc.encode(batch, { training: true });
            const rows = tf.reshape(f.context, [-1, 32]) as tf.Tensor2D;
            return tf.add(tf.mean(head.logits(rows)), tf.mean(tf.square(enc.combine(f)))) as tf.Scalar;
          }),
        vars.map(([, v]) => v),
      );
      value.dispose();
      for (const [name, v] of vars)
        expect(
          tf.tidy(() => tf.sum(tf.abs(grads[v.name]!)).dataSync()[0]),
          name,
        ).toBeGreaterThan(0);
      tf.dispose(grads);
      expect(tf.memory().numTensors).toBe(before);
      enc.dispose();
    },
  );
});
