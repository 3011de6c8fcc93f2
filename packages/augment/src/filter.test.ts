import type { Prediction, Tagger } from '@nerima/core';
import { describe, expect, it } from 'vitest';
import { runFilter, structureProblems } from './filter.js';
import type { Candidate } from './types.js';

/** A candidate from `[surface, type]` pairs located in `text`. */
function cand(text: string, mentions: [string, string][], over: Partial<Candidate> = {}): Candidate {
  const entities = mentions.map(([surface, type]) => {
    const start = text.indexOf(surface);
    return { start, end: start + surface.length, type, text: surface };
  });
  return {
    text,
    entities,
    origins: entities.map((_, index) => ({ kind: 'source', index })),
    generator: 'g',
    sourceId: 's',
    provenance: { kind: 'swap', edits: [], droppedInner: [] },
    ...over,
  };
}

/** A tagger returning fixed predictions `[surface, type, score]` per text. */
function fakeTagger(
  table: Record<string, [string, string, number][]>,
  types = ['PER', 'LOC'],
): Tagger & { calls: number } {
  const t = {
    types,
    calls: 0,
    async predict(texts: readonly string[]): Promise<Prediction[][]> {
      t.calls++;
      return texts.map((text) =>
        (table[text] ?? []).map(([surface, type, score]) => {
          const start = text.indexOf(surface);
          return { start, end: start + surface.length, type, text: surface, score };
        }),
      );
    },
  };
  return t;
}

const ctx = (source = '田中は東京に住む。') => ({
  sourceTexts: new Map([['s', source]]),
  inputTexts: new Set([source]),
});

describe('structureProblems', () => {
  it('names wrong slices, out-of-range offsets and split surrogate pairs', () => {
    const c = cand('𠮷田と東京', [['東京', 'LOC']]);
    expect(structureProblems(c)).toEqual([]);
    c.entities.push(
      { start: 1, end: 3, type: 'PER', text: '田' },
      { start: 4, end: 9, type: 'X', text: 'x' },
    );
    c.origins.push({ kind: 'source', index: 1 }, { kind: 'source', index: 2 });
    expect(structureProblems(c)).toEqual([
      'entities[1]: [1, 3) splits a surrogate pair',
      'entities[1]: text "田" but the text has "\\udfb7田" there',
      'entities[2]: [4, 9) is not a non-empty range inside the text (length 6)',
    ]);
  });
});

