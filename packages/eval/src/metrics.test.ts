import type { Entity } from '@nerima/core';
import { describe, expect, it } from 'vitest';
import { evaluateSpans, SpanMetricsAccumulator, scores } from './metrics.js';

const e = (type: string, start: number, end: number): Entity => ({ type, start, end });

describe('scores', () => {
  it('computes P, R, F1 and uses 0 for 0/0', () => {
    expect(scores({ tp: 3, fp: 1, fn: 2 })).toEqual({
      precision: 0.75,
      recall: 0.6,
      f1: (2 * 0.75 * 0.6) / 1.35,
    });
    expect(scores({ tp: 0, fp: 0, fn: 4 })).toEqual({ precision: 0, recall: 0, f1: 0 });
    expect(scores({ tp: 0, fp: 2, fn: 0 })).toEqual({ precision: 0, recall: 0, f1: 0 });
    expect(scores({ tp: 0, fp: 0, fn: 0 })).toEqual({ precision: 0, recall: 0, f1: 0 });
  });
});

describe('evaluateSpans', () => {
  it('treats nested spans as separate items and counts duplicate predictions once', () => {
    const gold = [[e('LOC', 0, 3), e('LOC', 0, 2), e('PER', 5, 7)]];
    const pred = [[e('LOC', 0, 3), e('LOC', 0, 3), e('LOC', 0, 2), e('ORG', 5, 7)]];
    const r = evaluateSpans(gold, pred);
    expect(r.gold).toBe(3);
    expect(r.predicted).toBe(3);
    expect(r.perType['LOC']).toEqual({ tp: 2, fp: 0, fn: 0, precision: 1, recall: 1, f1: 1, support: 2 });
    expect(r.perType['PER']).toMatchObject({ tp: 0, fp: 0, fn: 1, f1: 0, support: 1 });
    expect(r.perType['ORG']).toMatchObject({ tp: 0, fp: 1, fn: 0, f1: 0, support: 0 });
    expect(r.micro).toMatchObject({ tp: 2, fp: 1, fn: 1 });
    expect(r.micro.f1).toBeCloseTo(2 / 3, 12);
    // Macro over gold ∪ pred types, sorted: LOC 1, ORG 0, PER 0.
    expect(r.macro.types).toEqual(['LOC', 'ORG', 'PER']);
    expect(r.macro.f1).toBeCloseTo(1 / 3, 12);
    expect(r.untyped).toMatchObject({ tp: 3, fp: 0, fn: 0, f1: 1 });
    expect(r.boundary).toMatchObject({ gold: 3, start: 1, end: 1, span: 1 });
  });

  it('counts two gold entities with the same span and different types as two items', () => {
    const r = evaluateSpans([[e('PER', 0, 2), e('ORG', 0, 2), e('PER', 0, 2)]], [[e('PER', 0, 2)]]);
    expect(r.gold).toBe(2); // the repeated PER(0,2) is one item
    expect(r.micro).toMatchObject({ tp: 1, fp: 0, fn: 1, precision: 1, recall: 0.5 });
    expect(r.micro.f1).toBeCloseTo(2 / 3, 12);
    expect(r.macro.f1).toBeCloseTo(0.5, 12); // PER 1, ORG 0
    // Untyped: one gold span, one predicted span, matched.
    expect(r.untyped).toMatchObject({ tp: 1, fp: 0, fn: 0, f1: 1 });
    // Both typed gold items have a prediction with the same (start, end).
    expect(r.boundary).toMatchObject({ gold: 2, spanHits: 2, span: 1 });
  });

  it('scores empty predictions as 0 (precision 0/0 = 0)', () => {
    const r = evaluateSpans([[e('PER', 0, 2)], [e('LOC', 1, 3)]], [[], []]);
    expect(r.micro).toEqual({ tp: 0, fp: 0, fn: 2, precision: 0, recall: 0, f1: 0 });
    expect(r.macro).toEqual({ precision: 0, recall: 0, f1: 0, types: ['LOC', 'PER'] });
    expect(r.predicted).toBe(0);
    expect(r.boundary).toMatchObject({ gold: 2, start: 0, end: 0, span: 0 });
  });

  it('scores empty gold as 0 (recall 0/0 = 0) and an empty evaluation as all zeros', () => {
    const r = evaluateSpans([[]], [[e('PER', 0, 1)]]);
    expect(r.micro).toEqual({ tp: 0, fp: 1, fn: 0, precision: 0, recall: 0, f1: 0 });
    expect(r.perType['PER']?.support).toBe(0);
    expect(r.boundary).toMatchObject({ gold: 0, start: 0, end: 0, span: 0 });

    const empty = evaluateSpans([[], []], [[], []]);
    expect(empty.sentences).toBe(2);
    expect(empty.micro.f1).toBe(0);
    expect(empty.macro).toEqual({ precision: 0, recall: 0, f1: 0, types: [] });
    expect(empty.perType).toEqual({});
  });

  it('separates a type-only mismatch from a boundary error', () => {
    const typeOnly = evaluateSpans([[e('PER', 0, 2)]], [[e('LOC', 0, 2)]]);
    expect(typeOnly.micro).toMatchObject({ tp: 0, fp: 1, fn: 1, f1: 0 });
    expect(typeOnly.untyped).toMatchObject({ tp: 1, fp: 0, fn: 0, f1: 1 });
    expect(typeOnly.boundary).toMatchObject({ start: 1, end: 1, span: 1 });

    // PER(0,3) predicted as PER(0,2): right start, wrong end; PER(4,6) as PER(3,6): the reverse.
    const boundary = evaluateSpans([[e('PER', 0, 3), e('PER', 4, 6)]], [[e('PER', 0, 2), e('PER', 3, 6)]]);
    expect(boundary.micro).toMatchObject({ tp: 0, fp: 2, fn: 2, f1: 0 });
    expect(boundary.untyped).toMatchObject({ tp: 0, fp: 2, fn: 2, f1: 0 });
    expect(boundary.boundary).toEqual({
      gold: 2,
      startHits: 1,
      endHits: 1,
      spanHits: 0,
      start: 0.5,
      end: 0.5,
      span: 0,
    });
  });

  it('never matches entities across sentences', () => {
    const r = evaluateSpans([[e('PER', 0, 2)], []], [[], [e('PER', 0, 2)]]);
    expect(r.micro).toMatchObject({ tp: 0, fp: 1, fn: 1 });
    expect(r.boundary.start).toBe(0);
  });

  it('sums counts over sentences before scoring (micro) and averages types (macro)', () => {
    const gold = [[e('A', 0, 1), e('B', 2, 4)], [e('A', 0, 2)], [e('A', 3, 4), e('B', 0, 1)]];
    const pred = [[e('A', 0, 1)], [e('A', 0, 2), e('B', 5, 6)], [e('A', 3, 4), e('B', 0, 1), e('A', 0, 1)]];
    const r = evaluateSpans(gold, pred);
    // A: tp 3 (s0, s1, s2), fp 1 (s2 A(0,1)), fn 0; B: tp 1, fp 1, fn 1.
    expect(r.perType['A']).toMatchObject({ tp: 3, fp: 1, fn: 0, precision: 0.75, recall: 1 });
    expect(r.perType['B']).toMatchObject({ tp: 1, fp: 1, fn: 1, precision: 0.5, recall: 0.5, f1: 0.5 });
    expect(r.micro).toMatchObject({ tp: 4, fp: 2, fn: 1 });
    expect(r.micro.precision).toBeCloseTo(4 / 6, 12);
    expect(r.micro.recall).toBeCloseTo(4 / 5, 12);
    expect(r.micro.f1).toBeCloseTo(8 / 11, 12);
    const fA = (2 * 0.75) / 1.75;
    expect(r.macro.f1).toBeCloseTo((fA + 0.5) / 2, 12);
    expect(r.macro.precision).toBeCloseTo(0.625, 12);
    expect(r.weighted.f1).toBeCloseTo((fA * 3 + 0.5 * 2) / 5, 12);
  });

  it('macro-averages over options.types, including listed types that never occur', () => {
    const gold = [[e('A', 0, 1)]];
    const pred = [[e('A', 0, 1), e('Z', 2, 3)]];
    const r = evaluateSpans(gold, pred, { types: ['B', 'A'] });
    expect(r.macro.types).toEqual(['B', 'A']);
    expect(r.macro.f1).toBeCloseTo(0.5, 12); // A: 1, B: 0 (0/0)
    // The unlisted Z prediction is still a false positive in micro and appears in perType.
    expect(r.micro).toMatchObject({ tp: 1, fp: 1, fn: 0, precision: 0.5 });
    expect(Object.keys(r.perType)).toEqual(['A', 'B', 'Z']);
  });

  it('rejects mismatched lengths and malformed entities with a message naming the place', () => {
    expect(() => evaluateSpans([[]], [])).toThrow(/gold has 1 sentences but pred has 0/);
    expect(() => evaluateSpans([[], []], [[], [e('A', 3, 3)]])).toThrow(/sentence 1: pred\[0\]\.end = 3/);
    expect(() => evaluateSpans([[e('A', -1, 2)]], [[]])).toThrow(/sentence 0: gold\[0\]\.start = -1/);
    expect(() => evaluateSpans([[{ start: 0, end: 1, type: '' }]], [[]])).toThrow(/gold\[0\]\.type/);
    expect(() => evaluateSpans([[]], [[]], { types: ['A', 'A'] })).toThrow(/listed twice/);
  });
});

