/**
 * Text similarity over character n-grams, for the near-duplicate and drift checks: exact cosine of
 * n-gram count vectors, or a MinHash estimate of the Jaccard similarity of n-gram sets with hash
 * functions drawn from a seeded generator. Both are deterministic. N-grams run over code points, so
 * a surrogate pair is one character.
 */
import { createRng, type Seed } from '@nerima/core';

/** A similarity in [0, 1] between two texts (1 for equal texts). */
export interface Similarity {
  readonly method: 'cosine' | 'minhash';
  (a: string, b: string): number;
}

/** The character n-grams of `text` with their counts; texts shorter than n give one gram (the text). */
export function charNgrams(text: string, n: number): Map<string, number> {
  const chars = Array.from(text);
  const grams = new Map<string, number>();
  if (chars.length === 0) return grams;
  if (chars.length < n) {
    grams.set(text, 1);
    return grams;
  }
  for (let i = 0; i + n <= chars.length; i++) {
    const g = chars.slice(i, i + n).join('');
    grams.set(g, (grams.get(g) ?? 0) + 1);
  }
  return grams;
}

/** Cosine of two count vectors. */
export function cosine(a: ReadonlyMap<string, number>, b: ReadonlyMap<string, number>): number {
  if (a.size === 0 || b.size === 0) return a.size === b.size ? 1 : 0;
  let dot = 0;
  let na = 0;
  let nb = 0;
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  for (const [g, c] of small) {
    const d = large.get(g);
    if (d !== undefined) dot += c * d;
  }
  for (const c of a.values()) na += c * c;
  for (const c of b.values()) nb += c * c;
  return dot / Math.sqrt(na * nb);
}

/** FNV-1a over UTF-16 units. */
function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** murmur3's 32-bit finaliser of `h ^ seed`. */
function mix(h: number, seed: number): number {
  let x = (h ^ seed) >>> 0;
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  x ^= x >>> 16;
  return x >>> 0;
}

/** Options of {@link createSimilarity}. */
export interface SimilarityOptions {
  /** `cosine` (default) or `minhash`. */
  method?: 'cosine' | 'minhash';
  /** N-gram length in characters (default 2, suited to Japanese). */
  n?: number;
  /** MinHash signature length (default 128). */
  numHashes?: number;
  /** MinHash seed (default 0). */
  seed?: Seed;
}

/**
 * A similarity function. Signatures / n-gram vectors are cached per text (the cache lives as long
 * as the function).
 * @example
 * const sim = createSimilarity({ method: 'cosine', n: 2 });
 * sim('東京に行く', '大阪に行く'); // 0.5: bigrams に行 and 行く shared of 4 each
 */
export function createSimilarity(options: SimilarityOptions = {}): Similarity {
  const method = options.method ?? 'cosine';
  const n = options.n ?? 2;
  if (!Number.isInteger(n) || n < 1)
    throw new RangeError(`createSimilarity: n must be an integer ≥ 1, got ${n}`);
  if (method === 'cosine') {
    const cache = new Map<string, Map<string, number>>();
    const vec = (t: string) => {
      let v = cache.get(t);
      if (!v) {
        v = charNgrams(t, n);
        cache.set(t, v);
      }
      return v;
    };
    const f = (a: string, b: string) => (a === b ? 1 : cosine(vec(a), vec(b)));
    return Object.assign(f, { method: 'cosine' as const });
  }
  if (method !== 'minhash')
    throw new RangeError(`createSimilarity: method must be cosine or minhash, got ${String(method)}`);
  const k = options.numHashes ?? 128;
  if (!Number.isInteger(k) || k < 1)
    throw new RangeError(`createSimilarity: numHashes must be an integer ≥ 1, got ${k}`);
  const rng = createRng(options.seed ?? 0).fork('minhash');
  const seeds = Array.from({ length: k }, () => rng.uint32());
  const cache = new Map<string, Uint32Array>();
  const signature = (t: string) => {
    let sig = cache.get(t);
    if (!sig) {
      sig = new Uint32Array(k).fill(0xffffffff);
      for (const g of charNgrams(t, n).keys()) {
        const h = fnv1a(g);
        for (let i = 0; i < k; i++) {
          const v = mix(h, seeds[i]!);
          if (v < sig[i]!) sig[i] = v;
        }
      }
      cache.set(t, sig);
    }
    return sig;
  };
  const f = (a: string, b: string) => {
    if (a === b) return 1;
    if (a === '' || b === '') return 0;
    const sa = signature(a);
    const sb = signature(b);
    let same = 0;
    for (let i = 0; i < k; i++) if (sa[i] === sb[i]) same++;
    return same / k;
  };
  return Object.assign(f, { method: 'minhash' as const });
}
