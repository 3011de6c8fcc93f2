import { describe, expect, it } from 'vitest';
import { DataError, UsageError } from './errors.js';
import { chooseTypeSplit, foldApplies, parseFold } from './type-split.js';

const STOCKMARK = [
  'PERSON',
  'CORPORATION',
  'POLITICAL_ORG',
  'OTHER_ORG',
  'LOCATION',
  'FACILITY',
  'PRODUCT',
  'EVENT',
];
const none = new Map<string, number>();

describe('chooseTypeSplit', () => {
  it('defaults to Stockmark fold A when the data has the Stockmark types', () => {
    const s = chooseTypeSplit(STOCKMARK, none, 'd', {});
    expect(s.train).toEqual(['PERSON', 'CORPORATION', 'POLITICAL_ORG', 'FACILITY']);
    expect(s.test).toEqual(['LOCATION', 'OTHER_ORG', 'PRODUCT', 'EVENT']);
    expect(s.how).toMatch(/^Stockmark fold A/);
    expect(chooseTypeSplit(STOCKMARK, none, 'd', { fold: 'b' }).train).toEqual(s.test);
  });

  it('completes one explicit list with the other types, and rejects overlaps', () => {
    const s = chooseTypeSplit(['A', 'B', 'C'], none, 'd', { test: ['B'] });
    expect(s).toMatchObject({ train: ['A', 'C'], test: ['B'] });
    expect(chooseTypeSplit(['A', 'B', 'C'], none, 'd', { train: ['C'] })).toMatchObject({
      train: ['C'],
      test: ['A', 'B'],
    });
    expect(() => chooseTypeSplit(['A', 'B'], none, 'd', { train: ['A', 'B'], test: ['B'] })).toThrow(
      new UsageError(
        'B is both a train and a test type; novel-type evaluation needs disjoint --train-types and --test-types',
      ),
    );
    expect(() => chooseTypeSplit(['A', 'B'], none, 'd', { fold: 'A', test: ['B'] })).toThrow(UsageError);
  });

  it('alternates types by frequency for other data, and names unknown types', () => {
    const counts = new Map([
      ['X', 10],
      ['Y', 30],
      ['Z', 20],
      ['W', 5],
    ]);
    // By count: Y 30, Z 20, X 10, W 5 → train Y, X; test Z, W.
    expect(chooseTypeSplit(['W', 'X', 'Y', 'Z'], counts, 'd', {})).toMatchObject({
      train: ['Y', 'X'],
      test: ['Z', 'W'],
    });
    expect(() => chooseTypeSplit(['A', 'B'], none, 'data.jsonl', { test: ['SHIP'] })).toThrow(
      new DataError('data.jsonl: unknown entity type(s) SHIP; the data has A, B'),
    );
    expect(() => chooseTypeSplit(['A', 'B'], none, 'd', { fold: 'A' })).toThrow(DataError);
    expect(() => chooseTypeSplit(['A'], none, 'd', {})).toThrow('no test types left');
  });

  it('parses --fold and knows when a fold applies', () => {
    expect(parseFold('a')).toBe('A');
    expect(parseFold('none')).toBe('none');
    expect(parseFold(undefined)).toBeUndefined();
    expect(() => parseFold('C')).toThrow(UsageError);
    expect(foldApplies(STOCKMARK)).toBe(true);
    expect(foldApplies(STOCKMARK.slice(1))).toBe(false);
  });
});
