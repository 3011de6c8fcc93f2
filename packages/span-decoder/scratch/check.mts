import * as tf from '@tensorflow/tfjs-core';
import '/work/main/node_modules/.pnpm/@tensorflow+tfjs-backend-cpu@4.22.0_@tensorflow+tfjs-core@4.22.0/node_modules/@tensorflow/tfjs-backend-cpu/dist/tf-backend-cpu.node.js';
import '@tensorflow/tfjs-core/dist/register_all_gradients.js';
import { createRng } from '/work/main/packages/core/src/rng.ts';
import { defaultDecoderConfig } from '/work/main/packages/span-decoder/src/config.ts';
import {
  boundaryLogits,
  createBoundaryVariables,
  endLogitsAt,
  spanRepresentations,
} from '/work/main/packages/span-decoder/src/forward.ts';
import { jointLoss } from '/work/main/packages/span-decoder/src/loss.ts';
import { buildTargets } from '/work/main/packages/span-decoder/src/targets.ts';
import { LinearTypeScorer, PrototypeTypeScorer } from '/work/main/packages/span-decoder/src/type-scorer.ts';

await tf.setBackend('cpu');
const cfg = defaultDecoderConfig(8, ['A', 'B']);
cfg.maxWidth = 4;
const rng = createRng(1);
const vars = createBoundaryVariables(cfg, rng);
const h = tf.randomNormal([2, 6, 8]) as tf.Tensor3D;
const { start, end } = boundaryLogits(vars, h, cfg);
console.log(start.shape, end.shape);
const e2 = endLogitsAt(vars, h, { batch: Int32Array.from([1]), start: Int32Array.from([2]) }, cfg);
const endArr = (await end.array()) as number[][][];
const e2a = await e2.array();
console.log(endArr[1]![2], e2a[0]);
const reprs = spanRepresentations(
  vars,
  h,
  { batch: Int32Array.from([0, 1]), start: Int32Array.from([0, 2]), end: Int32Array.from([3, 6]) },
  cfg,
);
console.log(reprs.shape);
const lin = new LinearTypeScorer({ numTypes: 2, dim: cfg.spanDim, rng });
console.log(lin.scores(reprs, lin.variables()).shape);
const pro = new PrototypeTypeScorer({
  numTypes: 2,
  dim: cfg.spanDim,
  rng,
  prototypes: tf.randomNormal([2, cfg.spanDim]),
});
console.log(pro.scores(reprs, pro.variables()).shape);
const targets = buildTargets(
  [
    [
      { start: 0, end: 3, type: 'A' },
      { start: 0, end: 1, type: 'B' },
    ],
    [{ start: 2, end: 6, type: 'B' }],
  ],
  [6, 6],
  6,
  cfg,
  rng,
);
console.log(targets);
const all = new Map([...vars, ...lin.variables()]);
const before = tf.memory().numTensors;
const { value, grads } = tf.variableGrads(() => jointLoss(all, h, targets, cfg, lin).total);
console.log(value.dataSync(), Object.keys(grads).length, tf.memory().numTensors - before);