describe('SpanMetricsAccumulator', () => {
  it('gives the same report as evaluateSpans, and partial reports along the way', () => {
    const gold = [[e('A', 0, 1)], [e('B', 0, 2), e('A', 3, 5)], []];
    const pred = [[e('A', 0, 1)], [e('B', 0, 1)], [e('A', 0, 1)]];
    const acc = new SpanMetricsAccumulator();
    acc.add(gold[0]!, pred[0]!);
    expect(acc.report().micro.f1).toBe(1);
    acc.add(gold[1]!, pred[1]!).add(gold[2]!, pred[2]!);
    expect(acc.sentences).toBe(3);
    expect(acc.report()).toEqual(evaluateSpans(gold, pred));
  });

  it('keeps a type named __proto__ as an ordinary key', () => {
    const r = new SpanMetricsAccumulator().add([e('__proto__', 0, 1)], [e('__proto__', 0, 1)]).report();
    expect(Object.keys(r.perType)).toEqual(['__proto__']);
    expect(Object.entries(r.perType)[0]?.[1].f1).toBe(1);
    expect(Object.getPrototypeOf(r.perType)).toBe(Object.prototype);
  });
});

/**
 * Strict IOB2 chunking as seqeval does it with `mode='strict', scheme=IOB2`: an entity is B-X
 * followed by I-X*; an I- tag that does not continue a chunk of the same type starts nothing.
 * Tokens are positions, so offsets are token indices (the metric only compares integers).
 */
