import { createRng } from '@nerima/core';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { defaultDecoderConfig, type SpanDecoderConfig } from './config.js';
import {
  boundaryLogits,
  createBoundaryVariables,
  endLogitsAt,
  endValidMask,
  spanRepresentations,
} from './forward.js';
import { softmaxCe, weightedBce } from './loss.js';
import { setupTestBackend } from './test-helpers.js';
import { computePrototypes, LinearTypeScorer, PrototypeTypeScorer, squaredDistances } from './type-scorer.js';

beforeAll(setupTestBackend);

function smallConfig(): SpanDecoderConfig {
  return {
    ...defaultDecoderConfig(6, ['A', 'B', 'C']),
    maxWidth: 4,
    startHidden: 5,
    endHidden: 7,
    biaffineRank: 3,
    widthDim: 2,
    spanDim: 8,
  };
}

function randomH(B: number, T: number, D: number, seed: number): tf.Tensor3D {
  const rng = createRng(seed);
  return tf.tensor3d(
    Float32Array.from({ length: B * T * D }, () => rng.normal()),
    [B, T, D],
  );
}

describe('boundary scorers', () => {
  it('gives start [B,T], end [B,T,K], and gathered ends equal the full rows', () => {
    const cfg = smallConfig();
    const vars = createBoundaryVariables(cfg, createRng(1));
    const h = randomH(2, 5, 6, 2);
    const { start, end } = boundaryLogits(vars, h, cfg);
    expect(start.shape).toEqual([2, 5]);
    expect(end.shape).toEqual([2, 5, 4]);
    const sub = endLogitsAt(vars, h, { batch: Int32Array.from([1, 0]), start: Int32Array.from([3, 0]) }, cfg);
    const full = end.arraySync();
    const got = sub.arraySync();
    expect(got[0]).toEqual(full[1]?.[3]);
    expect(got[1]).toEqual(full[0]?.[0]);
    tf.dispose([start, end, sub, h, ...vars.values()]);
  });

  it('masks ends past the text', () => {
    const m = endValidMask({ batch: Int32Array.from([0, 1]), start: Int32Array.from([2, 0]) }, [4, 1], 3);
    // text 0 length 4, start 2: widths 1, 2 fit, 3 does not; text 1 length 1: only width 1.
    expect(Array.from(m)).toEqual([1, 1, 0, 1, 0, 0]);
  });

  it('span representation of width 1 equals the hand-computed layer', () => {
    const cfg = { ...smallConfig(), activation: 'tanh' as const };
    const vars = createBoundaryVariables(cfg, createRng(3));
    const h = randomH(1, 3, 6, 4);
    const r = spanRepresentations(
      vars,
      h,
      { batch: Int32Array.from([0]), start: Int32Array.from([1]), end: Int32Array.from([2]) },
      cfg,
    );
    // Width 1: start, end and mean are all h[0,1]: tanh(h·(Ws + We + Wm) + bs + widthEmb[0]·Wwp).
    const expected = tf.tidy(() => {
      const x = tf.reshape(tf.slice(h, [0, 1, 0], [1, 1, 6]), [1, 6]);
      const w = tf.addN([vars.get('span.s.w')!, vars.get('span.e.w')!, vars.get('span.m.w')!]) as tf.Tensor2D;
      const wEmb = tf.slice(vars.get('span.width')!, [0, 0], [1, 2]) as tf.Tensor2D;
      return tf.tanh(
        tf.addN([
          tf.matMul(x, w),
          tf.reshape(vars.get('span.s.b')!, [1, -1]),
          tf.matMul(wEmb, vars.get('span.widthProj.w') as tf.Tensor2D),
        ]),
      );
    });
    const a = r.arraySync()[0]!;
    const b = (expected.arraySync() as number[][])[0]!;
    for (const [i, v] of a.entries()) expect(v).toBeCloseTo(b[i]!, 5);
    tf.dispose([r, expected, h, ...vars.values()]);
  });

  it('span representation uses the mean over the span', () => {
    const cfg = { ...smallConfig(), activation: 'tanh' as const };
    const vars = createBoundaryVariables(cfg, createRng(5));
    const h = randomH(1, 4, 6, 6);
    const r = spanRepresentations(
      vars,
      h,
      { batch: Int32Array.from([0]), start: Int32Array.from([0]), end: Int32Array.from([3]) },
      cfg,
    );
    const expected = tf.tidy(() => {
      const row = (i: number) => tf.reshape(tf.slice(h, [0, i, 0], [1, 1, 6]), [1, 6]) as tf.Tensor2D;
      const mean = tf.div(tf.addN([row(0), row(1), row(2)]), 3) as tf.Tensor2D;
      const wEmb = tf.slice(vars.get('span.width')!, [2, 0], [1, 2]) as tf.Tensor2D;
      return tf.tanh(
        tf.addN([
          tf.matMul(row(0), vars.get('span.s.w') as tf.Tensor2D),
          tf.reshape(vars.get('span.s.b')!, [1, -1]),
          tf.matMul(row(2), vars.get('span.e.w') as tf.Tensor2D),
          tf.matMul(mean, vars.get('span.m.w') as tf.Tensor2D),
          tf.matMul(wEmb, vars.get('span.widthProj.w') as tf.Tensor2D),
        ]),
      );
    });
    const a = r.arraySync()[0]!;
    const b = (expected.arraySync() as number[][])[0]!;
    for (const [i, v] of a.entries()) expect(v).toBeCloseTo(b[i]!, 5);
    tf.dispose([r, expected, h, ...vars.values()]);
  });

  it('rejects spans outside the text', () => {
    const cfg = smallConfig();
    const vars = createBoundaryVariables(cfg, createRng(1));
    const h = randomH(1, 3, 6, 1);
    expect(() =>
      spanRepresentations(
        vars,
        h,
        { batch: Int32Array.from([0]), start: Int32Array.from([2]), end: Int32Array.from([4]) },
        cfg,
      ),
    ).toThrow(/outside/);
    tf.dispose([h, ...vars.values()]);
  });
});

