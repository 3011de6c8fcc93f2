/**
 * Pluggable span type scorers. Every scorer returns logits [S, 1 + numTypes]: column 0 is "not an
 * entity" (the O class), column i + 1 is type i. Softmax over a row gives type probabilities.
 */
import type { Rng } from '@nerima/core';
import * as tf from '@tensorflow/tfjs-core';
import { type ParamMap, param, VariableBuilder } from './params.js';

/** Scores span representations against entity types (plus the "none" class in column 0). */
export interface SpanTypeScorer {
  /** Number of entity types (the output has one more column, "none", in front). */
  readonly numTypes: number;
  /** Logits [S, 1 + numTypes] for span representations [S, d]. Pure: reads only `params` and its own config. */
  scores(spanReprs: tf.Tensor2D, params: ParamMap): tf.Tensor2D;
  /** This scorer's trainable variables (names start with `type.`). */
  variables(): Map<string, tf.Variable>;
  /** Frees its variables and kept tensors. */
  dispose(): void;
}

/** Options for {@link LinearTypeScorer}. */
export interface LinearTypeScorerOptions {
  numTypes: number;
  /** Width of the span representations. */
  dim: number;
  rng: Rng;
}

/** Supervised scorer: `x W + b` over [none, types]. Variables `type.linear.w` [d, 1+N], `type.linear.b`. */
export class LinearTypeScorer implements SpanTypeScorer {
  readonly numTypes: number;
  private readonly vars: Map<string, tf.Variable>;

  constructor(options: LinearTypeScorerOptions) {
    this.numTypes = options.numTypes;
    const b = new VariableBuilder(options.rng, 'type.');
    b.dense('linear', options.dim, options.numTypes + 1);
    this.vars = b.vars;
  }

  scores(spanReprs: tf.Tensor2D, params: ParamMap): tf.Tensor2D {
    return tf.tidy(() =>
      tf.add(
        tf.matMul(spanReprs, param<tf.Tensor2D>(params, 'type.linear.w')),
        param(params, 'type.linear.b'),
      ),
    );
  }

  variables(): Map<string, tf.Variable> {
    return this.vars;
  }

  dispose(): void {
    for (const v of this.vars.values()) v.dispose();
    this.vars.clear();
  }
}

/** How {@link PrototypeTypeScorer} scores "not an entity". */
export type NullMode = 'threshold' | 'prototype';

/** Options for {@link PrototypeTypeScorer}. */
export interface PrototypeTypeScorerOptions {
  numTypes: number;
  dim: number;
  rng: Rng;
  /**
   * `'threshold'` (default): the none logit is `−scale · τ` with a learned squared-distance threshold
   * τ = exp(`type.proto.logTau`), i.e. a span is "none" when its nearest prototype is further than τ.
   * `'prototype'`: a learned null prototype `type.proto.null` [d] competes like any other type.
   */
  nullMode?: NullMode;
  /** Initial scale of the negative squared distances (default 1). */
  initScale?: number;
  /** Initial squared-distance threshold τ (default: `dim`, i.e. 1 per dimension). */
  initTau?: number;
  /** Fixed prototypes [numTypes, d]; kept (a copy) until replaced or disposed. Override per call with `type.prototypes` in params. */
  prototypes?: tf.Tensor2D;
}

/**
 * Prototype scorer: logit_t = −scale · ‖x − p_t‖², with scale = exp(`type.proto.logScale`).
 * Prototypes come from `params.get('type.prototypes')` when present (e.g. computed from support
 * spans inside a MAML inner loop, see {@link computePrototypes}), else from {@link setPrototypes}.
 */
export class PrototypeTypeScorer implements SpanTypeScorer {
  readonly numTypes: number;
  readonly nullMode: NullMode;
  private readonly vars: Map<string, tf.Variable>;
  private prototypes: tf.Tensor2D | null = null;

