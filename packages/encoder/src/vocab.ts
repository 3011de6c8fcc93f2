/**
 * Frequency vocabularies with hashing buckets for unseen entries.
 *
 * Ids: 0 = [PAD], 1 = [UNK] (only used when there are no buckets), 2 = [MASK], then the entries in
 * frequency order, then `buckets` hashing ids: an unseen string goes to
 * `size + fnv1a(string) % buckets`, so rare names still get a stable (shared) embedding.
 */

export const PAD_ID = 0;
export const UNK_ID = 1;
export const MASK_ID = 2;
export const NUM_SPECIAL = 3;

/** The JSON form stored in a model config. */
export interface VocabJson {
  tokens: string[];
  buckets: number;
}

/** 32-bit FNV-1a over UTF-16 code units. */
export function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export class Vocab {
  /** Entries, index = id - NUM_SPECIAL. */
  readonly tokens: readonly string[];
  readonly buckets: number;
  private readonly index: Map<string, number>;

  constructor(tokens: readonly string[], buckets: number) {
    if (!Number.isInteger(buckets) || buckets < 0) {
      throw new RangeError(`Vocab: buckets must be a non-negative integer, got ${buckets}`);
    }
    this.tokens = tokens;
    this.buckets = buckets;
    this.index = new Map();
    tokens.forEach((t, i) => {
      if (!this.index.has(t)) this.index.set(t, i + NUM_SPECIAL);
    });
  }

  /** Ids of real entries (specials + tokens), without buckets. */
  get size(): number {
    return NUM_SPECIAL + this.tokens.length;
  }

  /** Total number of ids including hashing buckets (the embedding table size). */
  get total(): number {
    return this.size + this.buckets;
  }

  /** The entry id, or undefined when the string is not in the vocabulary. */
  lookup(token: string): number | undefined {
    return this.index.get(token);
  }

  /** The entry id, or its hashing bucket (or [UNK] when there are no buckets). */
  id(token: string): number {
    const hit = this.index.get(token);
    if (hit !== undefined) return hit;
    if (this.buckets === 0) return UNK_ID;
    return this.size + (fnv1a(token) % this.buckets);
  }

  toJSON(): VocabJson {
    return { tokens: [...this.tokens], buckets: this.buckets };
  }

  static fromJSON(json: VocabJson, where = 'vocab'): Vocab {
    if (!json || !Array.isArray(json.tokens) || typeof json.buckets !== 'number') {
      throw new Error(`${where}: expected {tokens: string[], buckets: number}`);
    }
    return new Vocab(json.tokens, json.buckets);
  }

  /**
   * Builds a vocabulary from counts: entries with count ≥ minCount, most frequent first (ties by
   * string order, so the result is deterministic), at most maxSize entries.
   */
  static fromCounts(
    counts: ReadonlyMap<string, number>,
    options: { minCount?: number; maxSize?: number; buckets?: number; always?: readonly string[] } = {},
  ): Vocab {
    const minCount = options.minCount ?? 1;
    const maxSize = options.maxSize ?? Number.POSITIVE_INFINITY;
    const always = options.always ?? [];
    const seen = new Set(always);
    const rest = [...counts.entries()]
      .filter(([t, c]) => c >= minCount && !seen.has(t))
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
      .map(([t]) => t);
    const tokens = [...always, ...rest].slice(0, Math.max(always.length, maxSize));
    return new Vocab(tokens, options.buckets ?? 0);
  }
}
