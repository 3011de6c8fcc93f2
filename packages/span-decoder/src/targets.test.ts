import { createRng } from '@nerima/core';
import { describe, expect, it } from 'vitest';
import { bucketBatches } from './batching.js';
import { defaultDecoderConfig } from './config.js';
import { learningRateAt } from './schedule.js';
import { buildTargets, sampleNegatives } from './targets.js';

const cfg = { ...defaultDecoderConfig(4, ['ORG', 'LOC']), maxWidth: 4, negativeRatio: 2, minNegatives: 3 };

describe('buildTargets', () => {
  // Row 0 "東京大学で" (len 5): 東京大学 ORG [0,4) and nested 東京 LOC [0,2) share start 0.
  // Row 1 "京都" (len 2, padded to 5): 京都 LOC [0,2); a PERSON entity is ignored (unknown type).
  const entities = [
    [
      { start: 0, end: 2, type: 'LOC' },
      { start: 0, end: 4, type: 'ORG' },
    ],
    [
      { start: 0, end: 2, type: 'LOC' },
      { start: 1, end: 2, type: 'PERSON' },
    ],
  ];
  const t = buildTargets(entities, [5, 2], 5, cfg, createRng(1));

  it('labels starts and weights padding 0, gold starts startPosWeight', () => {
    expect(Array.from(t.startLabels)).toEqual([1, 0, 0, 0, 0, 1, 0, 0, 0, 0]);
    expect(Array.from(t.startWeights)).toEqual([2, 1, 1, 1, 1, 2, 1, 0, 0, 0]);
  });

  it('gives multi-hot ends per distinct gold start, masked past the text', () => {
    expect(Array.from(t.goldStarts.batch)).toEqual([0, 1]);
    expect(Array.from(t.goldStarts.start)).toEqual([0, 0]);
    // start (0,0): ends at width 2 and 4 → k = 1, 3. start (1,0): width 2 → k = 1; text length 2 → k ≥ 2 invalid.
    expect(Array.from(t.endLabels)).toEqual([0, 1, 0, 1, 0, 1, 0, 0]);
    expect(Array.from(t.endWeights)).toEqual([1, 2, 1, 2, 1, 2, 0, 0]);
  });

  it('types gold spans and never samples a gold span as negative', () => {
    expect(t.numGold).toBe(3);
    // Gold in entity order: LOC [0,2) → 2, ORG [0,4) → 1, LOC → 2.
    expect(Array.from(t.typeLabels.slice(0, 3))).toEqual([2, 1, 2]);
    const gold = new Set(['0:0:2', '0:0:4', '1:0:2', '1:1:2']);
    for (let i = t.numGold; i < t.typeLabels.length; i++) {
      const key = `${t.typeSpans.batch[i]}:${t.typeSpans.start[i]}:${t.typeSpans.end[i]}`;
      expect(gold.has(key)).toBe(false);
      expect(t.typeLabels[i]).toBe(0);
      const w = t.typeSpans.end[i]! - t.typeSpans.start[i]!;
      expect(w).toBeGreaterThan(0);
      expect(w).toBeLessThanOrEqual(4);
    }
    // Row 0 wants max(3, 2·2) = 4 negatives; row 1 (2 chars: 3 spans, 2 of them entities —
    // the PERSON one is not a negative either) can give only 1.
    expect(t.numNegatives).toBe(5);
  });

  it('is reproducible from the seed', () => {
    const again = buildTargets(entities, [5, 2], 5, cfg, createRng(1));
    expect(Array.from(again.typeSpans.start)).toEqual(Array.from(t.typeSpans.start));
    expect(Array.from(again.typeSpans.end)).toEqual(Array.from(t.typeSpans.end));
  });

  it('rejects entities outside the text', () => {
    expect(() => buildTargets([[{ start: 1, end: 9, type: 'ORG' }]], [5], 5, cfg, createRng(1))).toThrow(
      /outside/,
    );
  });
});

describe('sampleNegatives', () => {
  it('samples distinct spans, hard ones near the gold span', () => {
    const gold = [{ start: 3, end: 6, type: 'X' }];
    const negs = sampleNegatives(gold, 20, 5, 10, 1, new Set([3 * 21 + 6]), 20, createRng(2));
    expect(negs.length).toBe(10);
    expect(new Set(negs.map(([s, e]) => `${s}:${e}`)).size).toBe(10);
    // Every hard negative shares a boundary with the gold span or is it shifted by ≤ 2.
    for (const [s, e] of negs) expect(s === 3 || e === 6 || (Math.abs(s - 3) <= 2 && e - s === 3)).toBe(true);
  });
});

describe('bucketBatches', () => {
  it('covers every item once, sorts within pools, and is reproducible', () => {
    const lengths = Array.from({ length: 23 }, (_, i) => (i * 7) % 11);
    const b1 = bucketBatches(lengths, 4, createRng(5), 100);
    const b2 = bucketBatches(lengths, 4, createRng(5), 100);
    expect(b1).toEqual(b2);
    expect(b1.length).toBe(6);
    expect(b1.flat().sort((a, b) => a - b)).toEqual(lengths.map((_, i) => i));
    // One pool holds everything: batches are length-sorted runs, so each batch's spread is small.
    for (const b of b1) {
      const ls = b.map((i) => lengths[i]!);
      expect(Math.max(...ls) - Math.min(...ls)).toBeLessThanOrEqual(3);
    }
  });
});

describe('learningRateAt', () => {
  it('warms up linearly then decays', () => {
    const s = { warmupSteps: 4, decay: 'linear' as const };
    expect(learningRateAt(0, 14, 1, s)).toBeCloseTo(0.25);
    expect(learningRateAt(3, 14, 1, s)).toBeCloseTo(1);
    expect(learningRateAt(9, 14, 1, s)).toBeCloseTo(0.5);
    expect(learningRateAt(14, 14, 1, s)).toBeCloseTo(0);
    expect(learningRateAt(9, 14, 1, { warmupSteps: 4, decay: 'cosine' })).toBeCloseTo(0.5);
    expect(learningRateAt(4, 14, 1, { warmupSteps: 4, decay: 'cosine', minFactor: 0.1 })).toBeCloseTo(1);
    expect(learningRateAt(14, 14, 1, { warmupSteps: 4, decay: 'cosine', minFactor: 0.1 })).toBeCloseTo(0.1);
    expect(learningRateAt(10, 14, 2, { warmupSteps: 0, decay: 'constant' })).toBe(2);
  });
});
