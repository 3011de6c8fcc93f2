/**
 * Parameters as plain named tensors, so every forward function is pure: `(params, inputs) → outputs`.
 * Training passes the `tf.Variable`s themselves; MAML passes "fast weights" (tensors derived from the
 * variables inside `tf.grad`) under the same names.
 */
import type { Rng } from '@nerima/core';
import * as tf from '@tensorflow/tfjs-core';

/** Named parameters: `tf.Variable`s (training) or any tensors of the same shapes (fast weights). */
export type ParamMap = ReadonlyMap<string, tf.Tensor>;

/** Returns `params.get(name)`, or throws naming the missing parameter. */
export function param<T extends tf.Tensor = tf.Tensor>(params: ParamMap, name: string): T {
  const t = params.get(name);
  if (t === undefined) {
    throw new Error(
      `span-decoder: parameter "${name}" is missing from the parameter map (have: ${[...params.keys()].join(', ') || 'none'}); pass decoder.variables() or fast weights with the same names`,
    );
  }
  return t as T;
}

/** Glorot-uniform matrix [fanIn, fanOut] drawn from `rng` (deterministic across backends). */
export function glorot(rng: Rng, fanIn: number, fanOut: number): Float32Array {
  const limit = Math.sqrt(6 / (fanIn + fanOut));
  const out = new Float32Array(fanIn * fanOut);
  for (let i = 0; i < out.length; i++) out[i] = (rng.next() * 2 - 1) * limit;
  return out;
}

/** Small normal values (std `std`), for embeddings. */
export function normalInit(rng: Rng, size: number, std: number): Float32Array {
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) out[i] = rng.normal(0, std);
  return out;
}

let variableCounter = 0;

/** A process-unique tfjs variable name for the stable parameter name `name`. */
export function uniqueName(name: string): string {
  variableCounter += 1;
  return `span/${name}/${variableCounter}`;
}

/** Helper that creates named trainable variables into one map. */
export class VariableBuilder {
  readonly vars = new Map<string, tf.Variable>();
  constructor(
    private readonly rng: Rng,
    private readonly prefix: string,
  ) {}

  private add(name: string, values: Float32Array, shape: number[]): tf.Variable {
    const full = `${this.prefix}${name}`;
    if (this.vars.has(full)) throw new Error(`span-decoder: duplicate variable name ${full}`);
    // tfjs variable names are global: suffix a counter; the map key is the stable name.
    const v = tf.tidy(() => tf.variable(tf.tensor(values, shape, 'float32'), true, uniqueName(full)));
    this.vars.set(full, v);
    return v;
  }

  /** A dense layer: `${name}.w` [fanIn, fanOut] (Glorot) and `${name}.b` [fanOut] (zeros). */
  dense(name: string, fanIn: number, fanOut: number, withBias = true): void {
    this.add(`${name}.w`, glorot(this.rng, fanIn, fanOut), [fanIn, fanOut]);
    if (withBias) this.add(`${name}.b`, new Float32Array(fanOut), [fanOut]);
  }

  /** An embedding table [rows, dim] with N(0, std). */
  embedding(name: string, rows: number, dim: number, std = 0.1): void {
    this.add(name, normalInit(this.rng, rows * dim, std), [rows, dim]);
  }

  /** A tensor filled with `value`. */
  constant(name: string, shape: number[], value: number): void {
    const size = shape.reduce((a, b) => a * b, 1);
    this.add(name, new Float32Array(size).fill(value), shape);
  }
}

/** `x · w (+ b)` for x of any rank ≥ 2 (flattens the leading axes; no transpose flags). */
export function dense(params: ParamMap, name: string, x: tf.Tensor, withBias = true): tf.Tensor {
  const w = param<tf.Tensor2D>(params, `${name}.w`);
  const lead = x.shape.slice(0, -1);
  const inDim = x.shape[x.shape.length - 1] as number;
  const y2 = tf.matMul(tf.reshape(x, [-1, inDim]) as tf.Tensor2D, w);
  const y = withBias ? tf.add(y2, param(params, `${name}.b`)) : y2;
  return tf.reshape(y, [...lead, w.shape[1]]);
}

/** Activation by name. */
export type Activation = 'relu' | 'tanh' | 'gelu';

export function activate(x: tf.Tensor, act: Activation): tf.Tensor {
  switch (act) {
    case 'relu':
      return tf.relu(x);
    case 'tanh':
      return tf.tanh(x);
    case 'gelu': {
      // tanh approximation; composed from ops that have gradients on every backend.
      const inner = tf.mul(tf.add(x, tf.mul(tf.pow(x, 3), 0.044715)), Math.sqrt(2 / Math.PI));
      return tf.mul(tf.mul(x, 0.5), tf.add(tf.tanh(inner), 1));
    }
  }
}

/** Inverted dropout with a seeded tfjs seed (only when `rate > 0`). */
export function dropout(x: tf.Tensor, rate: number, seed: number | undefined): tf.Tensor {
  if (rate <= 0) return x;
  const keep = tf.cast(tf.greaterEqual(tf.randomUniform(x.shape, 0, 1, 'float32', seed), rate), 'float32');
  return tf.div(tf.mul(x, keep), 1 - rate);
}
