import { describe, expect, it } from 'vitest';
import { charNgrams, createSimilarity } from './similarity.js';

describe('charNgrams', () => {
  it('counts code-point n-grams (a surrogate pair is one character)', () => {
    expect([...charNgrams('𠮷田𠮷田', 2)]).toEqual([
      ['𠮷田', 2],
      ['田𠮷', 1],
    ]);
    expect([...charNgrams('a', 2)]).toEqual([['a', 1]]);
    expect(charNgrams('', 2).size).toBe(0);
  });
});

describe('createSimilarity', () => {
  it('cosine of bigram counts, hand-computed', () => {
    const sim = createSimilarity();
    // 東京に行く / 大阪に行く: 4 bigrams each, 2 shared → 2 / 4.
    expect(sim('東京に行く', '大阪に行く')).toBeCloseTo(0.5, 12);
    // aab: {aa:1, ab:1}; ab: {ab:1} → 1 / sqrt(2).
    expect(sim('aab', 'ab')).toBeCloseTo(Math.SQRT1_2, 12);
    expect(sim('abc', 'abc')).toBe(1);
    expect(sim('ab', 'cd')).toBe(0);
  });

  it('minhash estimates the Jaccard similarity of n-gram sets and is the same for the same seed', () => {
    const a = 'あいうえおかきくけこさしすせそたちつてと';
    const b = 'あいうえおかきくけこなにぬねのはひふへほ';
    // 19 bigrams each, 9 shared → Jaccard 9 / 29.
    const m1 = createSimilarity({ method: 'minhash', numHashes: 512, seed: 7 });
    const m2 = createSimilarity({ method: 'minhash', numHashes: 512, seed: 7 });
    const m3 = createSimilarity({ method: 'minhash', numHashes: 512, seed: 8 });
    expect(m1(a, b)).toBe(m2(a, b));
    expect(Math.abs(m1(a, b) - 9 / 29)).toBeLessThan(0.08);
    expect(Math.abs(m3(a, b) - 9 / 29)).toBeLessThan(0.08);
    expect(m1(a, a)).toBe(1);
    expect(m1.method).toBe('minhash');
  });
});
