/**
 * The novel-type few-shot protocol on fold splits: test episodes are N-way K-shot episodes of the
 * fold's test types drawn (with @nerima/core's Few-NERD sampler) from evaluation sentences only;
 * meta-training sees the fold's train types only.
 */
import { type EntityType, type Episode, type Sentence, sampleEpisodes } from '@nerima/core';

/** A fold: types for meta-training and disjoint types for testing. */
export interface Fold {
  train: readonly EntityType[];
  test: readonly EntityType[];
}

/** Options of {@link novelTypeEpisodes}. */
export interface NovelTypeEpisodeOptions {
  /** N; default all test types of the fold. */
  n?: number;
  k: number;
  count: number;
  seed: number;
  /** Query mentions per type; default k. */
  queryK?: number;
}

/**
 * Seeded test episodes of the fold's test types from `evalSentences` (e.g. dev.jsonl). Support and
 * query never share a sentence (core's sampler guarantees it; checked again here). With `n` equal
 * to the number of test types every episode uses all of them.
 */
export function novelTypeEpisodes(
  evalSentences: readonly Sentence[],
  fold: Fold,
  o: NovelTypeEpisodeOptions,
): Episode[] {
  const n = o.n ?? fold.test.length;
  const trainSet = new Set(fold.train);
  const overlap = fold.test.filter((t) => trainSet.has(t));
  if (overlap.length > 0)
    throw new RangeError(
      `novelTypeEpisodes: the fold's test types ${overlap.join(', ')} are also train types`,
    );
  const episodes = sampleEpisodes(evalSentences, {
    n,
    k: o.k,
    queryK: o.queryK,
    count: o.count,
    seed: o.seed,
    ...(n === fold.test.length ? { types: fold.test } : {}),
  });
  if (n !== fold.test.length) {
    const allowed = new Set(fold.test);
    for (const e of episodes) {
      if (e.types.some((t) => !allowed.has(t))) {
        throw new RangeError(
          `novelTypeEpisodes: with n < ${fold.test.length}, pass sentences restricted to the test types`,
        );
      }
    }
  }
  for (const e of episodes) assertDisjoint(e);
  return episodes;
}

/** Throws when an episode's support and query share a sentence id or text. */
export function assertDisjoint(e: Episode): void {
  const ids = new Set(e.support.map((s) => s.id));
  const texts = new Set(e.support.map((s) => s.text));
  const leak = e.query.find((q) => ids.has(q.id) || texts.has(q.text));
  if (leak) throw new Error(`episode ${e.index ?? '?'}: query sentence ${leak.id} is also in the support`);
}

/**
 * Meta-training sentences for a fold with the test types kept novel: every sentence that contains a
 * mention of one of `fold.test` is left out (`'drop'`), so those mentions are never taught as
 * non-entities; `'keep'` returns the sentences unchanged (the test-type mentions then stay in,
 * unlabelled). Only the labels of the training split are used to decide, never evaluation data.
 */
export function foldTrainingSentences(
  sentences: readonly Sentence[],
  fold: Fold,
  testMentions: 'drop' | 'keep' = 'drop',
): Sentence[] {
  if (testMentions === 'keep') return [...sentences];
  const test = new Set(fold.test);
  return sentences.filter((s) => !s.entities.some((e) => test.has(e.type)));
}
