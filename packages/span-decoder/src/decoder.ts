/**
 * SpanDecoder: owns the decoder variables (boundary scorers, span representation, type scorer) and
 * runs the three-stage scoring (starts → ends of kept starts → types of kept spans) on features.
 */
import { createRng, type Seed } from '@nerima/core';
import * as tf from '@tensorflow/tfjs-core';
import { collectCandidates, flattenCandidates, selectStarts } from './candidates.js';
import {
  DEFAULT_DECODE_OPTIONS,
  type DecodeOptions,
  type SpanDecoderConfig,
  validateConfig,
} from './config.js';
import type { CandidateSpan, TextSpanScores } from './decode.js';
import { createBoundaryVariables, endLogitsAt, spanRepresentations, startLogits } from './forward.js';
import { type JointLoss, jointLoss } from './loss.js';
import type { ParamMap } from './params.js';
import type { SpanTargets } from './targets.js';
import { LinearTypeScorer, PrototypeTypeScorer, type SpanTypeScorer } from './type-scorer.js';

/** Options for {@link SpanDecoder}. */
export interface SpanDecoderOptions {
  /** Seed for the weight initialisation (default 0). */
  seed?: Seed;
  /** A type scorer to use instead of the one named by `config.typeScorer`. */
  typeScorer?: SpanTypeScorer;
}

/** Scoring options: minimal thresholds for candidates and the per-text cap. */
export type ScoreOptions = Pick<DecodeOptions, 'startThreshold' | 'endThreshold' | 'maxCandidatesPerText'>;

/** The joint span decoder (see forward.ts for the maths). */
export class SpanDecoder {
  readonly config: SpanDecoderConfig;
  readonly typeScorer: SpanTypeScorer;
  private readonly boundary: Map<string, tf.Variable>;
  private disposed = false;

  constructor(config: SpanDecoderConfig, options: SpanDecoderOptions = {}) {
    validateConfig(config);
    this.config = config;
    const rng = createRng(options.seed ?? 0);
    this.boundary = createBoundaryVariables(config, rng.fork('boundary'));
    this.typeScorer =
      options.typeScorer ??
      (config.typeScorer === 'prototype'
        ? new PrototypeTypeScorer({
            numTypes: config.types.length,
            dim: config.spanDim,
            rng: rng.fork('type'),
          })
        : new LinearTypeScorer({
            numTypes: config.types.length,
            dim: config.spanDim,
            rng: rng.fork('type'),
          }));
    if (this.typeScorer.numTypes !== config.types.length) {
      throw new RangeError(
        `SpanDecoder: type scorer has ${this.typeScorer.numTypes} types, config.types has ${config.types.length}`,
      );
    }
  }

  /** All trainable variables by stable name (boundary `start.*`, `end.*`, `span.*` and `type.*`). */
  variables(): Map<string, tf.Variable> {
    return new Map([...this.boundary, ...this.typeScorer.variables()]);
  }

  /** The joint loss (see loss.ts); `params` defaults to this decoder's variables. */
  loss(h: tf.Tensor3D, targets: SpanTargets, params: ParamMap = this.variables()): JointLoss {
    return jointLoss(params, h, targets, this.config, this.typeScorer);
  }

  /**
   * Scores texts from their features h [B, T, D]: start probabilities everywhere, end
   * probabilities for starts ≥ startThreshold, type probabilities for spans whose end ≥
   * endThreshold (at most `maxCandidatesPerText`, highest P(start)·P(end) first).
   */
  async score(
    h: tf.Tensor3D,
    texts: readonly string[],
    options: Partial<ScoreOptions> = {},
    params: ParamMap = this.variables(),
  ): Promise<TextSpanScores[]> {
    const o = { ...DEFAULT_DECODE_OPTIONS, ...options };
    const [B, T] = h.shape;
    if (texts.length !== B)
      throw new RangeError(`SpanDecoder.score: ${texts.length} texts for a batch of ${B}`);
    const K = this.config.maxWidth;
    const lengths = texts.map((t) => Math.min(t.length, T));

    const startT = tf.tidy(() => tf.sigmoid(startLogits(params, h, this.config)));
    const startProbs = (await startT.data()) as Float32Array;
    startT.dispose();

    const starts = selectStarts(startProbs, lengths, T, o.startThreshold);
    let perText: CandidateSpan[][] = texts.map(() => []);
    if (starts.batch.length > 0) {
      const endT = tf.tidy(() => tf.sigmoid(endLogitsAt(params, h, starts, this.config)));
      const endProbs = (await endT.data()) as Float32Array;
      endT.dispose();
      perText = collectCandidates(startProbs, endProbs, starts, lengths, T, K, o.endThreshold);
    }
    const { flat, spans } = flattenCandidates(perText, o.maxCandidatesPerText);
    if (flat.length > 0) {
      const typeT = tf.tidy(() =>
        tf.softmax(this.typeScorer.scores(spanRepresentations(params, h, spans, this.config), params)),
      );
      const typeProbs = (await typeT.data()) as Float32Array;
      typeT.dispose();
      const C = this.config.types.length + 1;
      flat.forEach((c, i) => {
        c.typeProbs = typeProbs.slice(i * C, (i + 1) * C);
      });
    }
    return texts.map((text, b) => ({
      text,
      types: this.config.types,
      startProbs: startProbs.slice(b * T, b * T + (lengths[b] as number)),
      candidates: perText[b] as CandidateSpan[],
    }));
  }

  /** Frees all variables; safe to call twice. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const v of this.boundary.values()) v.dispose();
    this.boundary.clear();
    this.typeScorer.dispose();
  }
}
