import { describe, expect, it } from 'vitest';
import { DEFAULT_DECODE_OPTIONS } from './config.js';
import { type CandidateSpan, crosses, decode, type TextSpanScores } from './decode.js';
import { hasNestedOrOverlapping } from './trainer.js';
import { tuneThresholds } from './tune.js';

const TYPES = ['ORG', 'LOC'];
// index:        0 1 2 3 4 5 6 7 8 9
const TEXT = '東京大学病院の山田です';

function cand(
  start: number,
  end: number,
  startProb: number,
  endProb: number,
  probs: number[],
): CandidateSpan {
  return { start, end, startProb, endProb, typeProbs: probs };
}

function scores(candidates: CandidateSpan[]): TextSpanScores {
  return { text: TEXT, types: TYPES, startProbs: new Float32Array(TEXT.length), candidates };
}

describe('crosses', () => {
  it('is true only for partial overlap', () => {
    expect(crosses({ start: 0, end: 4 }, { start: 2, end: 6 })).toBe(true);
    expect(crosses({ start: 2, end: 6 }, { start: 0, end: 4 })).toBe(true);
    expect(crosses({ start: 0, end: 4 }, { start: 0, end: 2 })).toBe(false); // nested, shared start
    expect(crosses({ start: 0, end: 6 }, { start: 2, end: 4 })).toBe(false); // strictly inside
    expect(crosses({ start: 0, end: 2 }, { start: 2, end: 4 })).toBe(false); // adjacent
  });
});

describe('decode', () => {
  it('keeps nested spans and scores them start·end·type', () => {
    const preds = decode(
      scores([
        cand(0, 6, 0.9, 0.8, [0.1, 0.9, 0.0]), // 東京大学病院 ORG: 0.9·0.8·0.9 = 0.648
        cand(0, 2, 0.9, 0.5, [0.2, 0.0, 0.8]), // 東京 LOC (nested, shares the start): 0.36
        cand(2, 4, 0.6, 0.9, [0.3, 0.7, 0.0]), // 大学 ORG strictly inside: 0.378
      ]),
      { startThreshold: 0.5, endThreshold: 0.5, typeThreshold: 0.5 },
    );
    expect(preds.map((p) => [p.start, p.end, p.type, p.text])).toEqual([
      [0, 2, 'LOC', '東京'],
      [0, 6, 'ORG', '東京大学病院'],
      [2, 4, 'ORG', '大学'],
    ]);
    expect(preds[1]?.score).toBeCloseTo(0.648, 6);
    expect(preds[0]?.score).toBeCloseTo(0.36, 6);
  });

  it('resolves crossing spans greedily by joint score', () => {
    // [0,4) 東京大学 scores 0.9·0.9·0.9 = 0.729; [2,6) 大学病院 0.9·0.9·0.8 = 0.648 crosses it;
    // [3,6) 学病院 0.5·0.5·0.9 = 0.225 crosses [0,4) as well; [7,9) 山田 is disjoint.
    const preds = decode(
      scores([
        cand(2, 6, 0.9, 0.9, [0.2, 0.8, 0.0]),
        cand(0, 4, 0.9, 0.9, [0.1, 0.9, 0.0]),
        cand(3, 6, 0.5, 0.5, [0.1, 0.9, 0.0]),
        cand(7, 9, 0.8, 0.8, [0.1, 0.0, 0.9]),
      ]),
      { startThreshold: 0.1, endThreshold: 0.1, typeThreshold: 0 },
    );
    expect(preds.map((p) => [p.start, p.end])).toEqual([
      [0, 4],
      [7, 9],
    ]);
    // Flip the scores: now [2,6) wins and [0,4) is dropped; [3,6) is nested in [2,6) and survives.
    const flipped = decode(
      scores([
        cand(2, 6, 0.95, 0.95, [0.05, 0.95, 0.0]),
        cand(0, 4, 0.6, 0.6, [0.1, 0.9, 0.0]),
        cand(3, 6, 0.5, 0.5, [0.1, 0.9, 0.0]),
      ]),
      { startThreshold: 0.1, endThreshold: 0.1, typeThreshold: 0 },
    );
    expect(flipped.map((p) => [p.start, p.end])).toEqual([
      [2, 6],
      [3, 6],
    ]);
  });

  it('drops nested spans when allowNested is false', () => {
    const preds = decode(
      scores([cand(0, 6, 0.9, 0.8, [0.1, 0.9, 0.0]), cand(0, 2, 0.9, 0.5, [0.2, 0.0, 0.8])]),
      { startThreshold: 0.5, endThreshold: 0.5, allowNested: false },
    );
    expect(preds.map((p) => [p.start, p.end])).toEqual([[0, 6]]);
  });

  it('applies each threshold and rejects spans where none wins', () => {
    const c = [
      cand(0, 2, 0.4, 0.9, [0.1, 0.0, 0.9]), // start below 0.5
      cand(2, 4, 0.9, 0.4, [0.1, 0.9, 0.0]), // end below 0.5
      cand(7, 9, 0.9, 0.9, [0.6, 0.0, 0.4]), // none beats LOC
      cand(4, 6, 0.9, 0.9, [0.3, 0.35, 0.35]), // best type 0.35 < typeThreshold 0.4
      cand(0, 4, 0.9, 0.9, [0.2, 0.7, 0.1]), // kept
    ];
    const preds = decode(scores(c), { startThreshold: 0.5, endThreshold: 0.5, typeThreshold: 0.4 });
    expect(preds.map((p) => [p.start, p.end, p.type])).toEqual([[0, 4, 'ORG']]);
    // With lower thresholds the first two come back ([0,2) is nested in [0,4), [2,4) too).
    const loose = decode(scores(c), { startThreshold: 0.3, endThreshold: 0.3, typeThreshold: 0.4 });
    expect(loose.map((p) => [p.start, p.end])).toEqual([
      [0, 2],
      [0, 4],
      [2, 4],
    ]);
  });

  it('throws when typeProbs and types disagree', () => {
    expect(() => decode(scores([cand(0, 2, 1, 1, [0, 0, 0, 1])]), { startThreshold: 0 })).toThrow(
      /3 types|2 types/,
    );
  });
});

