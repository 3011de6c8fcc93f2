/**
 * Baseline: NNShot (Yang & Katiyar, EMNLP 2020) at character level. Every support character is
 * labelled with the type of the target mention covering it (the outermost one when nested) or O;
 * each query character takes the label of its nearest support character (squared Euclidean distance
 * of the projected features of a supervised span model); maximal runs of one type are the entities
 * (IO decoding).
 */
import type { EntityType, FewShotLearner, Prediction, Sentence, Tagger } from '@nerima/core';
import type { TextEncoder } from '@nerima/encoder';
import { squaredDistances } from '@nerima/span-decoder';
import * as tf from '@tensorflow/tfjs-core';
import { disposeFeatures, type FeatureStore } from '../features.js';
import { embed, type MetaModelConfig } from '../model.js';
import type { ParamMap } from '../params.js';

/** Where NNShot takes its representation from: a model with a `proj` layer over encoder features. */
export interface ProjectionSource {
  config: MetaModelConfig;
  encoder: TextEncoder;
  store: FeatureStore;
  vars: ParamMap;
}

const UNIFORM = [1 / 3, 1 / 3, 1 / 3];
const CHUNK = 32;

/** Character labels of a sentence: type index of the outermost covering target mention, −1 for O. */
export function charLabels(s: Sentence, types: readonly EntityType[]): Int32Array {
  const out = new Int32Array(s.text.length).fill(-1);
  const mentions = s.entities
    .map((e) => ({ ...e, t: types.indexOf(e.type) }))
    .filter((e) => e.t >= 0)
    .sort((a, b) => b.end - b.start - (a.end - a.start)); // longest first: outermost wins
  for (const e of mentions) {
    for (let i = e.start; i < e.end && i < out.length; i++) if (out[i] === -1) out[i] = e.t;
  }
  return out;
}

/** Maximal runs of one non-O label → entities. */
export function runsToEntities(text: string, labels: Int32Array, types: readonly EntityType[]): Prediction[] {
  const out: Prediction[] = [];
  let i = 0;
  while (i < labels.length) {
    const l = labels[i] as number;
    if (l < 0) {
      i++;
      continue;
    }
    let j = i + 1;
    while (j < labels.length && labels[j] === l) j++;
    out.push({ start: i, end: j, type: types[l] as EntityType, text: text.slice(i, j), score: 1 });
    i = j;
  }
  return out;
}

class NNShotTagger implements Tagger {
  readonly types: readonly EntityType[];
  private disposed = false;

  constructor(
    private readonly source: ProjectionSource,
    types: readonly EntityType[],
    private readonly supportZ: tf.Tensor2D,
    private readonly supportLabels: Int32Array,
  ) {
    this.types = [...types];
  }

  async predict(texts: readonly string[]): Promise<Prediction[][]> {
    if (this.disposed) throw new Error('NNShotTagger.predict: the tagger was disposed');
    const out: Prediction[][] = [];
    for (let i = 0; i < texts.length; i += CHUNK) {
      const chunk = texts.slice(i, i + CHUNK);
      await this.source.store.ensure(chunk);
      const feats = this.source.store.batch(chunk);
      const [B, T] = feats.mask.shape;
      const nearestT = tf.tidy(() => {
        const z = embed(
          this.source.vars,
          this.source.config,
          this.source.encoder,
          feats,
          tf.tensor1d(UNIFORM),
        );
        const flat = tf.reshape(z, [B * T, -1]) as tf.Tensor2D;
        return tf.argMin(squaredDistances(flat, this.supportZ), 1);
      });
      disposeFeatures(feats);
      const nearest = (await nearestT.data()) as Int32Array;
      nearestT.dispose();
      chunk.forEach((text, b) => {
        const len = Math.min(text.length, T);
        const labels = new Int32Array(len);
        for (let t = 0; t < len; t++) labels[t] = this.supportLabels[nearest[b * T + t] as number] as number;
        out.push(runsToEntities(text, labels, this.types));
      });
    }
    return out;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.supportZ.dispose();
  }
}

/** NNShot over a trained projection (e.g. the fine-tuning baseline's pre-trained model). */
export class NNShotLearner implements FewShotLearner {
  readonly name: string;

  constructor(
    private readonly source: ProjectionSource,
    name = 'nnshot',
  ) {
    this.name = name;
  }

  async adapt(support: readonly Sentence[], types?: readonly EntityType[]): Promise<Tagger> {
    const wanted = types
      ? [...types]
      : [...new Set(support.flatMap((s) => s.entities.map((e) => e.type)))].sort();
    if (support.length === 0) throw new RangeError('nnshot.adapt: the support set is empty');
    const { store, encoder, vars, config } = this.source;
    const texts = support.map((s) => s.text);
    await store.ensure(texts);
    const feats = store.batch(texts);
    const T = feats.mask.shape[1];
    const rows: number[] = [];
    const labels: number[] = [];
    support.forEach((s, b) => {
      const l = charLabels(s, wanted);
      for (let t = 0; t < Math.min(s.text.length, T); t++) {
        rows.push(b * T + t);
        labels.push(l[t] as number);
      }
    });
    const supportZ = tf.tidy(() => {
      const z = embed(vars, config, encoder, feats, tf.tensor1d(UNIFORM));
      return tf.gather(tf.reshape(z, [-1, z.shape[2]]), tf.tensor1d(rows, 'int32')) as tf.Tensor2D;
    });
    disposeFeatures(feats);
    return new NNShotTagger(this.source, wanted, supportZ, Int32Array.from(labels));
  }
}
