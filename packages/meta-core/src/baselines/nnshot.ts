/**
 * Baseline: NNShot (Yang & Katiyar, EMNLP 2020) at character level. Every support character is
 * labelled with the type of the target mention covering it (the outermost one when nested) or O;
 * each query character takes the label of its nearest support character (squared Euclidean distance
 * of the projected features of a supervised span model); maximal runs of one type are the entities
 * (IO decoding). {@link NNSpanLearner} is the span-level variant (nearest-neighbour spans).
 */
import {
  createRng,
  type EntityType,
  type FewShotLearner,
  type Prediction,
  type Sentence,
  type Tagger,
} from '@nerima/core';
import type { TextEncoder } from '@nerima/encoder';
import { sampleNegatives, squaredDistances } from '@nerima/span-decoder';
import * as tf from '@tensorflow/tfjs-core';
import { disposeFeatures, type FeatureStore } from '../features.js';
import { embed, type MetaModelConfig, typeDim, typeRepresentations } from '../model.js';
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

/** Options of {@link NNSpanLearner}. */
export interface NNSpanOptions {
  /** Longest candidate span (UTF-16 code units); default 16 (covers ~96% of Stockmark mentions). */
  maxWidth?: number;
  /** Negative (non-mention) support spans sampled per support sentence, half near misses; default 40. */
  negativesPerSentence?: number;
  /** Texts per scoring pass (candidates × support spans distances are held at once); default 8. */
  chunk?: number;
  seed?: number;
}

class NNSpanTagger implements Tagger {
  readonly types: readonly EntityType[];
  private disposed = false;

  constructor(
    private readonly source: ProjectionSource,
    types: readonly EntityType[],
    private readonly supportReps: tf.Tensor2D,
    private readonly supportLabels: Int32Array,
    private readonly o: Required<NNSpanOptions>,
  ) {
    this.types = [...types];
  }

  async predict(texts: readonly string[]): Promise<Prediction[][]> {
    if (this.disposed) throw new Error('NNSpanTagger.predict: the tagger was disposed');
    const out: Prediction[][] = [];
    const W = this.o.maxWidth;
    const dim = typeDim(this.source.config);
    for (let i = 0; i < texts.length; i += this.o.chunk) {
      const chunk = texts.slice(i, i + this.o.chunk);
      await this.source.store.ensure(chunk);
      const feats = this.source.store.batch(chunk);
      const T = feats.mask.shape[1];
      const cb: number[] = [];
      const cs: number[] = [];
      const ce: number[] = [];
      chunk.forEach((text, b) => {
        const len = Math.min(text.length, T);
        for (let s = 0; s < len; s++) {
          for (let e = s + 1; e <= Math.min(len, s + W); e++) {
            cb.push(b);
            cs.push(s);
            ce.push(e);
          }
        }
      });
      if (cb.length === 0) {
        disposeFeatures(feats);
        for (const _ of chunk) out.push([]);
        continue;
      }
      const [idxT, distT] = tf.tidy(() => {
        const z = embed(
          this.source.vars,
          this.source.config,
          this.source.encoder,
          feats,
          tf.tensor1d(UNIFORM),
        );
        const reps = typeRepresentations(
          this.source.vars,
          this.source.config,
          z,
          {
            batch: Int32Array.from(cb),
            start: Int32Array.from(cs),
            end: Int32Array.from(ce),
          },
          chunk,
        );
        const d = squaredDistances(reps, this.supportReps);
        return [tf.argMin(d, 1), tf.min(d, 1)];
      });
      disposeFeatures(feats);
      const idx = (await idxT.data()) as Int32Array;
      const dist = (await distT.data()) as Float32Array;
      tf.dispose([idxT, distT]);
      const perText: Prediction[][] = chunk.map(() => []);
      for (let c = 0; c < cb.length; c++) {
        const label = this.supportLabels[idx[c] as number] as number;
        if (label < 0) continue;
        const b = cb[c] as number;
        const text = chunk[b] as string;
        (perText[b] as Prediction[]).push({
          start: cs[c] as number,
          end: ce[c] as number,
          type: this.types[label] as EntityType,
          text: text.slice(cs[c] as number, ce[c] as number),
          score: 1 / (1 + (dist[c] as number) / dim),
        });
      }
      // Nearest first; accepted spans never overlap (flat decoding).
      for (const list of perText) {
        list.sort((a, b) => b.score - a.score || a.start - b.start || a.end - b.end);
        const kept: Prediction[] = [];
        for (const p of list) if (!kept.some((k) => k.start < p.end && p.start < k.end)) kept.push(p);
        out.push(kept.sort((a, b) => a.start - b.start || a.end - b.end));
      }
    }
    return out;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.supportReps.dispose();
  }
}

/**
 * Baseline: nearest-neighbour spans. Every support mention and sampled support non-mention span
 * (half of them near misses: same start or end, or shifted) is a labelled example; every query span
 * up to `maxWidth` takes the label of its nearest example (squared distance of the source model's
 * type representation); mentions are the spans labelled with a type, overlaps resolved nearest
 * first.
 */
export class NNSpanLearner implements FewShotLearner {
  readonly name: string;
  private readonly o: Required<NNSpanOptions>;

  constructor(
    private readonly source: ProjectionSource,
    options: NNSpanOptions = {},
    name = 'nnspan',
  ) {
    this.name = name;
    this.o = {
      maxWidth: options.maxWidth ?? 16,
      negativesPerSentence: options.negativesPerSentence ?? 40,
      chunk: options.chunk ?? 8,
      seed: options.seed ?? 1,
    };
  }

  async adapt(support: readonly Sentence[], types?: readonly EntityType[]): Promise<Tagger> {
    const wanted = types
      ? [...types]
      : [...new Set(support.flatMap((s) => s.entities.map((e) => e.type)))].sort();
    if (support.length === 0) throw new RangeError('nnspan.adapt: the support set is empty');
    const { store, encoder, vars, config } = this.source;
    const texts = support.map((s) => s.text);
    await store.ensure(texts);
    const feats = store.batch(texts);
    const T = feats.mask.shape[1];
    const rng = createRng(this.o.seed).fork('nnspan');
    const sb: number[] = [];
    const ss: number[] = [];
    const se: number[] = [];
    const labels: number[] = [];
    support.forEach((s, b) => {
      const len = Math.min(s.text.length, T);
      const gold = s.entities.filter((e) => wanted.includes(e.type) && e.end <= len);
      const keys = new Set<number>();
      for (const e of gold) {
        keys.add(e.start * (T + 1) + e.end);
        sb.push(b);
        ss.push(e.start);
        se.push(e.end);
        labels.push(wanted.indexOf(e.type));
      }
      for (const [st, en] of sampleNegatives(
        gold,
        len,
        this.o.maxWidth,
        this.o.negativesPerSentence,
        0.5,
        keys,
        T,
        rng,
      )) {
        sb.push(b);
        ss.push(st);
        se.push(en);
        labels.push(-1);
      }
    });
    const reps = tf.tidy(() => {
      const z = embed(vars, config, encoder, feats, tf.tensor1d(UNIFORM));
      return typeRepresentations(
        vars,
        config,
        z,
        {
          batch: Int32Array.from(sb),
          start: Int32Array.from(ss),
          end: Int32Array.from(se),
        },
        texts,
      );
    });
    disposeFeatures(feats);
    return new NNSpanTagger(this.source, wanted, reps, Int32Array.from(labels), this.o);
  }
}
