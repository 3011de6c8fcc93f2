import { describe, expect, it } from 'vitest';
import { datasetStats, lengthSummary, percentile, shareLongerThan, widthForCoverage } from './stats.js';
import type { Sentence } from './types.js';

const e = (start: number, end: number, type: string) => ({ start, end, type });
const sentences: Sentence[] = [
  { id: 'a', text: 'x'.repeat(20), entities: [e(0, 2, 'P'), e(3, 8, 'L'), e(10, 11, 'P')] },
  { id: 'b', text: 'x'.repeat(10), entities: [] },
  { id: 'c', text: 'x'.repeat(30), entities: [e(0, 10, 'L'), e(2, 4, 'P'), e(20, 23, 'O')] },
];

describe('stats', () => {
  it('percentile uses nearest rank', () => {
    const xs = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    expect(percentile(xs, 50)).toBe(5);
    expect(percentile(xs, 90)).toBe(9);
    expect(percentile(xs, 99)).toBe(10);
    expect(percentile(xs, 0)).toBe(1);
    expect(percentile([], 50)).toBe(0);
  });

  it('lengthSummary', () => {
    expect(lengthSummary([3, 1, 2])).toEqual({ count: 3, mean: 2, min: 1, p50: 2, p90: 3, p99: 3, max: 3 });
    expect(lengthSummary([])).toEqual({ count: 0, mean: 0, min: 0, p50: 0, p90: 0, p99: 0, max: 0 });
  });

  it('datasetStats counts sentences, types, lengths and overlaps', () => {
    const s = datasetStats(sentences);
    expect(s.sentences).toBe(3);
    expect(s.sentencesWithoutEntities).toBe(1);
    expect(s.entities).toBe(6);
    expect(s.perType).toEqual({ P: 3, L: 2, O: 1 });
    expect(Object.keys(s.perType)).toEqual(['P', 'L', 'O']);
    expect(s.sentencesPerType).toEqual({ L: 2, P: 2, O: 1 });
    // lengths: 2, 5, 1, 10, 2, 3 → sorted 1 2 2 3 5 10
    expect(s.entityLength).toEqual({ count: 6, mean: 23 / 6, min: 1, p50: 2, p90: 10, p99: 10, max: 10 });
    expect(s.textLength.mean).toBe(20);
    expect(s.overlappingEntities).toBe(2);
  });

  it('shareLongerThan and widthForCoverage', () => {
    expect(shareLongerThan(sentences, 3)).toBeCloseTo(2 / 6);
    expect(shareLongerThan(sentences, 10)).toBe(0);
    expect(shareLongerThan([], 3)).toBe(0);
    expect(widthForCoverage(sentences, 1)).toBe(10);
    expect(widthForCoverage(sentences, 5 / 6)).toBe(5);
    expect(widthForCoverage(sentences, 0.5)).toBe(2);
    const ten: Sentence[] = [
      { id: 't', text: 'x'.repeat(20), entities: Array.from({ length: 10 }, (_, i) => e(0, i + 1, 'X')) },
    ];
    expect(widthForCoverage(ten, 0.9)).toBe(9); // 0.9 * 10 in floating point is 9.000000000000002
    expect(shareLongerThan(ten, widthForCoverage(ten, 0.9))).toBeCloseTo(0.1);
    expect(() => widthForCoverage(sentences, 0)).toThrow(/coverage/);
  });
});
