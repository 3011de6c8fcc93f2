import {
  generateDemoCorpus,
  type Prediction,
  type Sentence,
  type Tagger,
  validateSentence,
} from '@nerima/core';
import { describe, expect, it } from 'vitest';
import { augment } from './augment.js';
import { createContextChange } from './generators/context.js';
import { createParaphrase } from './generators/paraphrase.js';
import { createMentionSwap } from './generators/swap.js';
import { MentionLexicon } from './lexicon.js';
import type { TextToText } from './seq2seq.js';
import { sentence } from './test-helpers.js';

/** A "model" that rewrites a few words and keeps everything else (placeholders included). */
const rewriter: TextToText = {
  id: 'rewriter',
  generate: async (texts) => texts.map((t) => t.replace('で', 'において').replace('。', 'ようだ。')),
};

function extraLexicon(): MentionLexicon {
  const kb = new MentionLexicon('kb');
  for (const name of ['𩸽野𠮷男', 'Ａ社', '北見', 'x']) {
    for (const type of [
      'PERSON',
      'CORPORATION',
      'LOCATION',
      'FACILITY',
      'PRODUCT',
      'EVENT',
      'POLITICAL_ORG',
      'OTHER_ORG',
    ]) {
      kb.add(type, `${name}${type.length}`);
    }
  }
  return kb;
}

const generators = () => [
  createMentionSwap({ lexicons: [extraLexicon()], mentionsPerCandidate: 2 }),
  createContextChange(),
  createParaphrase({ models: [rewriter] }),
];

/** Every output row is a valid sentence: offsets in range, on code-point boundaries, slices match. */
function expectValid(out: readonly Sentence[]) {
  const ids = new Set<string>();
  for (const s of out) {
    expect(validateSentence(s, { file: 'out', line: 1 })).toEqual([]);
    for (const e of s.entities) expect(s.text.slice(e.start, e.end)).toBe(e.text);
    expect(ids.has(s.id)).toBe(false);
    ids.add(s.id);
  }
}

// Hand-made bad inputs: no entities, entities at both string edges, nested, crossing, same span,
// astral characters, an invalid row (split surrogate pair), an entity-only sentence.
const hand: Sentence[] = [
  sentence('empty', 'ただの文です。'),
  sentence('edges', '東京から大阪', [
    ['東京', 'LOCATION'],
    ['大阪', 'LOCATION'],
  ]),
  sentence('nested', '金沢大学で𠮷田に会った。', [
    ['金沢大学', 'OTHER_ORG'],
    ['金沢', 'LOCATION'],
    ['𠮷田', 'PERSON'],
  ]),
  sentence('crossing', 'ABCで田中と会う。', [
    ['AB', 'PRODUCT'],
    ['BC', 'CORPORATION'],
    ['田中', 'PERSON'],
  ]),
  sentence('same-span', '富士で休む。', [
    ['富士', 'LOCATION'],
    ['富士', 'PERSON'],
  ]),
  { id: 'broken', text: '𠮷田が来た', entities: [{ start: 0, end: 1, type: 'PERSON' }] },
  sentence('whole', '𠮷田', [['𠮷田', 'PERSON']]),
];

