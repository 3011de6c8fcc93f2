import { createRng } from '@nerima/core';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { type ControlConfig, controlForward, controlValues, createControlVariables } from './control.js';
import { STATS_DIM, statsVector, supportStats } from './stats.js';
import { setupBackend } from './test-helpers.js';

const config: ControlConfig = {
  groups: ['proj', 'start', 'end', 'span'],
  lrInit: [0.05, 0.05, 0.05, 0.05],
  lrMax: [0.5, 0.5, 0.5, 0.5],
  scaleMin: 0.5,
  scaleMax: 200,
  scaleInit: 10,
  hidden: 8,
};

beforeAll(setupBackend);

describe('control network', () => {
  it('starts at the configured initial values', () => {
    const vars = createControlVariables(config, createRng(1));
    const out = controlValues(vars, config, new Float32Array(STATS_DIM).fill(0.3));
    for (const lr of out.lrs) expect(lr).toBeCloseTo(0.05, 5);
    expect(out.scale).toBeCloseTo(10, 4);
    for (const w of out.levelWeights) expect(w).toBeCloseTo(1 / 3, 6);
    for (const v of vars.values()) v.dispose();
  });

  it('stays within bounds for degenerate tasks (K = 1, one sentence) even with extreme weights', () => {
    const vars = createControlVariables(config, createRng(2));
    // Push the output layer far out so an unbounded parametrisation would leave the range.
    tf.tidy(() => {
      const w = vars.get('ctrl.o.w') as tf.Variable;
      w.assign(tf.mul(tf.randomNormal(w.shape, 0, 1, 'float32', 3), 1e3));
    });
    const oneSentence = supportStats(
      [{ id: 'a', text: '山田', entities: [{ start: 0, end: 2, type: 'PERSON' }] }],
      ['PERSON'],
      {
        initialLoss: 1e9,
        protoSpread: Number.NaN,
      },
    );
    for (const stats of [
      statsVector(oneSentence),
      new Float32Array(STATS_DIM),
      new Float32Array(STATS_DIM).fill(5),
    ]) {
      const out = controlValues(vars, config, stats);
      out.lrs.forEach((lr, i) => {
        expect(lr).toBeGreaterThanOrEqual(0);
        expect(lr).toBeLessThanOrEqual(config.lrMax[i] as number);
        expect(Number.isFinite(lr)).toBe(true);
      });
      expect(out.scale).toBeGreaterThanOrEqual(config.scaleMin);
      expect(out.scale).toBeLessThanOrEqual(config.scaleMax);
      expect(out.levelWeights.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
      expect(out.levelWeights.every((w) => w >= 0 && w <= 1)).toBe(true);
    }
    for (const v of vars.values()) v.dispose();
  });

  it('is differentiable: the scale output has a gradient in the output bias', () => {
    const vars = createControlVariables(config, createRng(3));
    const bias = vars.get('ctrl.o.b') as tf.Variable;
    const { grads } = tf.variableGrads(
      () => controlForward(vars, config, tf.ones([STATS_DIM])).scale,
      [bias],
    );
    const g = (grads[bias.name] as tf.Tensor).dataSync();
    // d scale / d raw_G = (max − min) · σ'(raw) at σ = (10 − 0.5) / 199.5
    const p = (10 - 0.5) / 199.5;
    expect(g[4]).toBeCloseTo(199.5 * p * (1 - p), 3);
    expect(g[0]).toBe(0);
    tf.dispose(Object.values(grads));
    for (const v of vars.values()) v.dispose();
  });
});
