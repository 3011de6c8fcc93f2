/**
 * Adam (Kingma & Ba) over named variables with gradient clipping by global norm. The state (moments
 * and step count) is keyed by parameter name, so it survives a checkpoint round trip regardless of
 * tfjs variable names.
 */
import * as tf from '@tensorflow/tfjs-core';
import { decodeFloats, encodeFloats, type ParamSnapshot } from './params.js';

/** Adam settings. */
export interface AdamOptions {
  learningRate: number;
  beta1?: number;
  beta2?: number;
  epsilon?: number;
  /** Clip gradients to this global L2 norm (0 or absent: no clipping). */
  clipNorm?: number;
}

/** Serialisable optimizer state. */
export interface AdamState {
  step: number;
  m: ParamSnapshot;
  v: ParamSnapshot;
}

/** Adam over a fixed set of named variables. */
export class Adam {
  private readonly m = new Map<string, tf.Tensor>();
  private readonly v = new Map<string, tf.Tensor>();
  step = 0;
  learningRate: number;
  private readonly beta1: number;
  private readonly beta2: number;
  private readonly epsilon: number;
  private readonly clipNorm: number;

  constructor(
    private readonly vars: ReadonlyMap<string, tf.Variable>,
    o: AdamOptions,
  ) {
    this.learningRate = o.learningRate;
    this.beta1 = o.beta1 ?? 0.9;
    this.beta2 = o.beta2 ?? 0.999;
    this.epsilon = o.epsilon ?? 1e-8;
    this.clipNorm = o.clipNorm ?? 0;
  }

  /**
   * Applies one update from `grads` (name → gradient; names without a variable are an error,
   * variables without a gradient are left alone). Returns the global gradient norm before clipping.
   * Does not dispose `grads`.
   */
  apply(grads: ReadonlyMap<string, tf.Tensor>): number {
    for (const name of grads.keys()) {
      if (!this.vars.has(name)) throw new Error(`Adam.apply: gradient for unknown parameter ${name}`);
    }
    const normT = tf.tidy(() => tf.sqrt(tf.addN([...grads.values()].map((g) => tf.sum(tf.square(g))))));
    const norm = normT.dataSync()[0] as number;
    normT.dispose();
    const factor = this.clipNorm > 0 && norm > this.clipNorm ? this.clipNorm / norm : 1;
    this.step += 1;
    const lrT = (this.learningRate * Math.sqrt(1 - this.beta2 ** this.step)) / (1 - this.beta1 ** this.step);
    for (const [name, g0] of grads) {
      const variable = this.vars.get(name) as tf.Variable;
      const oldM = this.m.get(name);
      const oldV = this.v.get(name);
      const [m, v] = tf.tidy(() => {
        const g = factor === 1 ? g0 : tf.mul(g0, factor);
        if (!Number.isFinite(norm))
          return [oldM ?? tf.zerosLike(g), oldV ?? tf.zerosLike(g)].map((t) => t.clone());
        const m1 = tf.add(tf.mul(oldM ?? tf.zerosLike(g), this.beta1), tf.mul(g, 1 - this.beta1));
        const v1 = tf.add(tf.mul(oldV ?? tf.zerosLike(g), this.beta2), tf.mul(tf.square(g), 1 - this.beta2));
        variable.assign(tf.sub(variable, tf.mul(tf.div(m1, tf.add(tf.sqrt(v1), this.epsilon)), lrT)));
        return [m1, v1];
      }) as [tf.Tensor, tf.Tensor];
      oldM?.dispose();
      oldV?.dispose();
      this.m.set(name, m);
      this.v.set(name, v);
    }
    return norm;
  }

  /** The state as plain arrays. */
  getState(): AdamState {
    const snap = (map: Map<string, tf.Tensor>): ParamSnapshot => {
      const out: ParamSnapshot = {};
      for (const [n, t] of map)
        out[n] = { shape: t.shape.slice(), data: encodeFloats(t.dataSync() as Float32Array) };
      return out;
    };
    return { step: this.step, m: snap(this.m), v: snap(this.v) };
  }

  /** Restores a state from {@link getState}. */
  setState(s: AdamState, where: string): void {
    this.dispose();
    this.step = s.step;
    for (const [map, snap] of [
      [this.m, s.m],
      [this.v, s.v],
    ] as const) {
      for (const [n, { shape, data }] of Object.entries(snap)) {
        const variable = this.vars.get(n);
        if (!variable)
          throw new Error(`${where}: optimizer state names parameter ${n}, which this model does not have`);
        if (shape.join(',') !== variable.shape.join(',')) {
          throw new Error(
            `${where}: optimizer state for ${n} has shape [${shape}], the parameter [${variable.shape}]`,
          );
        }
        map.set(n, tf.tensor(decodeFloats(data, `${where}: optimizer state ${n}`), shape));
      }
    }
  }

  /** Frees the moment tensors. */
  dispose(): void {
    for (const t of this.m.values()) t.dispose();
    for (const t of this.v.values()) t.dispose();
    this.m.clear();
    this.v.clear();
  }
}
