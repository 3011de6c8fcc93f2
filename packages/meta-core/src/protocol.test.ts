import type { Sentence } from '@nerima/core';
import { describe, expect, it } from 'vitest';
import { foldTrainingSentences } from './protocol.js';

const s = (id: string, ...types: string[]): Sentence => ({
  id,
  text: 'あいうえおかきくけこ',
  entities: types.map((type, i) => ({
    start: i,
    end: i + 1,
    type,
    text: 'あいうえおかきくけこ'.slice(i, i + 1),
  })),
});

describe('foldTrainingSentences', () => {
  const fold = { train: ['PERSON', 'CORPORATION'], test: ['LOCATION', 'EVENT'] };
  const data = [
    s('1', 'PERSON'),
    s('2', 'PERSON', 'LOCATION'),
    s('3'),
    s('4', 'EVENT'),
    s('5', 'CORPORATION'),
  ];

  it('drops every sentence with a mention of a test type, so none is taught as a non-entity', () => {
    expect(foldTrainingSentences(data, fold).map((x) => x.id)).toEqual(['1', '3', '5']);
    expect(foldTrainingSentences(data, fold, 'drop').map((x) => x.id)).toEqual(['1', '3', '5']);
  });

  it("keeps them all with 'keep' and does not modify the input", () => {
    const kept = foldTrainingSentences(data, fold, 'keep');
    expect(kept).toHaveLength(5);
    expect(kept).not.toBe(data);
    expect(data[1]?.entities).toHaveLength(2);
  });
});
