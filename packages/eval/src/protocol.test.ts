import type { Entity, EntityType, Episode, FewShotLearner, Prediction, Sentence, Tagger } from '@nerima/core';
import { sampleEpisodes } from '@nerima/core';
import { describe, expect, it } from 'vitest';
import { LexiconLearner } from './baselines/lexicon.js';
import { defaultSettings, runEpisodes, runSetting } from './protocol.js';

const ent = (type: string, start: number, end: number): Entity => ({ type, start, end });
const pred = (type: string, start: number, end: number): Prediction => ({
  type,
  start,
  end,
  text: '',
  score: 1,
});
const q = (text: string, entities: Entity[]): Sentence => ({ id: text, text, entities });

/** A learner whose taggers answer from a fixed table (query text → predictions). */
class TableLearner implements FewShotLearner {
  readonly name = 'table';
  adapted: (readonly EntityType[] | undefined)[] = [];
  disposed = 0;
  constructor(
    private readonly table: Record<string, Prediction[]>,
    private readonly hooks: { onPredict?: () => void; wrongLength?: boolean } = {},
  ) {}
  async adapt(_support: readonly Sentence[], types?: readonly EntityType[]): Promise<Tagger> {
    this.adapted.push(types);
    return {
      types: types ?? [],
      predict: async (texts) => {
        this.hooks.onPredict?.();
        const out = texts.map((t) => this.table[t] ?? []);
        return this.hooks.wrongLength ? out.slice(1) : out;
      },
      dispose: () => {
        this.disposed++;
      },
    };
  }
}

const episodes: Episode[] = [
  {
    types: ['A', 'B'],
    support: [],
    // C is not an episode type: its gold entity is dropped before scoring.
    query: [q('q1', [ent('A', 0, 1), ent('B', 2, 3), ent('C', 0, 2)]), q('q2', [ent('A', 1, 2)])],
    seed: 7,
    index: 0,
  },
  { types: ['A'], support: [], query: [q('q3', [ent('A', 0, 2)])], seed: 7, index: 1 },
];
const table = {
  q1: [pred('A', 0, 1), pred('B', 2, 4)],
  q2: [pred('A', 1, 2), pred('C', 0, 1)], // C predicted outside the episode's types: a false positive
};

