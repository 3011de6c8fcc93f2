/**
 * Skip-gram with negative sampling over words + character n-grams (fastText's `skipgram`), in plain
 * TypeScript on typed arrays: one thread, a few minutes for the 25M-character unlabelled corpus.
 * Deterministic given `seed` (and the sentence order).
 */
import { ngramBuckets } from './ngrams.js';
import { SubwordVectors, type SubwordVectorsConfig } from './vectors.js';

/** Options of {@link trainSubwordVectors}; the defaults are what models/vectors was built with. */
export interface TrainVectorsOptions {
  /** Vector width. Default 64. */
  dim?: number;
  /** Largest context window (each centre draws 1..window). Default 5. */
  window?: number;
  /** Negative samples per positive pair. Default 5. */
  negatives?: number;
  /** Words seen fewer times are dropped from the vocabulary (and from training). Default 5. */
  minCount?: number;
  /** Vocabulary cap, most frequent first. Default 30,000. */
  maxVocab?: number;
  /** Hashed n-gram buckets. Default 40,000. */
  buckets?: number;
  /** n-gram lengths in code points, `<` `>` markers included. Default 2..3 (single characters
   * are shared by too many words and pull every vector one way). */
  minN?: number;
  maxN?: number;
  /** Passes over the data. Default 3. */
  epochs?: number;
  /** Starting learning rate, decayed linearly to 0. Default 0.05. */
  lr?: number;
  /** Frequent-word subsampling threshold (word2vec's t). Default 1e-4. */
  subsample?: number;
  /** Seed of the initialisation, window, subsampling and negative draws. Default 1. */
  seed?: number;
  /** Called about every `progressEvery` centre words. */
  onProgress?: (p: TrainVectorsProgress) => void;
  progressEvery?: number;
}

/** Progress of a run. */
export interface TrainVectorsProgress {
  epoch: number;
  /** Fraction of all epochs done (0..1). */
  done: number;
  /** Mean negative-sampling loss since the last report. */
  loss: number;
  lr: number;
}

