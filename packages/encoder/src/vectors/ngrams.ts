/**
 * Character n-grams of a word for subword vectors (fastText style): the word is wrapped in `<` `>`
 * so prefixes and suffixes (東京〜, 〜駅, 〜株式会社) get their own n-grams, read as code points so
 * surrogate pairs stay whole, and hashed (FNV-1a over UTF-16 units) into a fixed number of buckets.
 */
import { fnv1a } from '../vocab.js';

/** The n-gram strings (minN ≤ n ≤ maxN, code points) of `<word>`; the bare markers are skipped. */
export function charNgrams(word: string, minN: number, maxN: number): string[] {
  const chars = ['<', ...Array.from(word), '>'];
  const out: string[] = [];
  for (let i = 0; i < chars.length; i++) {
    for (let n = minN; n <= maxN && i + n <= chars.length; n++) {
      if (n === 1 && (i === 0 || i === chars.length - 1)) continue;
      // The whole `<word>` is the word's own vector, not an n-gram.
      if (i === 0 && n === chars.length) continue;
      out.push(chars.slice(i, i + n).join(''));
    }
  }
  return out;
}

/** Bucket ids of the n-grams of `word`. */
export function ngramBuckets(word: string, minN: number, maxN: number, buckets: number): number[] {
  return charNgrams(word, minN, maxN).map((g) => fnv1a(g) % buckets);
}