describe('tuneThresholds', () => {
  it('picks the thresholds with the best micro F1 on the given gold', () => {
    // Gold: 東京大学 ORG [0,4). A spurious [7,9) has startProb 0.35: startThreshold 0.4 removes it.
    const s = scores([cand(0, 4, 0.9, 0.9, [0.1, 0.9, 0]), cand(7, 9, 0.35, 0.9, [0.1, 0.9, 0])]);
    const base = { ...DEFAULT_DECODE_OPTIONS, startThreshold: 0.1, endThreshold: 0.1 };
    const grid = { startThreshold: [0.1, 0.4, 0.95], endThreshold: [0.1], typeThreshold: [0] };
    const r = tuneThresholds([s], [[{ start: 0, end: 4, type: 'ORG' }]], base, grid);
    expect(r.options.startThreshold).toBe(0.4);
    expect(r.microF1).toBe(1);
  });
});

describe('hasNestedOrOverlapping', () => {
  const s = (entities: { start: number; end: number; type: string }[]) => ({
    id: 'x',
    text: 'abcdefgh',
    entities,
  });
  it('detects nesting and crossing, not disjoint spans or exact duplicates', () => {
    expect(
      hasNestedOrOverlapping([
        s([
          { start: 0, end: 4, type: 'A' },
          { start: 4, end: 6, type: 'A' },
        ]),
      ]),
    ).toBe(false);
    expect(
      hasNestedOrOverlapping([
        s([
          { start: 0, end: 4, type: 'A' },
          { start: 0, end: 4, type: 'B' },
        ]),
      ]),
    ).toBe(false);
    expect(
      hasNestedOrOverlapping([
        s([
          { start: 0, end: 4, type: 'A' },
          { start: 1, end: 2, type: 'B' },
        ]),
      ]),
    ).toBe(true);
    expect(
      hasNestedOrOverlapping([
        s([
          { start: 0, end: 4, type: 'A' },
          { start: 3, end: 6, type: 'B' },
        ]),
      ]),
    ).toBe(true);
  });
});