describe('augment', () => {
  it('never emits a broken offset: demo corpus and hand-made bad inputs (property test)', async () => {
    const demo = generateDemoCorpus({ seed: 5, sentences: 240 });
    const input = [...demo.train, ...hand];
    const { sentences, report } = await augment(input, { generators: generators(), perSentence: 3, seed: 9 });
    expect(sentences.length).toBeGreaterThan(200);
    expectValid(sentences);
    // Each generator made something, and the stage counts add up.
    for (const g of ['swap', 'context', 'paraphrase']) expect(report.generators[g]!.kept).toBeGreaterThan(0);
    expect(report.stages.map((s) => s.stage)).toEqual([
      'structure',
      'confidence',
      'consistency',
      'similarity',
    ]);
    for (const s of report.stages) expect(s.kept + s.dropped).toBe(s.input);
    expect(report.stages[0]!.dropped).toBe(0);
    expect(report.stages.at(-1)!.kept).toBe(report.kept);
    const perGen = Object.values(report.generators);
    expect(perGen.reduce((a, g) => a + g.generated, 0)).toBe(report.generated);
    expect(perGen.reduce((a, g) => a + g.kept, 0)).toBe(report.kept);
    // The invalid row is skipped by every generator with the validator's message.
    expect(report.invalidInputs).toEqual({
      count: 1,
      messages: [expect.stringMatching(/^sentences\[\d+\] \(id broken\): entities\[0\]\.end .*surrogate/)],
    });
    expect(sentences.some((s) => s.augmentation.sourceId === 'broken')).toBe(false);
    expect(report.generators['swap']!.skipped['invalid-sentence']).toBe(1);
    expect(report.generators['paraphrase']!.skipped['blocked-entities']).toBe(2); // crossing, same-span
  });

  it('handles each bad input as documented', async () => {
    const { sentences, report } = await augment(hand, { generators: generators(), perSentence: 4, seed: 2 });
    expectValid(sentences);
    const from = (id: string) => sentences.filter((s) => s.augmentation.sourceId === id);
    // Crossing entities stay with their labels; only 田中 was swapped or moved.
    for (const s of from('crossing').filter((x) => x.augmentation.generator === 'swap')) {
      expect(s.text.startsWith('ABC')).toBe(true);
      expect(s.entities.slice(0, 2).map((e) => [e.text, e.type])).toEqual([
        ['AB', 'PRODUCT'],
        ['BC', 'CORPORATION'],
      ]);
    }
    // Swapping 金沢大学 drops the nested 金沢; keeping it keeps 金沢.
    for (const s of from('nested').filter((x) => x.augmentation.generator === 'swap')) {
      const p = s.augmentation.provenance;
      if (p.kind !== 'swap') throw new Error('not a swap');
      const swappedOrg = p.edits.some((e) => e.index === 0);
      expect(s.entities.some((e) => e.type === 'LOCATION')).toBe(!swappedOrg);
      expect(p.droppedInner).toEqual(swappedOrg ? [1] : []);
    }
    // Paraphrase rewrites the entity-less sentence; swap and context skip it with a reason.
    expect(from('empty').map((s) => s.augmentation.generator)).toEqual(['paraphrase']);
    expect(report.generators['swap']!.skipped['no-entities']).toBe(1);
    expect(report.examples.some((e) => e.sourceId === 'empty' && e.code === 'no-entities')).toBe(true);
  });

  it('is deterministic per seed and independent of sentence order', async () => {
    const demo = generateDemoCorpus({ seed: 2, sentences: 60 }).train;
    const a = await augment(demo, { generators: generators(), seed: 4 });
    const b = await augment(demo, { generators: generators(), seed: 4 });
    const c = await augment(demo, { generators: generators(), seed: 5 });
    expect(b.sentences).toEqual(a.sentences);
    expect(b.report).toEqual(a.report);
    expect(c.sentences.map((s) => s.text)).not.toEqual(a.sentences.map((s) => s.text));
    const rev = await augment([...demo].reverse(), { generators: [createMentionSwap()], seed: 4 });
    const fwd = await augment(demo, { generators: [createMentionSwap()], seed: 4 });
    const key = (r: typeof fwd) => r.sentences.map((s) => `${s.id} ${s.text}`).sort();
    expect(key(rev)).toEqual(key(fwd));
  });

  it('uses the separate tagger for stages 1–2 and reports dropped examples', async () => {
    const src = sentence('s', '田中は東京に住む。', [
      ['田中', 'PERSON'],
      ['東京', 'LOCATION'],
    ]);
    const other = sentence('o', '佐藤は大阪に行く。', [
      ['佐藤', 'PERSON'],
      ['大阪', 'LOCATION'],
    ]);
    // Knows every PERSON with score 0.9 but no LOCATION except 東京.
    const tagger: Tagger = {
      types: ['PERSON', 'LOCATION'],
      async predict(texts) {
        return texts.map((t) => {
          const out: Prediction[] = [];
          for (const [surface, type] of [
            ['田中', 'PERSON'],
            ['佐藤', 'PERSON'],
            ['東京', 'LOCATION'],
          ] as const) {
            const i = t.indexOf(surface);
            if (i >= 0) out.push({ start: i, end: i + surface.length, type, text: surface, score: 0.9 });
          }
          return out;
        });
      },
    };
    const { sentences, report } = await augment([src, other], {
      generators: [createMentionSwap({ mentionsPerCandidate: 1 })],
      tagger,
      filter: { confidence: { threshold: 0.95, aggregate: 'min' }, consistency: { minAgreement: 0.5 } },
      perSentence: 4,
      seed: 1,
    });
    // Confidence 0.9 < 0.95 drops every candidate at stage 1.
    expect(sentences).toEqual([]);
    expect(report.stages[1]).toMatchObject({
      enabled: true,
      dropped: report.generated,
      reasons: { 'low-confidence': report.generated },
    });
    expect(report.examples.filter((e) => e.stage === 'confidence').length).toBeGreaterThan(0);
    const lenient = await augment([src, other], {
      generators: [createMentionSwap({ mentionsPerCandidate: 1 })],
      tagger,
      filter: { confidence: false },
      perSentence: 4,
      seed: 1,
    });
    // A swap that puts 大阪 in leaves it unknown to the tagger: agreement 1/2 < 1, dropped.
    expect(lenient.sentences.map((s) => s.text).sort()).toEqual(['佐藤は東京に住む。', '佐藤は東京に行く。']);
    expect(lenient.report.generators['swap']!.droppedByStage).toEqual({ consistency: 2 });
  });

  it('rejects bad options clearly', async () => {
    await expect(augment([], { generators: [] })).rejects.toThrow(/at least one generator/);
    await expect(augment([], { generators: [createMentionSwap(), createMentionSwap()] })).rejects.toThrow(
      /two generators are named swap/,
    );
    await expect(augment([], { generators: [createMentionSwap()], perSentence: -1 })).rejects.toThrow(
      /perSentence/,
    );
  });
});
