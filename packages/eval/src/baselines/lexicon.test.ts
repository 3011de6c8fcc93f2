import type { Sentence } from '@nerima/core';
import { describe, expect, it } from 'vitest';
import { LexiconLearner } from './lexicon.js';

function sentence(id: string, text: string, mentions: [string, string, number?][]): Sentence {
  // [surface, type, occurrence index] → offsets found in the text.
  return {
    id,
    text,
    entities: mentions.map(([surface, type, nth = 0]) => {
      let start = -1;
      for (let i = 0; i <= nth; i++) start = text.indexOf(surface, start + 1);
      if (start < 0) throw new Error(`test fixture: ${surface} not in ${text}`);
      return { start, end: start + surface.length, type };
    }),
  };
}

describe('LexiconLearner', () => {
  it('tags exact matches of memorised mentions with UTF-16 offsets', async () => {
    const tagger = await new LexiconLearner().adapt([
      sentence('s1', '山田さんは東京に住む。', [
        ['山田', 'PER'],
        ['東京', 'LOC'],
      ]),
    ]);
    expect(tagger.types).toEqual(['PER', 'LOC']);
    const [preds] = await tagger.predict(['東京で山田と会った。𠮷田も東京。']);
    expect(preds).toEqual([
      { start: 0, end: 2, type: 'LOC', text: '東京', score: 1 },
      { start: 3, end: 5, type: 'PER', text: '山田', score: 1 },
      // '𠮷' is a surrogate pair (2 code units): 東京 starts at 14, not 13.
      { start: 14, end: 16, type: 'LOC', text: '東京', score: 1 },
    ]);
  });

  it('prefers the longest match and drops overlapping shorter ones', async () => {
    const support = [
      sentence('s1', '東京都と東京と京都', [
        ['東京都', 'LOC'],
        ['東京', 'LOC', 1],
        ['京都', 'LOC', 1],
      ]),
    ];
    const tagger = await new LexiconLearner().adapt(support);
    const [preds] = await tagger.predict(['東京都庁と京都']);
    expect(preds!.map((p) => [p.text, p.start, p.end])).toEqual([
      ['東京都', 0, 3],
      ['京都', 5, 7],
    ]);
    // A crossing candidate never survives, even with allowNested; a nested one does.
    const nested = await new LexiconLearner({ allowNested: true }).adapt(support);
    const [withNested] = await nested.predict(['東京都庁と京都']);
    expect(withNested!.map((p) => [p.text, p.start, p.end])).toEqual([
      ['東京都', 0, 3],
      ['東京', 0, 2],
      // 京都(1,3) is nested in 東京都 but crosses the accepted 東京(0,2): dropped.
      ['京都', 5, 7],
    ]);
    const crossing = await new LexiconLearner({ allowNested: true }).adapt([
      sentence('s', 'ABC', [
        ['AB', 'X'],
        ['BC', 'Y'],
      ]),
    ]);
    const [cross] = await crossing.predict(['ABC']);
    expect(cross!.map((p) => p.text)).toEqual(['AB']); // equal length: leftmost wins, BC crosses it
  });

  it('scores a string by the fraction of its support occurrences labelled with its type', async () => {
    const support = [
      sentence('s1', '青山に行く。青山さん。', [['青山', 'LOC']]),
      sentence('s2', '青山さんが来た。', [['青山', 'PER']]),
      sentence('s3', '青山で会う。', [['青山', 'LOC']]),
    ];
    // 青山 occurs 4 times in the support; 2 LOC labels, 1 PER label → LOC with score 2/4.
    const tagger = await new LexiconLearner().adapt(support);
    const [preds] = await tagger.predict(['青山']);
    expect(preds).toEqual([{ start: 0, end: 2, type: 'LOC', text: '青山', score: 0.5 }]);
    const strict = await new LexiconLearner({ minScore: 0.6 }).adapt(support);
    expect(await strict.predict(['青山'])).toEqual([[]]);
  });

  it('breaks a type tie by the order of the given types and learns only those types', async () => {
    const support = [
      sentence('s1', 'アップルとアップル', [
        ['アップル', 'ORG'],
        ['アップル', 'PRODUCT', 1],
      ]),
      sentence('s2', '田中', [['田中', 'PER']]),
    ];
    const a = await new LexiconLearner().adapt(support, ['PRODUCT', 'ORG']);
    expect(a.types).toEqual(['PRODUCT', 'ORG']);
    expect(await a.predict(['アップル田中'])).toEqual([
      [{ start: 0, end: 4, type: 'PRODUCT', text: 'アップル', score: 0.5 }],
    ]);
    const b = await new LexiconLearner().adapt(support, ['ORG', 'PRODUCT']);
    expect((await b.predict(['アップル']))[0]![0]!.type).toBe('ORG');
  });

  it('returns nothing for an empty support set and rejects malformed support entities', async () => {
    const empty = await new LexiconLearner().adapt([]);
    expect(await empty.predict(['何か', ''])).toEqual([[], []]);
    const bad: Sentence = { id: 'x', text: 'abc', entities: [{ start: 2, end: 9, type: 'A' }] };
    await expect(new LexiconLearner().adapt([bad])).rejects.toThrow(
      /support\[0\] \(id x\) entities\[0\]\.end = 9/,
    );
    expect(() => new LexiconLearner({ minScore: 2 })).toThrow(RangeError);
  });
});
