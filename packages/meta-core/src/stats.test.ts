import { describe, expect, it } from 'vitest';
import { CHAR_CLASSES, charClass, STATS_DIM, statsVector, supportStats } from './stats.js';

describe('supportStats', () => {
  const support = [
    {
      id: 'a',
      text: '東京とABCへ行く',
      entities: [
        { start: 0, end: 2, type: 'LOCATION' },
        { start: 3, end: 6, type: 'CORPORATION' },
      ],
    },
    { id: 'b', text: 'カナダ', entities: [{ start: 0, end: 3, type: 'LOCATION' }] },
  ];

  it('counts mentions of the target types only', () => {
    const s = supportStats(support, ['LOCATION']);
    expect(s.n).toBe(1);
    expect(s.k).toBe(2);
    expect(s.sentences).toBe(2);
    expect(s.lengthMean).toBe(2.5); // 東京 (2), カナダ (3)
    expect(s.lengthStd).toBeCloseTo(0.5, 12);
    // 2 kanji + 3 katakana of 5 characters
    expect(s.charMix).toEqual([0.4, 0, 0.6, 0, 0, 0]);
  });

  it('gives finite zeros for a support without mentions', () => {
    const s = supportStats([{ id: 'x', text: 'なし', entities: [] }], ['PERSON'], {
      initialLoss: Number.NaN,
    });
    expect(s).toMatchObject({ n: 1, k: 0, sentences: 1, lengthMean: 0, lengthStd: 0, initialLoss: 0 });
    expect(s.charMix.every((x) => x === 0)).toBe(true);
    const v = statsVector(s);
    expect(v.length).toBe(STATS_DIM);
    expect([...v].every(Number.isFinite)).toBe(true);
  });

  it('classifies characters', () => {
    expect(
      ['東', 'あ', 'ア', 'ー', 'A', 'ｚ', '7', '７', '、'].map((c) => charClass(c.charCodeAt(0))),
    ).toEqual(['kanji', 'hiragana', 'katakana', 'katakana', 'latin', 'latin', 'digit', 'digit', 'other']);
    expect(CHAR_CLASSES.length).toBe(6);
  });
});
