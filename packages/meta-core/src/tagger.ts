/**
 * The tagger an adaptation returns: adapted (fast) weights, the support prototypes (or the adapted
 * linear head), the task's level weights and scale; it scores starts, ends of kept starts and types
 * of kept spans, then decodes with @nerima/span-decoder's `decode` (nested spans kept, crossing
 * spans resolved by score).
 */
import type { EntityType, Prediction, Tagger } from '@nerima/core';
import type { TextEncoder } from '@nerima/encoder';
import {
  type CandidateSpan,
  collectCandidates,
  DEFAULT_DECODE_OPTIONS,
  type DecodeOptions,
  decode,
  flattenCandidates,
  selectStarts,
} from '@nerima/span-decoder';
import * as tf from '@tensorflow/tfjs-core';
import { disposeFeatures, type FeatureStore } from './features.js';
import {
  conditionedEndLogits,
  conditionedStartLogits,
  embed,
  type MetaModelConfig,
  type SupportProtos,
  typeLogits,
  typeRepresentations,
} from './model.js';
import type { ParamMap } from './params.js';

/** What an adaptation produced (the tagger owns `owned`). */
export interface AdaptedState {
  /** Slow variables merged with the adapted fast weights. */
  params: ParamMap;
  /** Support prototypes (prototype head) or null. */
  protos: SupportProtos | null;
  levelWeights: number[];
  scale: number;
  /** Types with support examples. */
  present: boolean[];
  /** Tensors freed by `dispose()`. */
  owned: tf.Tensor[];
}

/** Texts scored per forward pass. */
const CHUNK = 32;

/** Tags texts with an adapted model. */
export class EpisodeTagger implements Tagger {
  readonly types: readonly EntityType[];
  private disposed = false;

  constructor(
    private readonly config: MetaModelConfig,
    private readonly encoder: TextEncoder,
    private readonly store: FeatureStore,
    types: readonly EntityType[],
    private readonly state: AdaptedState,
    private readonly decodeOptions: DecodeOptions = DEFAULT_DECODE_OPTIONS,
  ) {
    this.types = [...types];
  }

  async predict(texts: readonly string[]): Promise<Prediction[][]> {
    if (this.disposed) throw new Error('EpisodeTagger.predict: the tagger was disposed');
    const out: Prediction[][] = [];
    for (let i = 0; i < texts.length; i += CHUNK) {
      const chunk = texts.slice(i, i + CHUNK);
      await this.store.ensure(chunk);
      out.push(...(await this.predictChunk(chunk)));
    }
    return out;
  }

  private async predictChunk(texts: readonly string[]): Promise<Prediction[][]> {
    const c = this.config;
    const o = this.decodeOptions;
    const K = c.decoder.maxWidth;
    const { params, protos } = this.state;
    const feats = this.store.batch(texts);
    const T = feats.mask.shape[1];
    const lengths = texts.map((t) => Math.min(t.length, T));
    const z = tf.tidy(() => embed(params, c, this.encoder, feats, tf.tensor1d(this.state.levelWeights)));
    disposeFeatures(feats);
    try {
      const present = this.state.present;
      const startT = tf.tidy(() => tf.sigmoid(conditionedStartLogits(params, c, z, protos, present)));
      const startProbs = (await startT.data()) as Float32Array;
      startT.dispose();
      const starts = selectStarts(startProbs, lengths, T, o.startThreshold);
      let perText: CandidateSpan[][] = texts.map(() => []);
      if (starts.batch.length > 0) {
        const endT = tf.tidy(() =>
          tf.sigmoid(conditionedEndLogits(params, c, z, starts, protos, present, texts)),
        );
        const endProbs = (await endT.data()) as Float32Array;
        endT.dispose();
        perText = collectCandidates(startProbs, endProbs, starts, lengths, T, K, o.endThreshold);
      }
      const { flat, spans } = flattenCandidates(perText, o.maxCandidatesPerText);
      if (flat.length > 0) {
        const withNone = c.nonEntity === 'threshold';
        const N = this.types.length;
        const offset = withNone ? 1 : 0;
        const probsT = tf.tidy(() => {
          const reps = typeRepresentations(params, c, z, spans, texts);
          const logits = typeLogits(
            params,
            c,
            reps,
            protos?.span ?? null,
            tf.scalar(this.state.scale),
            present,
            withNone,
            (c.typeBy === 'cues' ? protos?.cueNegatives : protos?.negatives) ?? null,
          );
          const p = tf.softmax(logits);
          // "none" = the none column (threshold mode; the decoder alone decides entity-ness in
          // 'decoder' mode) plus every known non-target type.
          const cols = p.shape[1];
          let none: tf.Tensor = tf.zeros([flat.length, 1]);
          if (withNone) none = tf.slice(p, [0, 0], [-1, 1]);
          if (cols > offset + N)
            none = tf.add(none, tf.sum(tf.slice(p, [0, offset + N], [-1, cols - offset - N]), 1, true));
          return tf.concat([none, tf.slice(p, [0, offset], [-1, N])], 1);
        });
        const probs = (await probsT.data()) as Float32Array;
        probsT.dispose();
        const C = N + 1;
        flat.forEach((cand, i) => {
          cand.typeProbs = probs.slice(i * C, (i + 1) * C);
        });
      }
      return texts.map((text, b) =>
        decode(
          {
            text,
            types: this.types,
            startProbs: startProbs.slice(b * T, b * T + (lengths[b] as number)),
            candidates: perText[b] as CandidateSpan[],
          },
          o,
        ),
      );
    } finally {
      z.dispose();
    }
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    tf.dispose(this.state.owned);
    const p = this.state.protos;
    if (p)
      tf.dispose([
        p.span,
        ...(p.start ? [p.start] : []),
        ...(p.negatives ? [p.negatives] : []),
        ...(p.cueNegatives ? [p.cueNegatives] : []),
      ]);
  }
}
