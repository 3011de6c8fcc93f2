/**
 * Word + character-n-gram vectors (fastText style) trained on unlabelled Japanese text
 * (./train.ts). A word's vector is the mean of its own vector (when in the vocabulary) and the
 * vectors of its n-grams, so unseen words (most entity names) still get one from their pieces:
 * 〜駅 and 〜線 land near other stations and lines. Stored in core's weights format.
 */
import * as tf from '@tensorflow/tfjs-core';
import { deserializeWeights } from '../deps.js';
import { ngramBuckets } from './ngrams.js';

/** Weights format name of a vectors file. */
export const VECTORS_FORMAT = 'nerima-subword-vectors';
/** Weights format version of a vectors file. */
export const VECTORS_VERSION = 1;

/** The shape of a vectors model (stored as the weights file's config). */
export interface SubwordVectorsConfig {
  dim: number;
  /** Shortest and longest n-gram, in code points (markers `<` `>` count). */
  minN: number;
  maxN: number;
  /** Number of hashed n-gram buckets. */
  buckets: number;
  /** The word vocabulary, most frequent first. */
  vocab: string[];
}

/** Trained subword vectors: look up (and cache) word vectors; compose span vectors. */
export class SubwordVectors {
  readonly dim: number;
  private readonly index: Map<string, number>;
  private readonly cache = new Map<string, Float32Array>();

  constructor(
    readonly config: SubwordVectorsConfig,
    /** [vocab.length × dim], row-major. */
    readonly wordTable: Float32Array,
    /** [buckets × dim], row-major. */
    readonly ngramTable: Float32Array,
  ) {
    const { dim, vocab, buckets } = config;
    if (wordTable.length !== vocab.length * dim)
      throw new RangeError(
        `SubwordVectors: word table has ${wordTable.length} values, expected ${vocab.length}×${dim}`,
      );
    if (ngramTable.length !== buckets * dim)
      throw new RangeError(
        `SubwordVectors: n-gram table has ${ngramTable.length} values, expected ${buckets}×${dim}`,
      );
    this.dim = dim;
    this.index = new Map(vocab.map((w, i) => [w, i]));
  }

  /** Vocabulary id of `word`, or -1. */
  wordId(word: string): number {
    return this.index.get(word) ?? -1;
  }

  /** The vector of `word` (NFKC is the caller's job; the returned array is shared, do not modify it). */
  vector(word: string): Float32Array {
    const hit = this.cache.get(word);
    if (hit) return hit;
    const { dim, minN, maxN, buckets } = this.config;
    const out = new Float32Array(dim);
    let parts = 0;
    const id = this.wordId(word);
    if (id >= 0) {
      for (let k = 0; k < dim; k++) out[k] = this.wordTable[id * dim + k] as number;
      parts++;
    }
    for (const b of ngramBuckets(word, minN, maxN, buckets)) {
      for (let k = 0; k < dim; k++) out[k] = (out[k] as number) + (this.ngramTable[b * dim + k] as number);
      parts++;
    }
    if (parts > 1) for (let k = 0; k < dim; k++) out[k] = (out[k] as number) / parts;
    if (this.cache.size > 100_000) this.cache.clear();
    this.cache.set(word, out);
    return out;
  }

  /** Cosine similarity of two words' vectors. */
  similarity(a: string, b: string): number {
    return cosine(this.vector(a), this.vector(b));
  }

  /** The `k` vocabulary words nearest to `word` by cosine (for inspection; O(vocab)). */
  nearest(word: string, k = 10): { word: string; similarity: number }[] {
    const q = this.vector(word);
    const scored = this.config.vocab
      .filter((w) => w !== word)
      .map((w) => ({ word: w, similarity: cosine(q, this.vector(w)) }));
    return scored.sort((x, y) => y.similarity - x.similarity).slice(0, k);
  }

  /** The tensors to save with core's `saveWeights` (caller disposes them). */
  toTensors(): Record<string, tf.Tensor> {
    const { dim, vocab, buckets } = this.config;
    return {
      words: tf.tensor2d(this.wordTable, [vocab.length, dim]),
      ngrams: tf.tensor2d(this.ngramTable, [buckets, dim]),
    };
  }

  /** Reads a vectors file's bytes (core's weights format). `source` names it in errors. */
  static fromBytes(bytes: Uint8Array, source = 'vectors'): SubwordVectors {
    const loaded = deserializeWeights<SubwordVectorsConfig>(
      bytes,
      { format: VECTORS_FORMAT, version: VECTORS_VERSION },
      source,
    );
    try {
      const words = loaded.tensors.get('words');
      const ngrams = loaded.tensors.get('ngrams');
      if (!words || !ngrams) throw new Error(`${source}: a vectors file needs tensors 'words' and 'ngrams'`);
      return new SubwordVectors(
        loaded.config,
        new Float32Array(words.dataSync() as Float32Array),
        new Float32Array(ngrams.dataSync() as Float32Array),
      );
    } finally {
      for (const t of loaded.tensors.values()) t.dispose();
    }
  }
}

/** Cosine similarity of two equal-length vectors (0 when either is zero). */
export function cosine(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let k = 0; k < a.length; k++) {
    const x = a[k] as number;
    const y = b[k] as number;
    dot += x * y;
    na += x * x;
    nb += y * y;
  }
  return na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);
}
