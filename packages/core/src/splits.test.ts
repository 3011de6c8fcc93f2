import { describe, expect, it } from 'vitest';
import { keepTypes, STOCKMARK_FOLDS, STOCKMARK_TYPES, splitByTypes, typesIn } from './splits.js';
import type { Sentence } from './types.js';

const s: Sentence = {
  id: 'a',
  text: '田中は東京のトヨタへ',
  entities: [
    { start: 0, end: 2, type: 'PERSON' },
    { start: 3, end: 5, type: 'LOCATION' },
    { start: 6, end: 9, type: 'CORPORATION' },
  ],
};

describe('splits', () => {
  it('folds partition the eight Stockmark types, B swaps A', () => {
    const { A, B } = STOCKMARK_FOLDS;
    expect([...A.train, ...A.test].sort()).toEqual([...STOCKMARK_TYPES].sort());
    expect(A.train.filter((t) => A.test.includes(t))).toEqual([]);
    expect(B.train).toEqual(A.test);
    expect(B.test).toEqual(A.train);
    expect(A.train).toEqual(['PERSON', 'CORPORATION', 'POLITICAL_ORG', 'FACILITY']);
  });

  it('keepTypes relabels other types as non-entities without touching the input', () => {
    expect(keepTypes(s, ['PERSON', 'CORPORATION'])).toEqual({
      id: 'a',
      text: s.text,
      entities: [
        { start: 0, end: 2, type: 'PERSON', text: '田中' },
        { start: 6, end: 9, type: 'CORPORATION', text: 'トヨタ' },
      ],
    });
    expect(s.entities.length).toBe(3);
  });

  it('splitByTypes keeps sentences (optionally dropping empty ones)', () => {
    const other: Sentence = { id: 'b', text: '大阪', entities: [{ start: 0, end: 2, type: 'LOCATION' }] };
    const out = splitByTypes([s, other], STOCKMARK_FOLDS.A.train);
    expect(out.map((x) => x.entities.map((e) => e.type))).toEqual([['PERSON', 'CORPORATION'], []]);
    expect(splitByTypes([s, other], STOCKMARK_FOLDS.A.train, { dropEmpty: true }).map((x) => x.id)).toEqual([
      'a',
    ]);
    expect(typesIn(out)).toEqual(['CORPORATION', 'PERSON']);
  });
});
