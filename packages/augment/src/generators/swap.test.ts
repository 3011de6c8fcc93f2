import { describe, expect, it } from 'vitest';
import { MentionLexicon } from '../lexicon.js';
import { generateFor, sentence, show } from '../test-helpers.js';
import { createMentionSwap } from './swap.js';

function lexicon(entries: [string, string][]): MentionLexicon {
  const l = new MentionLexicon('test');
  for (const [type, surface] of entries) l.add(type, surface);
  return l;
}

// 𠮷 is a surrogate pair: 𠮷田 is 3 UTF-16 units. 金沢大学 (ORG) contains 金沢 (LOC).
const src = sentence('s', '𠮷田さんは金沢大学の学生。', [
  ['𠮷田', 'PER'],
  ['金沢大学', 'ORG'],
  ['金沢', 'LOC'],
]);

describe('createMentionSwap', () => {
  it('swaps one outermost mention, moves later entities and drops entities nested in the swapped one', async () => {
    const swap = createMentionSwap({
      corpusLexicon: false,
      lexicons: [
        lexicon([
          ['PER', '𠮷田'],
          ['PER', '𩸽野'],
          ['ORG', '京大'],
        ]),
      ],
    });
    const { candidates, skips } = await generateFor(swap, [src], src, { count: 5 });
    expect(skips).toEqual([]);
    const shown = candidates.map(show).sort();
    expect(shown).toEqual([
      ['𠮷田さんは京大の学生。', ['𠮷田/PER@0', '京大/ORG@6']],
      ['𩸽野さんは金沢大学の学生。', ['𩸽野/PER@0', '金沢大学/ORG@6', '金沢/LOC@6']],
    ]);
    const orgSwap = candidates.find((c) => c.text.includes('京大'))!;
    expect(orgSwap.provenance).toEqual({
      kind: 'swap',
      edits: [{ index: 1, from: '金沢大学', to: '京大', type: 'ORG', lexicon: 'test' }],
      droppedInner: [2],
    });
    expect(orgSwap.origins).toEqual([
      { kind: 'source', index: 0 },
      { kind: 'replacement', replaces: 1, lexicon: 'test', surface: '京大' },
    ]);
  });

  it('swaps several mentions at once and draws from the corpus lexicon', async () => {
    const other = sentence('o', '山本さんは京大へ。', [
      ['山本', 'PER'],
      ['京大', 'ORG'],
    ]);
    const swap = createMentionSwap({ mentionsPerCandidate: 2 });
    const { candidates } = await generateFor(swap, [src, other], src, { count: 3 });
    expect(candidates.map(show)).toEqual([['山本さんは京大の学生。', ['山本/PER@0', '京大/ORG@5']]]);
  });

  it('skips with a reason: no entities, only crossing entities, no replacement of the type', async () => {
    const swap = createMentionSwap({ corpusLexicon: false, lexicons: [lexicon([['PER', '山本']])] });
    const none = await generateFor(swap, [], sentence('n', '何もない。'));
    expect(none).toEqual({ candidates: [], skips: ['no-entities'], drops: [] });
    const crossing = sentence('c', 'ABC', [
      ['AB', 'PER'],
      ['BC', 'PER'],
    ]);
    expect((await generateFor(swap, [], crossing)).skips).toEqual(['no-movable-entity']);
    expect((await generateFor(swap, [], sentence('l', '東京へ', [['東京', 'LOC']]))).skips).toEqual([
      'no-replacement',
    ]);
  });

  it('keeps blocked entities in place while swapping a free one at the string edge', async () => {
    const s = sentence('b', 'ABC田中', [
      ['AB', 'X'],
      ['BC', 'Y'],
      ['田中', 'PER'],
    ]);
    const swap = createMentionSwap({ corpusLexicon: false, lexicons: [lexicon([['PER', '佐々木']])] });
    const { candidates } = await generateFor(swap, [], s);
    expect(candidates.map(show)).toEqual([['ABC佐々木', ['AB/X@0', 'BC/Y@1', '佐々木/PER@3']]]);
  });

  it('is deterministic per seed', async () => {
    const many = lexicon(Array.from({ length: 50 }, (_, i) => ['PER', `人${i}`] as [string, string]));
    const swap = createMentionSwap({ corpusLexicon: false, lexicons: [many] });
    const a = await generateFor(swap, [], src, { seed: 3, count: 3 });
    const b = await generateFor(swap, [], src, { seed: 3, count: 3 });
    const c = await generateFor(swap, [], src, { seed: 4, count: 3 });
    expect(a.candidates.map((x) => x.text)).toEqual(b.candidates.map((x) => x.text));
    expect(a.candidates).toHaveLength(3);
    expect(c.candidates.map((x) => x.text)).not.toEqual(a.candidates.map((x) => x.text));
  });
});