describe('runFilter', () => {
  const good = cand('佐藤は大阪に住む。', [
    ['佐藤', 'PER'],
    ['大阪', 'LOC'],
  ]);
  const shaky = cand('鈴木は京都に住む。', [
    ['鈴木', 'PER'],
    ['京都', 'LOC'],
  ]);
  const wrongType = cand('山本は神戸に住む。', [
    ['山本', 'PER'],
    ['神戸', 'LOC'],
  ]);
  const tagger = fakeTagger({
    '佐藤は大阪に住む。': [
      ['佐藤', 'PER', 0.9],
      ['大阪', 'LOC', 0.8],
    ],
    // mean 0.45, min 0.1
    '鈴木は京都に住む。': [
      ['鈴木', 'PER', 0.8],
      ['京都', 'LOC', 0.1],
    ],
    // tagger calls 神戸 a PER: confidence of the claimed LOC is 0 → mean 0.45
    '山本は神戸に住む。': [
      ['山本', 'PER', 0.9],
      ['神戸', 'PER', 0.9],
    ],
  });

  it('drops by mean confidence, then by agreement, with reasons and per-generator counts', async () => {
    const r = await runFilter(
      [good, shaky, wrongType],
      { confidence: { threshold: 0.4 } },
      { ...ctx(), tagger },
    );
    expect(r.kept).toEqual([good, shaky]);
    const [structure, confidence, consistency, similarity] = r.stages;
    expect(structure).toMatchObject({ input: 3, kept: 3 });
    expect(confidence).toMatchObject({ enabled: true, input: 3, kept: 3, dropped: 0 });
    expect(consistency).toMatchObject({
      input: 3,
      kept: 2,
      reasons: { 'tagger-disagrees': 1 },
      perGenerator: { g: { input: 3, kept: 2 } },
    });
    expect(similarity).toMatchObject({ input: 2, kept: 2 });
    // At the default threshold 0.5 the two candidates with mean 0.45 go at stage 1.
    const strict = await runFilter([good, shaky, wrongType], {}, { ...ctx(), tagger });
    expect(strict.kept).toEqual([good]);
    expect(strict.stages[1]!.reasons).toEqual({ 'low-confidence': 2 });
    expect(r.examples.find((e) => e.text === '山本は神戸に住む。')!.reason).toBe(
      'agreement 0.50 < 1: 神戸/LOC [3,5) → 神戸/PER [3,5)',
    );
    expect(tagger.calls).toBe(2); // one predict call per runFilter
  });

  it('min aggregation is stricter than mean; minAgreement 0.5 accepts half the entities', async () => {
    const mean = await runFilter(
      [shaky],
      { confidence: { threshold: 0.4 }, consistency: false },
      { ...ctx(), tagger },
    );
    expect(mean.kept).toHaveLength(1);
    const min = await runFilter(
      [shaky],
      { confidence: { threshold: 0.4, aggregate: 'min' }, consistency: false },
      { ...ctx(), tagger },
    );
    expect(min.kept).toHaveLength(0);
    expect(min.examples[0]!.reason).toMatch(/^min confidence 0\.100 < 0\.4/);
    const half = await runFilter(
      [wrongType],
      { confidence: false, consistency: { minAgreement: 0.5 } },
      { ...ctx(), tagger },
    );
    expect(half.kept).toHaveLength(1);
  });

  it('can drop candidates where the tagger finds unlabelled entities', async () => {
    const partial = cand('佐藤は大阪に住む。', [['佐藤', 'PER']]);
    const r = await runFilter(
      [partial],
      { confidence: false, consistency: { maxUnclaimed: 0 } },
      { ...ctx(), tagger },
    );
    expect(r.stages[2]!.reasons).toEqual({ 'unclaimed-entities': 1 });
  });

  it('without a tagger runs only the structure and similarity stages and says so', async () => {
    const r = await runFilter([good], {}, ctx());
    expect(r.kept).toEqual([good]);
    expect(r.stages.map((s) => [s.stage, s.enabled, s.note])).toEqual([
      ['structure', true, undefined],
      ['confidence', false, 'no tagger given: not run'],
      ['consistency', false, 'no tagger given: only the structure check ran'],
      ['similarity', true, undefined],
    ]);
  });

  it('does not judge entities of types the tagger does not know', async () => {
    const prod = cand('iPhoneを買う。', [['iPhone', 'PRODUCT']]);
    const r = await runFilter([prod], { similarity: false }, { ...ctx(), tagger });
    expect(r.kept).toHaveLength(1);
    expect(r.stages[1]!.notJudged).toBe(1);
  });

  it('drops exact and near duplicates of the source, of the reference and of each other, and drift', async () => {
    const source = '田中は東京に住む。';
    const cands = [
      cand(source, []), // exact duplicate of an input
      cand('田中は東京に住む', []), // near-duplicate of the source (7 of 8 bigrams)
      cand('佐藤は東京に住む。', [], { reference: source }),
      cand('佐藤は東京に住む。', []), // exact duplicate of the kept one
      cand('全く違う話をしよう', []), // drift
      cand('彼は昨日パリで会議に出た', [], { reference: '彼は昨日パリで会議に出た。' }), // near-duplicate of its reference
    ];
    const r = await runFilter(cands, { similarity: { maxSimilarity: 0.9, minSimilarity: 0.3 } }, ctx(source));
    expect(r.kept.map((c) => c.text)).toEqual(['佐藤は東京に住む。']);
    expect(r.stages[3]!.reasons).toEqual({
      duplicate: 2,
      'near-duplicate-source': 1,
      drift: 1,
      'near-duplicate-reference': 1,
    });
    const off = await runFilter(cands, { similarity: false }, ctx(source));
    expect(off.kept).toHaveLength(cands.length);
  });

  it('drops near-duplicates among candidates of the same source', async () => {
    const a = cand('佐藤は東京の北部に住んでいる。', []);
    const b = cand('佐藤は東京の北部に住んでいた。', []);
    const r = await runFilter(
      [a, b],
      { similarity: { maxSimilarity: 0.8, minSimilarity: 0 } },
      ctx('田中は東京に住む。'),
    );
    expect(r.kept).toEqual([a]);
    expect(r.stages[3]!.reasons).toEqual({ 'near-duplicate-candidate': 1 });
  });
});