  constructor(options: PrototypeTypeScorerOptions) {
    this.numTypes = options.numTypes;
    this.nullMode = options.nullMode ?? 'threshold';
    const b = new VariableBuilder(options.rng, 'type.');
    b.constant('proto.logScale', [1], Math.log(options.initScale ?? 1));
    if (this.nullMode === 'threshold')
      b.constant('proto.logTau', [1], Math.log(options.initTau ?? options.dim));
    else b.embedding('proto.null', 1, options.dim, 0.1);
    this.vars = b.vars;
    if (options.prototypes) this.setPrototypes(options.prototypes);
  }

  /** Replaces the stored prototypes [numTypes, d] (a kept copy; the caller still owns its tensor). */
  setPrototypes(prototypes: tf.Tensor2D): void {
    if (prototypes.shape[0] !== this.numTypes) {
      throw new RangeError(
        `PrototypeTypeScorer.setPrototypes: expected ${this.numTypes} rows, got ${prototypes.shape[0]}`,
      );
    }
    this.prototypes?.dispose();
    this.prototypes = tf.keep(tf.clone(prototypes));
  }

  /** The stored prototypes (owned by the scorer; do not dispose), or null. */
  getPrototypes(): tf.Tensor2D | null {
    return this.prototypes;
  }

  scores(spanReprs: tf.Tensor2D, params: ParamMap): tf.Tensor2D {
    const protos = (params.get('type.prototypes') as tf.Tensor2D | undefined) ?? this.prototypes;
    if (!protos) {
      throw new Error(
        'PrototypeTypeScorer.scores: no prototypes; call setPrototypes() or pass "type.prototypes" in params',
      );
    }
    return tf.tidy(() => {
      const scale = tf.exp(param(params, 'type.proto.logScale'));
      const typeLogits = tf.mul(tf.neg(squaredDistances(spanReprs, protos)), scale);
      let none: tf.Tensor;
      if (this.nullMode === 'threshold') {
        none = tf.reshape(tf.mul(tf.neg(tf.exp(param(params, 'type.proto.logTau'))), scale), [1, 1]);
        none = tf.tile(none, [spanReprs.shape[0], 1]);
      } else {
        none = tf.mul(
          tf.neg(squaredDistances(spanReprs, param<tf.Tensor2D>(params, 'type.proto.null'))),
          scale,
        );
      }
      return tf.concat([none, typeLogits], 1) as tf.Tensor2D;
    });
  }

  variables(): Map<string, tf.Variable> {
    return this.vars;
  }

  dispose(): void {
    for (const v of this.vars.values()) v.dispose();
    this.vars.clear();
    this.prototypes?.dispose();
    this.prototypes = null;
  }
}

/** ‖x_i − p_j‖² for x [S, d], p [N, d] → [S, N] (explicit transpose before matMul). */
export function squaredDistances(x: tf.Tensor2D, p: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    const xx = tf.sum(tf.square(x), 1, true); // [S, 1]
    const pp = tf.reshape(tf.sum(tf.square(p), 1), [1, -1]); // [1, N]
    const xp = tf.matMul(x, tf.transpose(p)); // [S, N]
    return tf.relu(tf.add(tf.sub(xx, tf.mul(xp, 2)), pp)) as tf.Tensor2D;
  });
}

/**
 * Class means of span representations: `labels[i]` ∈ [0, numTypes) is the type of row i (rows with
 * a label outside that range are ignored). Types with no row get a zero prototype. Differentiable.
 */
export function computePrototypes(spanReprs: tf.Tensor2D, labels: Int32Array, numTypes: number): tf.Tensor2D {
  const S = spanReprs.shape[0];
  if (labels.length !== S) throw new RangeError(`computePrototypes: ${labels.length} labels for ${S} rows`);
  const assign = new Float32Array(numTypes * S);
  const counts = new Float32Array(numTypes);
  for (let i = 0; i < S; i++) {
    const l = labels[i] as number;
    if (l >= 0 && l < numTypes) counts[l] = (counts[l] as number) + 1;
  }
  for (let i = 0; i < S; i++) {
    const l = labels[i] as number;
    if (l >= 0 && l < numTypes) assign[l * S + i] = 1 / (counts[l] as number);
  }
  return tf.tidy(() => tf.matMul(tf.tensor2d(assign, [numTypes, S]), spanReprs) as tf.Tensor2D);
}
