/**
 * The control network: task statistics → per-task inner learning rates (one per fast-weight group),
 * the prototype distance scale, and softmax weights over the encoder's char / word / context levels.
 *
 * A two-layer MLP (`stats → tanh(hidden) → raw`). Every output is bounded by construction:
 * `lr_g = lrMax_g · sigmoid(raw_g)`, `scale = scaleMin + (scaleMax − scaleMin) · sigmoid(raw)`,
 * `levels = softmax(raw)`. The output layer starts at zero weights with biases that give the
 * configured initial values, so an untrained control network behaves like fixed hyper-parameters.
 */
import type { Rng } from '@nerima/core';
import * as tf from '@tensorflow/tfjs-core';
import { dense, glorot, makeVariable, type ParamMap } from './params.js';
import { STATS_DIM } from './stats.js';

/** Control-network settings. */
export interface ControlConfig {
  /** Fast-weight groups, in output order. */
  groups: string[];
  /** Initial inner learning rate per group (same order as `groups`). */
  lrInit: number[];
  /** Upper bound of the inner learning rate per group. */
  lrMax: number[];
  /** Distance scale bounds and initial value. */
  scaleMin: number;
  scaleMax: number;
  scaleInit: number;
  /** Hidden width. */
  hidden: number;
}

/** What the control network outputs for one task. */
export interface ControlOutput {
  /** Inner learning rate per group, [G], each in (0, lrMax_g). */
  lrs: tf.Tensor1D;
  /** Prototype distance scale, scalar in (scaleMin, scaleMax). */
  scale: tf.Scalar;
  /** Softmax weights over the feature levels [3] (char, word, context). */
  levelWeights: tf.Tensor1D;
}

/** The same outputs as numbers (for reports and tests). */
export interface ControlValues {
  lrs: number[];
  scale: number;
  levelWeights: number[];
}

const logit = (p: number): number => Math.log(p / (1 - p));

/** Checks a config, naming the field that is wrong. */
export function validateControlConfig(c: ControlConfig): void {
  const G = c.groups.length;
  if (G === 0) throw new RangeError('control config: groups must name at least one fast-weight group');
  if (c.lrInit.length !== G || c.lrMax.length !== G) {
    throw new RangeError(
      `control config: lrInit and lrMax need one value per group (${G}: ${c.groups.join(', ')})`,
    );
  }
  c.lrInit.forEach((lr, i) => {
    const max = c.lrMax[i] as number;
    if (!(lr > 0 && lr < max)) {
      throw new RangeError(
        `control config: lrInit[${i}] (${c.groups[i]}) = ${lr} must be in (0, lrMax = ${max})`,
      );
    }
  });
  if (!(c.scaleMin > 0 && c.scaleInit > c.scaleMin && c.scaleInit < c.scaleMax)) {
    throw new RangeError(
      `control config: need 0 < scaleMin < scaleInit < scaleMax, got ${c.scaleMin}, ${c.scaleInit}, ${c.scaleMax}`,
    );
  }
  if (!Number.isInteger(c.hidden) || c.hidden <= 0) {
    throw new RangeError(`control config: hidden must be a positive integer, got ${c.hidden}`);
  }
}

/** Creates the control network's variables (`ctrl.*`). */
export function createControlVariables(c: ControlConfig, rng: Rng): Map<string, tf.Variable> {
  validateControlConfig(c);
  const G = c.groups.length;
  const out = G + 1 + 3;
  const bias = new Float32Array(out);
  c.lrInit.forEach((lr, i) => {
    bias[i] = logit(lr / (c.lrMax[i] as number));
  });
  bias[G] = logit((c.scaleInit - c.scaleMin) / (c.scaleMax - c.scaleMin));
  const vars = new Map<string, tf.Variable>();
  const add = (name: string, values: Float32Array, shape: number[]): void => {
    vars.set(name, makeVariable(name, values, shape));
  };
  add('ctrl.h.w', glorot(rng, STATS_DIM, c.hidden), [STATS_DIM, c.hidden]);
  add('ctrl.h.b', new Float32Array(c.hidden), [c.hidden]);
  add('ctrl.o.w', new Float32Array(c.hidden * out), [c.hidden, out]);
  add('ctrl.o.b', bias, [out]);
  return vars;
}

/** Forward pass (differentiable in the `ctrl.*` parameters). `stats` is [STATS_DIM]. */
export function controlForward(params: ParamMap, c: ControlConfig, stats: tf.Tensor1D): ControlOutput {
  const G = c.groups.length;
  const h = tf.tanh(dense(params, 'ctrl.h', tf.reshape(stats, [1, STATS_DIM])));
  const raw = tf.reshape(dense(params, 'ctrl.o', h), [G + 4]);
  const lrs = tf.mul(tf.sigmoid(tf.slice(raw, [0], [G])), tf.tensor1d(c.lrMax)) as tf.Tensor1D;
  const scale = tf.add(
    c.scaleMin,
    tf.mul(c.scaleMax - c.scaleMin, tf.sigmoid(tf.reshape(tf.slice(raw, [G], [1]), []))),
  ) as tf.Scalar;
  const levelWeights = tf.softmax(tf.slice(raw, [G + 1], [3])) as tf.Tensor1D;
  return { lrs, scale, levelWeights };
}

/** The outputs with every tensor disposed (for logging and tests). */
export function controlValues(params: ParamMap, c: ControlConfig, stats: Float32Array): ControlValues {
  const [lrs, scale, levelWeights] = tf.tidy(() => {
    const o = controlForward(params, c, tf.tensor1d(stats));
    return [o.lrs, o.scale, o.levelWeights];
  });
  const out = {
    lrs: Array.from(lrs.dataSync()),
    scale: scale.dataSync()[0] as number,
    levelWeights: Array.from(levelWeights.dataSync()),
  };
  tf.dispose([lrs, scale, levelWeights]);
  return out;
}

/** Fixed outputs equal to the configured initial values (the "without control network" ablation). */
export function fixedControl(c: ControlConfig): ControlOutput {
  return {
    lrs: tf.tensor1d(c.lrInit),
    scale: tf.scalar(c.scaleInit),
    levelWeights: tf.tensor1d([1 / 3, 1 / 3, 1 / 3]),
  };
}
