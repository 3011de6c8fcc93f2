import { initBackend } from '@nerima/core';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { falseNegativeMask, infoNce } from './loss.js';

beforeAll(async () => {
  await initBackend({ backend: 'wasm' });
});

// a = I, b = [[0.6, 0.8], [0, 1]], scale 2: logits 2·a·bᵀ = [[1.2, 0], [1.6, 2]].
// rows: ln(e^1.2 + e^0) − 1.2 = 0.2632825, ln(e^1.6 + e^2) − 2 = 0.5130153  → mean 0.3881489
// cols: ln(e^1.2 + e^1.6) − 1.2 = 0.9130153, ln(e^0 + e^2) − 2 = 0.1269280  → mean 0.5199717
const A = [
  [1, 0],
  [0, 1],
];
const B = [
  [0.6, 0.8],
  [0, 1],
];

function loss(
  a: number[][],
  b: number[][],
  scale: number,
  o: { exclude?: number[][]; symmetric?: boolean } = {},
) {
  return tf.tidy(() => {
    const opts = {
      ...(o.exclude ? { exclude: tf.tensor2d(o.exclude) } : {}),
      ...(o.symmetric !== undefined ? { symmetric: o.symmetric } : {}),
    };
    return infoNce(tf.tensor2d(a), tf.tensor2d(b), tf.scalar(scale), opts).dataSync()[0] as number;
  });
}

describe('infoNce', () => {
  it('matches the hand-computed 2×2 case', () => {
    expect(loss(A, B, 2, { symmetric: false })).toBeCloseTo(0.388149, 5);
    expect(loss(A, B, 2)).toBeCloseTo((0.3881489 + 0.5199717) / 2, 5);
  });

  it('leaves excluded columns out of the negatives', () => {
    // row 0 loses its only negative (loss 0), column 1 loses row 0 (loss 0)
    const exclude = [
      [0, 1],
      [0, 0],
    ];
    expect(loss(A, B, 2, { exclude })).toBeCloseTo(((0 + 0.5130153) / 2 + (0.9130153 + 0) / 2) / 2, 5);
  });

  it('uses extra rows of b as additional negatives of the a→b direction', () => {
    // third row [1, 0]: row 0 logits [1.2, 0, 2], row 1 [1.6, 2, 0]
    const extra = [...B, [1, 0]];
    expect(loss(A, extra, 2, { symmetric: false })).toBeCloseTo(0.925648, 5);
    // the b→a direction still pairs only the first two rows
    expect(loss(A, extra, 2)).toBeGreaterThan(loss(A, B, 2));
  });

  it('frees its intermediates and rejects mismatched shapes', () => {
    const a = tf.tensor2d(A);
    const b = tf.tensor2d(B);
    const before = tf.memory().numTensors;
    const l = infoNce(a, b, 1);
    expect(tf.memory().numTensors).toBe(before + 1);
    l.dispose();
    expect(() => infoNce(a, tf.tensor2d([[1, 0, 0]]), 1)).toThrow(/widths differ/);
    expect(() => infoNce(a, tf.tensor2d([[1, 0]]), 1)).toThrow(/fewer than/);
    tf.dispose([a, b]);
  });
});

describe('falseNegativeMask', () => {
  it('excludes other translations of the same name and repeats of the counterpart', () => {
    const keys = [
      { jaKey: '松本清', key: 'matsumoto kiyoshi' },
      { jaKey: '松本清', key: 'matsumoto sei' },
      { jaKey: '松本潔', key: 'matsumoto kiyoshi' },
      { jaKey: '東京', key: 'tokyo' },
    ];
    expect([...falseNegativeMask(keys, keys)]).toEqual(
      [
        [0, 1, 1, 0],
        [1, 0, 0, 0],
        [1, 0, 0, 0],
        [0, 0, 0, 0],
      ].flat(),
    );
  });
});
