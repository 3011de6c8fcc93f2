import type { Sentence } from '@nerima/core';
import { describe, expect, it } from 'vitest';
import { DataError } from './errors.js';
import { checkSupport } from './support.js';

const support: Sentence[] = [
  {
    id: 'a',
    text: '山田は東京に行く',
    entities: [
      { start: 0, end: 2, type: 'PERSON' },
      { start: 3, end: 5, type: 'LOCATION' },
    ],
  },
  { id: 'b', text: '佐藤が来た', entities: [{ start: 0, end: 2, type: 'PERSON' }] },
];

describe('checkSupport', () => {
  it('returns the listed types, or every type, with mention counts', () => {
    const all = checkSupport(support, 's.jsonl', undefined, 1);
    expect(all.types).toEqual(['LOCATION', 'PERSON']);
    expect(Object.fromEntries(all.counts)).toEqual({ PERSON: 2, LOCATION: 1 });
    expect(checkSupport(support, 's.jsonl', ['PERSON'], 2).types).toEqual(['PERSON']);
  });

  it('names the problem: empty, no entities, unknown type, fewer than K', () => {
    expect(() => checkSupport([], 's.jsonl', undefined, 1)).toThrow(
      new DataError('s.jsonl: the support set is empty; give at least one labelled sentence per type'),
    );
    expect(() => checkSupport([{ id: 'x', text: 'abc', entities: [] }], 's.jsonl', undefined, 1)).toThrow(
      /no entities/,
    );
    expect(() => checkSupport(support, 's.jsonl', ['PERSON', 'SHIP'], 1)).toThrow(
      new DataError(
        's.jsonl: unknown type(s) SHIP: the support set has no mention of them; it has PERSON (2), LOCATION (1)',
      ),
    );
    expect(() => checkSupport(support, 's.jsonl', undefined, 2)).toThrow(
      new DataError(
        's.jsonl: LOCATION has 1 mention(s), fewer than --min-k 2; add examples or lower --min-k',
      ),
    );
  });
});
