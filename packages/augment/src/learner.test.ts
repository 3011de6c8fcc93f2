import type { Sentence } from '@nerima/core';
import { LexiconLearner } from '@nerima/eval';
import { describe, expect, it } from 'vitest';
import type { AugmentResult } from './augment.js';
import { createMentionSwap } from './generators/swap.js';
import { withAugmentation } from './learner.js';
import { MentionLexicon } from './lexicon.js';
import { sentence } from './test-helpers.js';

describe('withAugmentation', () => {
  it('adapts the inner learner on the support plus kept candidates, within the episode types', async () => {
    const kb = new MentionLexicon('kb');
    kb.add('PER', '𠮷田');
    kb.add('LOC', '札幌');
    const support = [
      sentence('s1', '田中は東京に住む。', [
        ['田中', 'PER'],
        ['東京', 'LOC'],
      ]),
    ];
    const reports: AugmentResult[] = [];
    const learner = withAugmentation(new LexiconLearner(), {
      generators: [createMentionSwap({ lexicons: [kb], corpusLexicon: false })],
      perSentence: 4,
      seed: 1,
      onAugment: (r) => reports.push(r),
    });
    expect(learner.name).toBe('lexicon+augment');
    const query = '𠮷田と田中は札幌へ。';
    const plain = await new LexiconLearner().adapt(support, ['PER']);
    expect((await plain.predict([query]))[0]!.map((p) => p.text)).toEqual(['田中']);
    // Only PER is learned: the swapped-in LOC 札幌 is removed with the other non-episode types.
    const tagger = await learner.adapt(support, ['PER']);
    expect((await tagger.predict([query]))[0]!.map((p) => [p.text, p.type, p.start])).toEqual([
      ['𠮷田', 'PER', 0],
      ['田中', 'PER', 4],
    ]);
    expect(reports).toHaveLength(1);
    expect(reports[0]!.sentences.map((s: Sentence) => s.text).sort()).toEqual([
      '田中は札幌に住む。',
      '𠮷田は東京に住む。',
    ]);
  });
});
