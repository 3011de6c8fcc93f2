import { createRng } from '@nerima/core';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { LEXICAL_DIM, LEXICAL_SLOT, lexicalFeatures, SCRIPT_CLASSES, scriptClass } from './lexical.js';
import { createVariables, makeConfig, typeDim, typeRepresentations } from './model.js';
import { setupBackend } from './test-helpers.js';

beforeAll(setupBackend);

const spansOf = (...s: Array<[number, number, number]>) => ({
  batch: Int32Array.from(s.map((x) => x[0])),
  start: Int32Array.from(s.map((x) => x[1])),
  end: Int32Array.from(s.map((x) => x[2])),
});
const slot = (v: Float32Array, row: number, k: number) =>
  Array.from(v.subarray(row * LEXICAL_DIM + k * LEXICAL_SLOT, row * LEXICAL_DIM + (k + 1) * LEXICAL_SLOT));
const dot = (a: number[], b: number[]) => a.reduce((s, x, i) => s + x * (b[i] as number), 0);

describe('lexical span features', () => {
  const texts = ['東京駅と大阪駅と京都市', 'ＡＢＣ社とABC社'];

  it('give spans with the same suffix the same last-character slot and unrelated ones near-orthogonal vectors', () => {
    const v = lexicalFeatures(texts, spansOf([0, 0, 3], [0, 4, 7], [0, 8, 11]));
    expect(v.length).toBe(3 * LEXICAL_DIM);
    expect(slot(v, 0, 0)).toEqual(slot(v, 1, 0)); // 駅 = 駅
    expect(dot(slot(v, 0, 0), slot(v, 0, 0))).toBeCloseTo(1, 5); // unit vector, weight 1
    expect(Math.abs(dot(slot(v, 0, 0), slot(v, 2, 0)))).toBeLessThan(0.6); // 駅 vs 市
    expect(slot(v, 0, 1)).not.toEqual(slot(v, 1, 1)); // 京駅 vs 阪駅
    // script classes: last and first character both kanji
    const cls = Array.from(v.subarray(3 * LEXICAL_SLOT, 3 * LEXICAL_SLOT + 2 * SCRIPT_CLASSES));
    expect(cls[0]).toBeGreaterThan(0);
    expect(cls[SCRIPT_CLASSES]).toBeGreaterThan(0);
    expect(cls.filter((x) => x > 0)).toHaveLength(2);
  });

  it('read full- and half-width forms alike (NFKC) and keep surrogate pairs whole', () => {
    const v = lexicalFeatures(texts, spansOf([1, 0, 4], [1, 5, 9]));
    expect(Array.from(v.subarray(0, LEXICAL_DIM))).toEqual(Array.from(v.subarray(LEXICAL_DIM)));
    const rare = '𠮷野家'; // 𠮷 is a surrogate pair: the span [0, 2) is one character
    const w = lexicalFeatures([rare, '𠮷'], spansOf([0, 0, 2], [1, 0, 2]));
    expect(Array.from(w.subarray(0, LEXICAL_DIM))).toEqual(Array.from(w.subarray(LEXICAL_DIM)));
    expect(scriptClass('𠮷')).toBe(0);
    expect(scriptClass('カ')).toBe(2);
    expect(scriptClass('7')).toBe(4);
  });

  it('is deterministic and names a span that points past the texts', () => {
    const a = lexicalFeatures(texts, spansOf([0, 0, 3]));
    const b = lexicalFeatures(texts, spansOf([0, 0, 3]));
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(() => lexicalFeatures(texts, spansOf([2, 0, 1]))).toThrow(/span 0 refers to text 2 of 2/);
  });
});

describe("typeFeatures 'span+z+lex'", () => {
  const config = makeConfig(4, {
    projDim: 2,
    decoder: { startHidden: 2, endHidden: 2, biaffineRank: 1, widthDim: 2, spanDim: 3, maxWidth: 4 },
    control: { hidden: 2 },
    typeFeatures: 'span+z+lex',
  });

  it('appends the lexical vector times exp(lex.logScale), which gets a gradient', () => {
    const vars = createVariables(config, createRng(1));
    expect(typeDim(config)).toBe(3 + 2 * 2 + LEXICAL_DIM);
    const z = tf.randomNormal([1, 4, 2], 0, 1, 'float32', 1) as tf.Tensor3D;
    const spans = spansOf([0, 0, 2], [0, 2, 4]);
    const before = tf.memory().numTensors;
    const reps = tf.tidy(() => typeRepresentations(vars, config, z, spans, ['東京駅前']));
    expect(reps.shape).toEqual([2, typeDim(config)]);
    const lex = lexicalFeatures(['東京駅前'], spans);
    const got = reps.arraySync();
    expect(got[0]?.slice(7, 7 + LEXICAL_DIM)).toEqual(Array.from(lex.subarray(0, LEXICAL_DIM)));
    reps.dispose();
    const scale = vars.get('lex.logScale') as tf.Variable;
    const g = tf.grad((s: tf.Tensor) => {
      const m = new Map<string, tf.Tensor>(vars);
      m.set('lex.logScale', s);
      return tf.sum(tf.square(typeRepresentations(m, config, z, spans, ['東京駅前'])));
    })(scale);
    expect(Math.abs(g.dataSync()[0] as number)).toBeGreaterThan(0);
    g.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(() => tf.tidy(() => typeRepresentations(vars, config, z, spans))).toThrow(/needs the texts/);
    z.dispose();
    for (const x of vars.values()) x.dispose();
  });
});
