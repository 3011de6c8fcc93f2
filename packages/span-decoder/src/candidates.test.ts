import { describe, expect, it } from 'vitest';
import { collectCandidates, flattenCandidates, selectStarts } from './candidates.js';

describe('candidate spans from start / end probabilities', () => {
  // Two texts padded to T = 4; the second has length 2, so its padded positions never count.
  const T = 4;
  const K = 3;
  const lengths = [4, 2];
  const startProbs = Float32Array.from([0.9, 0.1, 0.6, 0.2, 0.7, 0.3, 0.99, 0.99]);

  it('selects starts at or above the threshold inside each text', () => {
    const s = selectStarts(startProbs, lengths, T, 0.6);
    expect(Array.from(s.batch)).toEqual([0, 0, 1]);
    expect(Array.from(s.start)).toEqual([0, 2, 0]);
  });

  it('collects widths whose end probability passes and that stay inside the text', () => {
    const starts = selectStarts(startProbs, lengths, T, 0.6);
    // Rows: start (0,0), (0,2), (1,0); K = 3 widths each.
    const endProbs = Float32Array.from([0.8, 0.1, 0.5, 0.9, 0.9, 0.9, 0.2, 0.95, 0.9]);
    const per = collectCandidates(startProbs, endProbs, starts, lengths, T, K, 0.5);
    expect(per[0]?.map((c) => [c.start, c.end])).toEqual([
      [0, 1],
      [0, 3],
      [2, 3],
      [2, 4], // width 3 from 2 would end at 5 > 4: dropped
    ]);
    // Text 1 has length 2: the width-3 end (0.9) is outside it.
    expect(per[1]?.map((c) => [c.start, c.end, c.endProb])).toEqual([[0, 2, Math.fround(0.95)]]);
    expect(per[0]?.[1]?.startProb).toBeCloseTo(0.9);
  });

  it('caps each text by P(start)·P(end) and flattens with index arrays', () => {
    const c = (start: number, end: number, startProb: number, endProb: number) => ({
      start,
      end,
      startProb,
      endProb,
      typeProbs: [] as number[],
    });
    const per = [[c(0, 1, 0.9, 0.2), c(0, 2, 0.9, 0.9), c(3, 4, 0.5, 0.5)], [c(1, 2, 0.6, 0.6)]];
    const { flat, spans } = flattenCandidates(per, 2);
    expect(flat.map((x) => [x.start, x.end])).toEqual([
      [0, 2],
      [3, 4],
      [1, 2],
    ]);
    expect(Array.from(spans.batch)).toEqual([0, 0, 1]);
    expect(Array.from(spans.end)).toEqual([2, 4, 2]);
    expect(per[0]).toHaveLength(2);
  });
});