describe('type scorers', () => {
  it('linear scorer gives [S, 1 + numTypes]', () => {
    const s = new LinearTypeScorer({ numTypes: 3, dim: 8, rng: createRng(1) });
    const x = tf.ones([5, 8]) as tf.Tensor2D;
    const y = s.scores(x, s.variables());
    expect(y.shape).toEqual([5, 4]);
    expect([...s.variables().keys()]).toEqual(['type.linear.w', 'type.linear.b']);
    tf.dispose([x, y]);
    s.dispose();
  });

  it('prototype scorer: −scale·‖x−p‖², none = −scale·τ (threshold mode)', () => {
    const protos = tf.tensor2d([
      [0, 0],
      [3, 4],
    ]);
    const s = new PrototypeTypeScorer({
      numTypes: 2,
      dim: 2,
      rng: createRng(1),
      initScale: 2,
      initTau: 5,
      prototypes: protos,
    });
    const x = tf.tensor2d([
      [0, 0],
      [3, 0],
    ]);
    const y = s.scores(x, s.variables());
    expect(y.shape).toEqual([2, 3]);
    const v = y.arraySync();
    // row 0: none −2·5, d²=[0, 25]; row 1: d²=[9, 16].
    const want = [
      [-10, 0, -50],
      [-10, -18, -32],
    ];
    for (const [i, row] of want.entries())
      for (const [j, w] of row.entries()) expect(v[i]![j]).toBeCloseTo(w, 4);
    // Per-call prototypes from params override the stored ones.
    const other = tf.tensor2d([
      [3, 0],
      [0, 0],
    ]);
    const params = new Map<string, tf.Tensor>([...s.variables(), ['type.prototypes', other]]);
    const y2 = s.scores(x, params).arraySync();
    expect(y2[1]![1]).toBeCloseTo(0, 4);
    expect(y2[1]![2]).toBeCloseTo(-18, 4);
    tf.dispose([protos, x, y, other]);
    s.dispose();
  });

  it('prototype scorer with a null prototype competes like a type', () => {
    const s = new PrototypeTypeScorer({ numTypes: 3, dim: 4, rng: createRng(2), nullMode: 'prototype' });
    const protos = tf.zeros([3, 4]) as tf.Tensor2D;
    s.setPrototypes(protos);
    const x = tf.ones([6, 4]) as tf.Tensor2D;
    const y = s.scores(x, s.variables());
    expect(y.shape).toEqual([6, 4]);
    expect([...s.variables().keys()].sort()).toEqual(['type.proto.logScale', 'type.proto.null']);
    tf.dispose([protos, x, y]);
    s.dispose();
  });

  it('computes squared distances and class-mean prototypes', () => {
    const x = tf.tensor2d([
      [1, 0],
      [3, 0],
      [0, 2],
    ]);
    expect(squaredDistances(x, tf.tensor2d([[1, 0]])).arraySync()).toEqual([[0], [4], [5]]);
    const p = computePrototypes(x, Int32Array.from([0, 0, 1]), 3).arraySync();
    expect(p).toEqual([
      [2, 0],
      [0, 2],
      [0, 0],
    ]);
    x.dispose();
  });
});

describe('losses', () => {
  it('weighted BCE matches the hand computation', () => {
    const logits = tf.tensor1d([0, 2, -1]);
    // BCE(0, y=1) = ln 2; BCE(2, y=0) = softplus(2); BCE(−1, y=0) weight 0.
    const l = weightedBce(logits, Float32Array.from([1, 0, 0]), Float32Array.from([2, 1, 0])).arraySync();
    const want = (2 * Math.log(2) + Math.log(1 + Math.exp(2))) / 3;
    expect(l).toBeCloseTo(want, 5);
    logits.dispose();
  });

  it('softmax CE matches the hand computation', () => {
    const logits = tf.tensor2d([
      [0, 0],
      [Math.log(3), 0],
    ]);
    // row 0 label 1: −ln ½; row 1 label 0: −ln ¾.
    const l = softmaxCe(logits, Int32Array.from([1, 0])).arraySync();
    expect(l).toBeCloseTo((Math.log(2) + Math.log(4 / 3)) / 2, 5);
    logits.dispose();
  });
});