function iob2Entities(tags: readonly string[]): Entity[] {
  const out: Entity[] = [];
  let i = 0;
  while (i < tags.length) {
    const tag = tags[i]!;
    if (tag.startsWith('B-')) {
      const type = tag.slice(2);
      let j = i + 1;
      while (j < tags.length && tags[j] === `I-${type}`) j++;
      out.push({ type, start: i, end: j });
      i = j;
    } else {
      i++;
    }
  }
  return out;
}

describe('agreement with seqeval classification_report (mode=strict, scheme=IOB2)', () => {
  // The numbers below are what seqeval 1.2.2's classification_report(y_true, y_pred,
  // mode='strict', scheme=IOB2, output_dict=True) gives, worked out by hand:
  // labels = sorted(types in y_true ∪ y_pred); per-label P = tp/pred, R = tp/true with 0 for 0/0
  // (zero_division='warn' → 0); F1 = 2PR/(P+R), 0 when P+R = 0; micro avg from summed counts;
  // macro avg = unweighted mean of the per-label P, R, F1; weighted avg = mean weighted by support.
  const yTrue = [
    ['B-PER', 'I-PER', 'O', 'B-LOC', 'O', 'B-ORG', 'I-ORG', 'I-ORG'],
    ['O', 'B-LOC', 'I-LOC', 'O', 'B-PER', 'O'],
    ['B-MISC', 'O', 'B-PER', 'I-PER', 'I-PER', 'O'],
  ];
  const yPred = [
    ['B-PER', 'I-PER', 'O', 'B-ORG', 'O', 'B-ORG', 'I-ORG', 'O'],
    ['O', 'B-LOC', 'I-LOC', 'O', 'B-PER', 'O'],
    ['O', 'O', 'B-PER', 'I-PER', 'O', 'B-PER'],
  ];

  it('matches per-label rows, micro avg, macro avg and weighted avg', () => {
    const r = evaluateSpans(yTrue.map(iob2Entities), yPred.map(iob2Entities));
    // LOC: true {s0 3-4, s1 1-3}, pred {s1 1-3} → tp 1; P 1, R 1/2, F1 2/3, support 2.
    // MISC: true {s2 0-1}, pred {} → P 0 (0/0), R 0, F1 0, support 1.
    // ORG: true {s0 5-8}, pred {s0 3-4, s0 5-7} → tp 0; P 0, R 0, F1 0, support 1.
    // PER: true {s0 0-2, s1 4-5, s2 2-5}, pred {s0 0-2, s1 4-5, s2 2-4, s2 5-6} → tp 2;
    //      P 2/4, R 2/3, F1 4/7, support 3.
    const expected = {
      LOC: { precision: 1, recall: 1 / 2, f1: 2 / 3, support: 2 },
      MISC: { precision: 0, recall: 0, f1: 0, support: 1 },
      ORG: { precision: 0, recall: 0, f1: 0, support: 1 },
      PER: { precision: 1 / 2, recall: 2 / 3, f1: 4 / 7, support: 3 },
    };
    expect(Object.keys(r.perType)).toEqual(Object.keys(expected));
    for (const [type, row] of Object.entries(expected)) {
      const got = r.perType[type]!;
      expect(got.precision).toBeCloseTo(row.precision, 12);
      expect(got.recall).toBeCloseTo(row.recall, 12);
      expect(got.f1).toBeCloseTo(row.f1, 12);
      expect(got.support).toBe(row.support);
    }
    // micro avg: tp 3, pred 7, true 7 → P = R = F1 = 3/7 = 0.428571…
    expect(r.micro.precision).toBeCloseTo(3 / 7, 12);
    expect(r.micro.recall).toBeCloseTo(3 / 7, 12);
    expect(r.micro.f1).toBeCloseTo(3 / 7, 12);
    // macro avg: P (1 + 0 + 0 + 0.5)/4 = 0.375, R (0.5 + 2/3)/4 = 7/24, F1 (2/3 + 4/7)/4 = 13/42.
    expect(r.macro.precision).toBeCloseTo(0.375, 12);
    expect(r.macro.recall).toBeCloseTo(7 / 24, 12);
    expect(r.macro.f1).toBeCloseTo(13 / 42, 12);
    // weighted avg: P (1·2 + 0.5·3)/7 = 0.5, R (0.5·2 + 2/3·3)/7 = 3/7, F1 (2/3·2 + 4/7·3)/7 = 64/147.
    expect(r.weighted.precision).toBeCloseTo(0.5, 12);
    expect(r.weighted.recall).toBeCloseTo(3 / 7, 12);
    expect(r.weighted.f1).toBeCloseTo(64 / 147, 12);
    // Not in seqeval, same data: untyped spans match 4 of 7; 6 of 7 gold starts and 4 of 7 ends.
    expect(r.untyped).toMatchObject({ tp: 4, fp: 3, fn: 3 });
    expect(r.boundary).toMatchObject({ gold: 7, startHits: 6, endHits: 4, spanHits: 4 });
  });

  it('follows strict mode for an I- tag without B- (no entity), unlike seqeval default mode', () => {
    // Default (conlleval) mode would read I-PER I-PER as PER(0,2) and score 1.0; strict gives 0.
    const r = evaluateSpans([iob2Entities(['B-PER', 'I-PER', 'O'])], [iob2Entities(['I-PER', 'I-PER', 'O'])]);
    expect(r.predicted).toBe(0);
    expect(r.perType['PER']).toMatchObject({ precision: 0, recall: 0, f1: 0, support: 1 });
    expect(r.micro.f1).toBe(0);
    expect(r.macro.f1).toBe(0);
  });

  it('matches seqeval for predictions only (no gold): label with support 0 scores 0', () => {
    const r = evaluateSpans([iob2Entities(['O', 'O'])], [iob2Entities(['B-LOC', 'O'])]);
    // LOC: P 0/1 = 0, R 0/0 → 0, F1 0, support 0; micro the same; macro over {LOC} = 0.
    expect(r.perType['LOC']).toMatchObject({ precision: 0, recall: 0, f1: 0, support: 0 });
    expect(r.micro).toMatchObject({ precision: 0, recall: 0, f1: 0 });
    expect(r.macro.f1).toBe(0);
    expect(r.weighted).toEqual({ precision: 0, recall: 0, f1: 0 });
  });
});