/** What {@link trainSubwordVectors} returns. */
export interface TrainVectorsResult {
  vectors: SubwordVectors;
  /** Tokens read, tokens of vocabulary words, vocabulary size. */
  tokens: number;
  inVocabTokens: number;
  vocabSize: number;
  /** Mean loss of the last 10% of training. */
  finalLoss: number;
  seconds: number;
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Builds the vocabulary: words with ≥ minCount occurrences, most frequent first (ties by code unit order). */
function buildVocab(sentences: readonly (readonly string[])[], minCount: number, maxVocab: number) {
  const counts = new Map<string, number>();
  let tokens = 0;
  for (const s of sentences)
    for (const w of s) {
      counts.set(w, (counts.get(w) ?? 0) + 1);
      tokens++;
    }
  const vocab = [...counts.entries()]
    .filter(([, c]) => c >= minCount)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .slice(0, maxVocab);
  return { vocab: vocab.map(([w]) => w), freq: vocab.map(([, c]) => c), tokens };
}

/**
 * Trains word + n-gram vectors on tokenised sentences (arrays of words; NFKC them first, as the
 * lookup side does).
 */
export function trainSubwordVectors(
  sentences: readonly (readonly string[])[],
  options: TrainVectorsOptions = {},
): TrainVectorsResult {
  const t0 = performance.now();
  const dim = options.dim ?? 64;
  const window = options.window ?? 5;
  const negatives = options.negatives ?? 5;
  const buckets = options.buckets ?? 40_000;
  const minN = options.minN ?? 2;
  const maxN = options.maxN ?? 3;
  const epochs = options.epochs ?? 3;
  const lr0 = options.lr ?? 0.05;
  const t = options.subsample ?? 1e-4;
  const progressEvery = options.progressEvery ?? 200_000;
  const rand = mulberry32(options.seed ?? 1);

  const { vocab, freq, tokens } = buildVocab(sentences, options.minCount ?? 5, options.maxVocab ?? 30_000);
  const V = vocab.length;
  if (V === 0)
    throw new Error('trainSubwordVectors: no word reaches minCount; give more text or lower minCount');
  const index = new Map(vocab.map((w, i) => [w, i]));
  const ids: Int32Array[] = [];
  let inVocabTokens = 0;
  for (const s of sentences) {
    const row: number[] = [];
    for (const w of s) {
      const id = index.get(w);
      if (id !== undefined) row.push(id);
    }
    if (row.length > 1) ids.push(Int32Array.from(row));
    inVocabTokens += row.length;
  }

  // Input rows: words 0..V-1, then n-gram buckets V..V+buckets-1. Output rows: words.
  const input = new Float32Array((V + buckets) * dim);
  for (let i = 0; i < input.length; i++) input[i] = (rand() * 2 - 1) / dim;
  const output = new Float32Array(V * dim);
  const subwords: Int32Array[] = vocab.map((w, i) =>
    Int32Array.from([i, ...ngramBuckets(w, minN, maxN, buckets).map((b) => V + b)]),
  );

  // Subsampling keep probabilities and the unigram^0.75 negative table.
  const keep = new Float32Array(V);
  for (let i = 0; i < V; i++) {
    const f = (freq[i] as number) / inVocabTokens;
    keep[i] = Math.min(1, (Math.sqrt(f / t) + 1) * (t / f));
  }
  const tableSize = 2_000_000;
  const table = new Int32Array(tableSize);
  {
    let z = 0;
    for (let i = 0; i < V; i++) z += (freq[i] as number) ** 0.75;
    let w = 0;
    let acc = (freq[0] as number) ** 0.75;
    for (let i = 0; i < tableSize; i++) {
      table[i] = w;
      if (i / tableSize > acc / z && w < V - 1) {
        w++;
        acc += (freq[w] as number) ** 0.75;
      }
    }
  }

  const hidden = new Float32Array(dim);
  const grad = new Float32Array(dim);
  const kept = new Int32Array(1024);
  const total = epochs * inVocabTokens;
  let processed = 0;
  let lossSum = 0;
  let lossN = 0;
  let tailLoss = 0;
  let tailN = 0;
  let sinceReport = 0;
  let lr = lr0;
  for (let epoch = 0; epoch < epochs; epoch++) {
    for (const s of ids) {
      let n = 0;
      for (let i = 0; i < s.length && n < kept.length; i++) {
        const w = s[i] as number;
        if ((keep[w] as number) >= 1 || rand() < (keep[w] as number)) kept[n++] = w;
      }
      processed += s.length;
      sinceReport += s.length;
      lr = lr0 * Math.max(1e-4, 1 - processed / total);
      for (let i = 0; i < n; i++) {
        const rows = subwords[kept[i] as number] as Int32Array;
        hidden.fill(0);
        for (let r = 0; r < rows.length; r++) {
          const o = (rows[r] as number) * dim;
          for (let k = 0; k < dim; k++) hidden[k] = (hidden[k] as number) + (input[o + k] as number);
        }
        const invRows = 1 / rows.length;
        for (let k = 0; k < dim; k++) hidden[k] = (hidden[k] as number) * invRows;
        grad.fill(0);
        const b = 1 + Math.floor(rand() * window);
        for (let j = Math.max(0, i - b); j <= Math.min(n - 1, i + b); j++) {
          if (j === i) continue;
          const positive = kept[j] as number;
          for (let d = 0; d <= negatives; d++) {
            const target = d === 0 ? positive : (table[Math.floor(rand() * tableSize)] as number);
            if (d > 0 && target === positive) continue;
            const o = target * dim;
            let f = 0;
            for (let k = 0; k < dim; k++) f += (hidden[k] as number) * (output[o + k] as number);
            const sig = f > 30 ? 1 : f < -30 ? 0 : 1 / (1 + Math.exp(-f));
            const label = d === 0 ? 1 : 0;
            const p = label ? sig : 1 - sig;
            const l = -Math.log(Math.max(p, 1e-7));
            lossSum += l;
            lossN++;
            if (processed > 0.9 * total) {
              tailLoss += l;
              tailN++;
            }
            const g = lr * (label - sig);
            for (let k = 0; k < dim; k++) {
              grad[k] = (grad[k] as number) + g * (output[o + k] as number);
              output[o + k] = (output[o + k] as number) + g * (hidden[k] as number);
            }
          }
        }
        for (let r = 0; r < rows.length; r++) {
          const o = (rows[r] as number) * dim;
          for (let k = 0; k < dim; k++) input[o + k] = (input[o + k] as number) + (grad[k] as number);
        }
      }
      if (options.onProgress && sinceReport >= progressEvery) {
        options.onProgress({ epoch, done: processed / total, loss: lossN ? lossSum / lossN : 0, lr });
        sinceReport = 0;
        lossSum = 0;
        lossN = 0;
      }
    }
  }

  const config: SubwordVectorsConfig = { dim, minN, maxN, buckets, vocab };
  const vectors = new SubwordVectors(config, input.slice(0, V * dim), input.slice(V * dim));
  return {
    vectors,
    tokens,
    inVocabTokens,
    vocabSize: V,
    finalLoss: tailN ? tailLoss / tailN : lossN ? lossSum / lossN : 0,
    seconds: (performance.now() - t0) / 1000,
  };
}
