import { describe, expect, it } from 'vitest';
import { generateFor, sentence, show } from '../test-helpers.js';
import { buildTemplates, createContextChange } from './context.js';

describe('buildTemplates', () => {
  it('abstracts outermost entities into slots and says why frames were left out', () => {
    const { templates, stats } = buildTemplates([
      sentence('a', '昨日、東京で田中に会った。', [
        ['東京', 'LOC'],
        ['田中', 'PER'],
      ]),
      sentence('b', '何もない文。'),
      sentence('c', 'ABC', [
        ['AB', 'X'],
        ['BC', 'Y'],
      ]),
      sentence('d', '東京。', [['東京', 'LOC']]),
    ]);
    expect(templates.map((t) => [t.id, t.segments, t.slots.map((s) => s.type)])).toEqual([
      ['a', ['昨日、', 'で', 'に会った。'], ['LOC', 'PER']],
    ]);
    expect(stats.skipped).toEqual({ 'no-entities': 1, 'no-movable-entity': 1, 'too-little-context': 1 });
  });
});

describe('createContextChange', () => {
  const frames = [
    sentence('f1', '昨日、大阪で鈴木に会った。', [
      ['大阪', 'LOC'],
      ['鈴木', 'PER'],
    ]),
    sentence('f2', '彼は京都の出身だ。', [['京都', 'LOC']]),
    sentence('f3', '社長の佐藤が来た。', [['佐藤', 'PER']]),
  ];
  // 𠮷田 (3 units) at the start, 金沢大学 ⊃ 金沢 nested.
  const src = sentence('s', '𠮷田が金沢大学を訪れた', [
    ['𠮷田', 'PER'],
    ['金沢大学', 'LOC'],
    ['金沢', 'LOC', 0],
  ]);

  it('fills templates with the source mentions (nested entities carried along), most slots first', async () => {
    const ctx = createContextChange();
    const { candidates } = await generateFor(ctx, [src, ...frames], src, { count: 3 });
    expect(candidates).toHaveLength(3);
    expect(show(candidates[0]!)).toEqual([
      '昨日、金沢大学で𠮷田に会った。',
      ['金沢大学/LOC@3', '金沢/LOC@3', '𠮷田/PER@8'],
    ]);
    // the one-slot templates follow the two-slot one, in random order
    expect(candidates.slice(1).map(show).sort()).toEqual([
      ['彼は金沢大学の出身だ。', ['金沢大学/LOC@2', '金沢/LOC@2']],
      ['社長の𠮷田が来た。', ['𠮷田/PER@3']],
    ]);
    expect(candidates[0]!.provenance).toEqual({
      kind: 'context',
      templateId: 'f1',
      slots: [
        { donorIndex: 0, sourceIndex: 1, type: 'LOC' },
        { donorIndex: 1, sourceIndex: 0, type: 'PER' },
      ],
    });
    expect(candidates[0]!.reference).toBe('昨日、大阪で鈴木に会った。');
    expect(candidates[0]!.origins).toEqual([
      { kind: 'source', index: 1 },
      { kind: 'source', index: 2 },
      { kind: 'source', index: 0 },
    ]);
  });

  it('uses only templates with every mention when allowSubset is false, and skips with reasons', async () => {
    const exact = createContextChange({ allowSubset: false, frames });
    const { candidates } = await generateFor(exact, [], src, { count: 5 });
    expect(candidates.map((c) => c.text)).toEqual(['昨日、金沢大学で𠮷田に会った。']);
    const none = await generateFor(exact, [], sentence('n', '何もない'));
    expect(none.skips).toEqual(['no-entities']);
    const prod = await generateFor(exact, [], sentence('p', 'iPhoneを買った', [['iPhone', 'PRODUCT']]));
    expect(prod.skips).toEqual(['no-template']);
  });

  it('never uses the source sentence as its own template', async () => {
    const only = createContextChange();
    const { skips } = await generateFor(only, [frames[1]!], frames[1]!);
    expect(skips).toEqual(['no-template']);
  });
});
