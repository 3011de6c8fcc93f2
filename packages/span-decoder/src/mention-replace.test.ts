import { createRng } from '@nerima/core';
import { describe, expect, it } from 'vitest';
import { mentionPools, replaceMentions } from './mention-replace.js';

const s1 = {
  id: 'a',
  text: '山田は東京に住む。',
  entities: [
    { start: 0, end: 2, type: 'PERSON' },
    { start: 3, end: 5, type: 'LOC' },
  ],
};
const s2 = {
  id: 'b',
  text: '佐々木花子が大阪府へ。',
  entities: [
    { start: 0, end: 5, type: 'PERSON' },
    { start: 6, end: 9, type: 'LOC' },
  ],
};

describe('mention replacement', () => {
  it('collects sorted distinct mentions per type', () => {
    const pools = mentionPools([s1, s2, s1]);
    expect(pools.get('PERSON')).toEqual(['佐々木花子', '山田'].sort());
    expect(pools.get('LOC')).toEqual(['大阪府', '東京'].sort());
  });

  it('replaces every mention at p = 1 and keeps offsets consistent', () => {
    const pools = new Map([
      ['PERSON', ['佐々木花子']],
      ['LOC', ['大阪府']],
    ]);
    const out = replaceMentions(s1, pools, 1, createRng(1));
    expect(out.text).toBe('佐々木花子は大阪府に住む。');
    expect(out.entities).toEqual([
      { start: 0, end: 5, type: 'PERSON', text: '佐々木花子' },
      { start: 6, end: 9, type: 'LOC', text: '大阪府' },
    ]);
    for (const e of out.entities) expect(out.text.slice(e.start, e.end)).toBe(e.text);
  });

  it('returns the sentence itself at p = 0 or when entities overlap', () => {
    const pools = mentionPools([s1, s2]);
    expect(replaceMentions(s1, pools, 0, createRng(1))).toBe(s1);
    const nested = {
      id: 'n',
      text: '東京大学',
      entities: [
        { start: 0, end: 4, type: 'ORG' },
        { start: 0, end: 2, type: 'LOC' },
      ],
    };
    expect(
      replaceMentions(
        nested,
        new Map([
          ['ORG', ['京大']],
          ['LOC', ['京都']],
        ]),
        1,
        createRng(1),
      ),
    ).toBe(nested);
  });
});
