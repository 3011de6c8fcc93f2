/**
 * Hashed character n-grams of English names (fastText-style): the name in {@link enKey} form,
 * wrapped in `<` `>`, cut into n-grams of the configured orders plus whole words, each hashed into
 * one of `buckets` rows of an embedding table.
 */
import { enKey, hash32 } from './names.js';

/** n-gram featurizer settings (stored with the aligner's weights). */
export interface NgramConfig {
  /** Rows of the hashed embedding table. */
  buckets: number;
  /** Character n-gram orders, e.g. [2, 3, 4]. */
  orders: number[];
  /** Also hash whole words. */
  words: boolean;
  /** Names are cut to this many UTF-16 units (after normalisation) before featurizing. */
  maxLength: number;
}

export const DEFAULT_NGRAM: NgramConfig = { buckets: 32768, orders: [2, 3, 4], words: true, maxLength: 64 };

/** The n-gram strings of a name (before hashing), in order. */
export function ngramsOf(
  name: string,
  config: Pick<NgramConfig, 'orders' | 'words' | 'maxLength'>,
): string[] {
  const s = enKey(name).slice(0, config.maxLength);
  const padded = `<${s}>`;
  const out: string[] = [];
  for (const n of config.orders) {
    for (let i = 0; i + n <= padded.length; i++) out.push(padded.slice(i, i + n));
  }
  if (config.words) for (const w of s.split(' ')) if (w) out.push(`w:${w}`);
  // A name shorter than every order still gets one feature.
  if (out.length === 0) out.push(padded);
  return out;
}

/** Table rows of a name's n-grams. */
export function ngramIds(name: string, config: NgramConfig): number[] {
  return ngramsOf(name, config).map((g) => hash32(g) % config.buckets);
}

/**
 * A batch for the embedding bag, without padding: n-gram `ids` with their `segments` (the name
 * each belongs to) and mean `weights` (1 / the name's n-gram count).
 */
export interface NgramBatch {
  ids: Int32Array;
  segments: Int32Array;
  weights: Float32Array;
  /** Names in the batch. */
  size: number;
}

/** Featurizes names for the embedding bag (row i averages the embeddings of name i's n-grams). */
export function ngramBatch(names: readonly string[], config: NgramConfig): NgramBatch {
  const rows = names.map((n) => ngramIds(n, config));
  const total = rows.reduce((a, r) => a + r.length, 0);
  const ids = new Int32Array(total);
  const segments = new Int32Array(total);
  const weights = new Float32Array(total);
  let k = 0;
  rows.forEach((r, b) => {
    const w = 1 / r.length;
    for (const id of r) {
      ids[k] = id;
      segments[k] = b;
      weights[k] = w;
      k++;
    }
  });
  return { ids, segments, weights, size: names.length };
}
