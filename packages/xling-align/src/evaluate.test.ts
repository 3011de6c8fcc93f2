import { describe, expect, it } from 'vitest';
import { evaluationPool, retrievalScores } from './evaluate.js';
import type { NamePair } from './kb.js';

describe('retrievalScores', () => {
  it('ranks the best answer of each query against the wrong candidates', () => {
    // query 0: answer ranks 1st; query 1: 2nd (0.9 > 0.5); query 2: 3rd
    const s = new Float32Array([0.9, 0.1, 0.2, 0.9, 0.5, 0.0, 0.8, 0.7, 0.6]);
    const r = retrievalScores(s, 3, (i) => [i]);
    expect(r.at1).toBeCloseTo(1 / 3);
    expect(r.at10).toBe(1);
    expect(r.mrr).toBeCloseTo((1 + 1 / 2 + 1 / 3) / 3);
    // a second right answer (a homograph) lifts query 1 to the top
    expect(retrievalScores(s, 3, (i) => (i === 1 ? [0, 1] : [i])).at1).toBeCloseTo(2 / 3);
    // transposed, columns are the queries: column 0 ties (0.9, 0.9: a tie is not ranked above),
    // column 1's answer (0.5) is beaten by 0.7, column 2's (0.6) is the best
    expect(retrievalScores(s, 3, (i) => [i], true).at1).toBeCloseTo(2 / 3);
  });
});

describe('evaluationPool', () => {
  const p = (ja: string, key: string): NamePair => ({
    ja,
    jaKey: ja,
    text: key,
    key,
    lang: 'en',
    file: 'x',
    line: 1,
  });
  it('draws distinct names on both sides, the same way every time', () => {
    const pairs = [p('a', 'x'), p('a', 'y'), p('b', 'x'), p('c', 'z'), p('d', 'w')];
    const pool = evaluationPool(pairs, 10, 3);
    expect(new Set(pool.map((q) => q.jaKey)).size).toBe(pool.length);
    expect(new Set(pool.map((q) => q.key)).size).toBe(pool.length);
    expect(pool.length).toBeGreaterThanOrEqual(3);
    expect(evaluationPool(pairs, 10, 3)).toEqual(pool);
    expect(evaluationPool(pairs, 2, 3)).toHaveLength(2);
  });
});