describe('runEpisodes', () => {
  it('scores each episode against gold restricted to its types and aggregates', async () => {
    const learner = new TableLearner(table);
    const progress: number[] = [];
    const r = await runEpisodes(learner, episodes, {
      onProgress: (p) => progress.push(p.done * 10 + p.total),
    });
    expect(learner.adapted).toEqual([['A', 'B'], ['A']]);
    expect(learner.disposed).toBe(2);
    expect(progress).toEqual([12, 22]);
    expect(r.learner).toBe('table');

    const [e0, e1] = r.episodes;
    // Episode 0: A tp 2 (F1 1); B(2,3) vs B(2,4): fp 1, fn 1 (F1 0); C: fp 1.
    expect(e0).toMatchObject({
      position: 0,
      index: 0,
      seed: 7,
      types: ['A', 'B'],
      supportSize: 0,
      querySize: 2,
    });
    expect(e0!.metrics.macroF1).toBeCloseTo(0.5, 12);
    expect(e0!.metrics.microPrecision).toBeCloseTo(0.5, 12);
    expect(e0!.metrics.microRecall).toBeCloseTo(2 / 3, 12);
    expect(e0!.metrics.microF1).toBeCloseTo(4 / 7, 12);
    expect(e0!.metrics.startAccuracy).toBe(1);
    expect(e0!.metrics.endAccuracy).toBeCloseTo(2 / 3, 12);
    expect(e0!.report.macro.types).toEqual(['A', 'B']);
    expect(e0!.metrics.adaptMs).toBeGreaterThanOrEqual(0);
    expect(e0!.metrics.predictMs).toBeGreaterThanOrEqual(0);
    // Episode 1: nothing predicted.
    expect(e1!.metrics).toMatchObject({ macroF1: 0, microF1: 0, startAccuracy: 0 });

    // macro F1 over episodes: [0.5, 0] → mean 0.25, std √0.125, CI t(0.975, 1)·std/√2.
    const m = r.summary.macroF1;
    expect(m.n).toBe(2);
    expect(m.mean).toBeCloseTo(0.25, 12);
    expect(m.std).toBeCloseTo(Math.sqrt(0.125), 12);
    expect(m.ci95).toBeCloseTo((12.70620474 * Math.sqrt(0.125)) / Math.SQRT2, 6);
    expect(r.perType['A']).toMatchObject({ n: 2, mean: 0.5 });
    expect(r.perType['B']).toEqual({ n: 1, mean: 0, std: null, ci95: null });
    expect(Object.keys(r.perType)).toEqual(['A', 'B']);

    // Pooled over all query sentences: A tp 2 fn 1, B fp 1 fn 1, C fp 1 → micro tp 2, fp 2, fn 2.
    expect(r.pooled.micro).toMatchObject({ tp: 2, fp: 2, fn: 2, f1: 0.5 });
    expect(r.pooled.sentences).toBe(3);
  });

  it('stops on abort and still disposes the tagger', async () => {
    const controller = new AbortController();
    const learner = new TableLearner(table);
    await expect(
      runEpisodes(learner, episodes, { signal: controller.signal, onProgress: () => controller.abort() }),
    ).rejects.toThrow(/abort/i);
    expect(learner.adapted).toHaveLength(1);

    const during = new AbortController();
    const learner2 = new TableLearner(table, { onPredict: () => during.abort(new Error('stop now')) });
    await expect(runEpisodes(learner2, episodes, { signal: during.signal })).rejects.toThrow('stop now');
    expect(learner2.disposed).toBe(1);
  });

  it('rejects a tagger that returns the wrong number of lists, or malformed predictions', async () => {
    const short = new TableLearner(table, { wrongLength: true });
    await expect(runEpisodes(short, episodes)).rejects.toThrow(
      /returned 1 prediction lists for 2 query texts/,
    );
    expect(short.disposed).toBe(1);
    const bad = new TableLearner({ q3: [pred('A', 2, 1)] });
    await expect(runEpisodes(bad, episodes)).rejects.toThrow(
      /episodes\[1\] query sentence 0: pred\[0\]\.end = 1/,
    );
  });

  it('rejects empty or malformed episode lists before running anything', async () => {
    const learner = new TableLearner(table);
    await expect(runEpisodes(learner, [])).rejects.toThrow(/no episodes/);
    await expect(runEpisodes(learner, [{ types: [], support: [], query: [] }])).rejects.toThrow(
      /episodes\[0\]\.types/,
    );
    await expect(
      runEpisodes(learner, [{ types: ['A', 'A'], support: [], query: [q('x', [])] }]),
    ).rejects.toThrow(/lists a type twice/);
    expect(learner.adapted).toHaveLength(0);
  });

  it('runs the lexicon baseline end to end on hand-written episodes', async () => {
    const hand: Episode[] = [
      {
        types: ['PER', 'LOC'],
        support: [q('山田さんは東京へ行った。', [ent('PER', 0, 2), ent('LOC', 5, 7)])],
        query: [
          q('東京で山田に会った。', [ent('LOC', 0, 2), ent('PER', 3, 5)]), // both found
          q('大阪の鈴木さん。', [ent('LOC', 0, 2), ent('PER', 3, 5)]), // neither
        ],
      },
      {
        types: ['ORG'],
        support: [q('トヨタの工場。', [ent('ORG', 0, 3)])],
        query: [q('トヨタとホンダ。', [ent('ORG', 0, 3), ent('ORG', 4, 7)])],
      },
    ];
    const r = await runEpisodes(new LexiconLearner(), hand);
    // Episode 0: LOC tp 1 fn 1, PER tp 1 fn 1 → P 1, R 0.5, F1 2/3 for each and for micro.
    expect(r.episodes[0]!.metrics.macroF1).toBeCloseTo(2 / 3, 12);
    expect(r.episodes[0]!.metrics.microPrecision).toBe(1);
    // Episode 1: ORG tp 1 fn 1 → F1 2/3.
    expect(r.episodes[1]!.metrics.microF1).toBeCloseTo(2 / 3, 12);
    expect(r.summary.macroF1.mean).toBeCloseTo(2 / 3, 12);
    expect(r.summary.macroF1.std).toBeCloseTo(0, 12);
    expect(r.pooled.micro).toMatchObject({ tp: 3, fp: 0, fn: 3 });
  });
});

describe('defaultSettings', () => {
  it('gives 5-way 1-shot and 5-way 5-shot, lowering N when there are fewer test types', () => {
    expect(defaultSettings(8)).toEqual([
      { name: '5-way 1-shot', n: 5, k: 1 },
      { name: '5-way 5-shot', n: 5, k: 5 },
    ]);
    expect(defaultSettings(['PER', 'LOC', 'ORG', 'LOC'])).toEqual([
      { name: '3-way 1-shot', n: 3, k: 1 },
      { name: '3-way 5-shot', n: 3, k: 5 },
    ]);
    expect(() => defaultSettings(0)).toThrow(/at least one entity type/);
  });
});

describe('runSetting', () => {
  // 12 sentences, one mention each: names (PER) and places (LOC) from two small lists.
  const names = ['山田', '鈴木', '田中'];
  const places = ['東京', '大阪', '京都'];
  const sentences: Sentence[] = [];
  for (let i = 0; i < 6; i++) {
    const name = names[i % 3]!;
    const place = places[i % 3]!;
    sentences.push(q(`${name}さんが来た。${i}`, [ent('PER', 0, 2)]));
    sentences.push(q(`${place}へ行く。${i}`, [ent('LOC', 0, 2)]));
  }

  it('samples the setting with the given seed and runs the same episodes as runEpisodes', async () => {
    const setting = defaultSettings(['PER', 'LOC'])[0]!; // 2-way 1-shot
    const options = { count: 4, seed: 11, querySize: 3 };
    const a = await runSetting(new LexiconLearner(), sentences, setting, options);
    const episodes = sampleEpisodes(sentences, { ...options, n: setting.n, k: setting.k });
    const b = await runEpisodes(new LexiconLearner(), episodes);
    expect(a.episodes).toHaveLength(4);
    expect(a.episodes.map((e) => [e.index, e.seed, e.types, e.report])).toEqual(
      b.episodes.map((e) => [e.index, e.seed, e.types, e.report]),
    );
    for (const e of a.episodes) expect([...e.types].sort()).toEqual(['LOC', 'PER']);
  });
});
