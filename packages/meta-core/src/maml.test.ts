import { createRng, generateDemoCorpus, sampleEpisodes } from '@nerima/core';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { FeatureStore } from './features.js';
import {
  fastNames,
  innerLoop,
  type ModelParts,
  outerGradients,
  taskControl,
  taskStatistics,
} from './maml.js';
import {
  createVariables,
  type EpisodeTensors,
  type MetaModelOptions,
  makeConfig,
  makeEpisode,
} from './model.js';
import { StandInEncoder, setupBackend } from './test-helpers.js';

const corpus = generateDemoCorpus({ seed: 3, sentences: 120 });
const encoder = new StandInEncoder(8);
const store = new FeatureStore(encoder);

const SMALL: MetaModelOptions = {
  projDim: 8,
  // tanh: smooth, so central differences converge (relu kinks make them noisy).
  decoder: {
    startHidden: 8,
    endHidden: 8,
    biaffineRank: 2,
    widthDim: 4,
    spanDim: 8,
    maxWidth: 10,
    activation: 'tanh',
  },
  control: { hidden: 4, lrInit: [0.2, 0.2, 0.2, 0.2], lrMax: [1, 1, 1, 1] },
  dropout: 0,
};

async function setup(
  extra: MetaModelOptions,
): Promise<{ m: ModelParts; ep: EpisodeTensors; stats: Float32Array }> {
  const config = makeConfig(encoder.dim, { ...SMALL, ...extra });
  const vars = createVariables(config, createRng(5));
  // Make the control network's hidden layer matter (its output layer starts at zero).
  tf.tidy(() => {
    const w = vars.get('ctrl.o.w');
    if (w) w.assign(tf.randomNormal(w.shape, 0, 0.3, 'float32', 1));
  });
  const [e] = sampleEpisodes(corpus.train, { n: 2, k: 1, count: 1, seed: 2 });
  if (!e) throw new Error('no episode');
  const ep = await makeEpisode(store, e.support, e.query, e.types, config, createRng(1));
  const m = { config, encoder, vars };
  return { m, ep, stats: taskStatistics(m, ep, e.support) };
}

/** d loss / d (raw output `index` of the control network), by central differences on its output bias. */
function finiteDifference(
  m: ModelParts,
  ep: EpisodeTensors,
  stats: Float32Array,
  eps: number,
  index = 0,
): number {
  const bias = m.vars.get('ctrl.o.b') as tf.Variable;
  const base = bias.dataSync().slice();
  const lossAt = (delta: number): number => {
    const v = base.slice();
    v[index] = (v[index] as number) + delta;
    tf.tidy(() => bias.assign(tf.tensor1d(v)));
    const r = outerGradients(m, ep, stats);
    tf.dispose([...r.grads.values()]);
    return r.loss;
  };
  const d = (lossAt(eps) - lossAt(-eps)) / (2 * eps);
  tf.tidy(() => bias.assign(tf.tensor1d(base)));
  return d;
}

beforeAll(setupBackend);

describe('MAML outer gradients', () => {
  it('first order: the inner learning rate gets the exact gradient −⟨g, ∂L/∂θ′⟩ (one inner step)', async () => {
    const { m, ep, stats } = await setup({ innerSteps: 1 });
    const r = outerGradients(m, ep, stats);
    const analytic = (r.grads.get('ctrl.o.b') as tf.Tensor).dataSync()[0] as number;
    tf.dispose([...r.grads.values()]);
    const numeric = finiteDifference(m, ep, stats, 0.01);
    expect(Math.abs(numeric)).toBeGreaterThan(1e-4);
    expect(Math.abs(analytic - numeric)).toBeLessThan(0.05 * Math.abs(numeric));
    ep.dispose();
  });

  it('second order: differentiates through two inner steps (lr, scale and level weights match finite differences)', async () => {
    const { m, ep, stats } = await setup({ innerSteps: 2, order: 2 });
    const r = outerGradients(m, ep, stats);
    const analytic = (r.grads.get('ctrl.o.b') as tf.Tensor).dataSync();
    // Every slow weight gets a gradient, the control network included.
    for (const name of m.vars.keys()) expect(r.grads.has(name)).toBe(true);
    tf.dispose([...r.grads.values()]);
    // Outputs: 0-3 the group learning rates, 4 the scale, 5-7 the level weights.
    for (const index of [0, 4, 5]) {
      const numeric = finiteDifference(m, ep, stats, 0.01, index);
      expect(Math.abs(numeric)).toBeGreaterThan(1e-3);
      expect(Math.abs((analytic[index] as number) - numeric)).toBeLessThan(0.06 * Math.abs(numeric));
    }
    ep.dispose();
  });

  it('first and second order compute the same query loss', async () => {
    const a = await setup({ innerSteps: 2, order: 1 });
    const b = await setup({ innerSteps: 2, order: 2 });
    const ra = outerGradients(a.m, a.ep, a.stats);
    const rb = outerGradients(b.m, b.ep, b.stats);
    expect(ra.loss).toBeCloseTo(rb.loss, 4);
    tf.dispose([...ra.grads.values(), ...rb.grads.values()]);
    a.ep.dispose();
    b.ep.dispose();
  });

  it('inner steps lower the support loss and leave no tensors behind', async () => {
    const { m, ep, stats } = await setup({ innerSteps: 3 });
    const before = tf.memory().numTensors;
    const inner = innerLoop(m, ep, taskControl(m, stats), 4);
    expect(inner.losses.length).toBe(4);
    expect(inner.losses[3] as number).toBeLessThan(inner.losses[0] as number);
    expect([...inner.fast.keys()]).toEqual(fastNames(m));
    for (const t of inner.fast.values()) t.dispose();
    for (const t of inner.gradSum?.values() ?? []) t.dispose();
    expect(tf.memory().numTensors).toBe(before);
    ep.dispose();
  });
});
