/**
 * SpanDecoder: owns the decoder variables (boundary scorers, span representation, type scorer) and
 * runs the three-stage scoring (starts → ends of kept starts → types of kept spans) on features.
 */
import { createRng, type Seed } from '@nerima/core';
import * as tf from '@tensorflow/tfjs-core';
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

    const sb: number[] = [];
    const ss: number[] = [];
    for (let b = 0; b < B; b++) {
      for (let s = 0; s < (lengths[b] as number); s++) {
        if ((startProbs[b * T + s] as number) >= o.startThreshold) {
          sb.push(b);
          ss.push(s);
        }
      }
    }
    const perText: CandidateSpan[][] = texts.map(() => []);
    if (sb.length > 0) {
      const starts = { batch: Int32Array.from(sb), start: Int32Array.from(ss) };
      const endT = tf.tidy(() => tf.sigmoid(endLogitsAt(params, h, starts, this.config)));
      const endProbs = (await endT.data()) as Float32Array;
      endT.dispose();
      for (let g = 0; g < sb.length; g++) {
        const b = sb[g] as number;
        const s = ss[g] as number;
        const ps = startProbs[b * T + s] as number;
        for (let k = 0; k < K && s + k + 1 <= (lengths[b] as number); k++) {
          const pe = endProbs[g * K + k] as number;
          if (pe >= o.endThreshold) {
            (perText[b] as CandidateSpan[]).push({
              start: s,
              end: s + k + 1,
              startProb: ps,
              endProb: pe,
              typeProbs: [],
            });
          }
        }
      }
    }
    const cb: number[] = [];
    const cs: number[] = [];
    const ce: number[] = [];
    const flat: CandidateSpan[] = [];
    for (let b = 0; b < B; b++) {
      let list = perText[b] as CandidateSpan[];
      if (list.length > o.maxCandidatesPerText) {
        list = list
          .sort(
            (x, y) => y.startProb * y.endProb - x.startProb * x.endProb || x.start - y.start || x.end - y.end,
          )
          .slice(0, o.maxCandidatesPerText);
        perText[b] = list;
      }
      for (const c of list) {
        cb.push(b);
        cs.push(c.start);
        ce.push(c.end);
        flat.push(c);
      }
    }
    if (flat.length > 0) {
      const spans = { batch: Int32Array.from(cb), start: Int32Array.from(cs), end: Int32Array.from(ce) };
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
