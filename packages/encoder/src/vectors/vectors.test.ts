import { initBackend, serializeWeights } from '@nerima/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { charNgrams, ngramBuckets } from './ngrams.js';
import { trainSubwordVectors } from './train.js';
import { cosine, SubwordVectors, VECTORS_FORMAT, VECTORS_VERSION } from './vectors.js';

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
});

/** Two topics whose words co-occur only within their topic; `shared` suffix 駅 on topic a. */
function topicCorpus(lines: number, seed = 7): string[][] {
  let s = seed;
  const r = () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
  const out: string[][] = [];
  for (let i = 0; i < lines; i++) {
    const topic = i % 2 ? 'a' : 'b';
    out.push(
      Array.from({ length: 10 }, () =>
        topic === 'a' ? `あ${Math.floor(r() * 20)}駅` : `か${Math.floor(r() * 20)}`,
      ),
    );
  }
  return out;
}

describe('character n-grams', () => {
  it('wrap the word in < > and keep surrogate pairs whole', () => {
    expect(charNgrams('東京', 1, 3)).toEqual(['<東', '<東京', '東', '東京', '東京>', '京', '京>']);
    const g = charNgrams('𠮷野', 2, 2);
    expect(g).toEqual(['<𠮷', '𠮷野', '野>']);
    expect(g.every((x) => !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/.test(x))).toBe(true);
    const b = ngramBuckets('東京', 2, 3, 50);
    expect(b.every((x) => Number.isInteger(x) && x >= 0 && x < 50)).toBe(true);
  });
});

describe('trainSubwordVectors', () => {
  const corpus = topicCorpus(6000);
  const opts = { dim: 16, minN: 2, maxN: 3, buckets: 500, subsample: 1, epochs: 2, seed: 3 };

  it('puts words of one topic together, apart from the other topic', () => {
    const { vectors, vocabSize, inVocabTokens } = trainSubwordVectors(corpus, opts);
    expect(vocabSize).toBe(40);
    expect(inVocabTokens).toBe(60_000);
    const within = cosine(vectors.vector('か1'), vectors.vector('か2'));
    const across = cosine(vectors.vector('か1'), vectors.vector('あ2駅'));
    expect(within).toBeGreaterThan(across + 0.3);
    // An unseen word gets a vector from its n-grams: 〜駅 lands with the 駅 topic.
    const unseen = vectors.vector('あ99駅');
    expect(vectors.wordId('あ99駅')).toBe(-1);
    expect(cosine(unseen, vectors.vector('あ3駅'))).toBeGreaterThan(cosine(unseen, vectors.vector('か3')));
  });

  it('is deterministic given the seed', () => {
    const a = trainSubwordVectors(corpus.slice(0, 500), opts).vectors;
    const b = trainSubwordVectors(corpus.slice(0, 500), opts).vectors;
    expect(Array.from(a.wordTable)).toEqual(Array.from(b.wordTable));
    expect(Array.from(a.ngramTable)).toEqual(Array.from(b.ngramTable));
  });

  it('says when no word reaches minCount', () => {
    expect(() => trainSubwordVectors([['一', '回']], { minCount: 5 })).toThrow(/no word reaches minCount/);
  });

  it('round-trips through the weights format', async () => {
    const { vectors } = trainSubwordVectors(corpus.slice(0, 500), opts);
    const tensors = vectors.toTensors();
    const bytes = await serializeWeights(tensors, {
      format: VECTORS_FORMAT,
      version: VECTORS_VERSION,
      config: vectors.config,
    });
    for (const t of Object.values(tensors)) t.dispose();
    const back = SubwordVectors.fromBytes(bytes, 'test.bin');
    expect(back.config).toEqual(vectors.config);
    expect(Array.from(back.vector('か1'))).toEqual(Array.from(vectors.vector('か1')));
    expect(() => SubwordVectors.fromBytes(bytes.slice(0, 20), 'cut.bin')).toThrow(/cut\.bin/);
  });
});
