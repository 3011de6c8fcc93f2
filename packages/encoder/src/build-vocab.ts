/** Vocabularies from training text: characters, words (surface forms) and POS triples. */

import type { Morphology } from './morph.js';
import { normalizeWithOffsets } from './normalize.js';
import type { VocabJson } from './vocab.js';
import { Vocab } from './vocab.js';

/** POS triples that must always get their own id (IPADIC proper-noun classes are strong NER priors). */
export const SEED_POS: readonly string[] = [
  '名詞,固有名詞,人名',
  '名詞,固有名詞,地域',
  '名詞,固有名詞,組織',
  '名詞,固有名詞,一般',
  '名詞,一般,*',
  '名詞,サ変接続,*',
  '名詞,数,*',
  '名詞,接尾,人名',
  '名詞,接尾,地域',
  '名詞,接尾,一般',
  '記号,一般,*',
  '記号,空白,*',
];

export interface VocabOptions {
  /** Characters seen fewer times are hashed (default 2). */
  charMinCount?: number;
  /** At most this many characters (default 6000). */
  charMaxSize?: number;
  charBuckets?: number;
  wordMinCount?: number;
  wordMaxSize?: number;
  wordBuckets?: number;
  posBuckets?: number;
}

export interface Vocabularies {
  char: VocabJson;
  word: VocabJson;
  pos: VocabJson;
}

export const DEFAULT_VOCAB_OPTIONS: Required<VocabOptions> = {
  charMinCount: 2,
  charMaxSize: 6000,
  charBuckets: 512,
  wordMinCount: 3,
  wordMaxSize: 16000,
  wordBuckets: 2048,
  posBuckets: 16,
};

/** Counts characters (and, with `morph`, words and POS) over `texts` and builds vocabularies. */
export function buildVocabularies(
  texts: Iterable<string>,
  morph: Morphology | null,
  options: VocabOptions = {},
): Vocabularies {
  const o = { ...DEFAULT_VOCAB_OPTIONS, ...options };
  const chars = new Map<string, number>();
  const words = new Map<string, number>();
  const pos = new Map<string, number>();
  for (const text of texts) {
    const norm = normalizeWithOffsets(text);
    for (let i = 0; i < text.length; i++) {
      if (norm.lowSurrogate[i]) continue;
      const c = norm.chars[i]!;
      chars.set(c, (chars.get(c) ?? 0) + 1);
    }
    if (morph) {
      for (const m of morph.tokenize(norm.normalized)) {
        words.set(m.surface, (words.get(m.surface) ?? 0) + 1);
        pos.set(m.pos, (pos.get(m.pos) ?? 0) + 1);
      }
    }
  }
  return {
    char: Vocab.fromCounts(chars, {
      minCount: o.charMinCount,
      maxSize: o.charMaxSize,
      buckets: o.charBuckets,
    }).toJSON(),
    word: Vocab.fromCounts(words, {
      minCount: o.wordMinCount,
      maxSize: o.wordMaxSize,
      buckets: o.wordBuckets,
    }).toJSON(),
    pos: Vocab.fromCounts(pos, { minCount: 1, buckets: o.posBuckets, always: SEED_POS }).toJSON(),
  };
}
