import { describe, expect, it } from 'vitest';
import { MAX_TEXT_LENGTH, splitSentences, textProblem } from './text.js';

describe('splitSentences', () => {
  it('splits at line breaks and after 。！？, keeping closing brackets, trimming whitespace', () => {
    const text = '山田さんが来た。「本当？」と聞いた\n\n  佐藤さん!次';
    const spans = splitSentences(text);
    expect(spans.map((s) => text.slice(s.start, s.end))).toEqual([
      '山田さんが来た。',
      '「本当？」',
      'と聞いた',
      '佐藤さん!',
      '次',
    ]);
    expect(spans[0]).toEqual({ start: 0, end: 8 });
  });

  it('counts UTF-16 code units (an astral character is two)', () => {
    const text = '𠮷野家。次';
    expect(splitSentences(text)).toEqual([
      { start: 0, end: 5 }, // 𠮷 is a surrogate pair: 2 + 野家。 = 5
      { start: 5, end: 6 },
    ]);
  });

  it('gives nothing for whitespace only', () => {
    expect(splitSentences(' \n\t ')).toEqual([]);
  });
});

describe('textProblem', () => {
  it('refuses empty and too long text with a message, accepts the rest', () => {
    expect(textProblem('  \n')).toMatch(/empty/);
    expect(textProblem('あ'.repeat(MAX_TEXT_LENGTH + 1))).toMatch(/5,001 characters.*at most 5,000/);
    expect(textProblem('あ'.repeat(MAX_TEXT_LENGTH))).toBeNull();
  });
});
