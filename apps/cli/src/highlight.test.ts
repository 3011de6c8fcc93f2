import type { Prediction } from '@nerima/core';
import { describe, expect, it } from 'vitest';
import { highlight } from './highlight.js';

function p(start: number, end: number, type: string, text: string): Prediction {
  return { start, end, type, text: text.slice(start, end), score: 1 };
}

describe('highlight', () => {
  it('wraps entities in brackets with their type', () => {
    const t = '山田さんは東京に住む。';
    expect(highlight(t, [p(5, 7, 'LOCATION', t), p(0, 2, 'PERSON', t)])).toBe(
      '[山田]{PERSON}さんは[東京]{LOCATION}に住む。',
    );
    expect(highlight(t, [])).toBe(t);
  });

  it('nests inner mentions, including one that ends with the outer one', () => {
    const t = '東京大学の講義';
    expect(highlight(t, [p(0, 2, 'LOCATION', t), p(0, 4, 'ORG', t)])).toBe(
      '[[東京]{LOCATION}大学]{ORG}の講義',
    );
    expect(highlight(t, [p(2, 4, 'X', t), p(0, 4, 'ORG', t)])).toBe('[東京[大学]{X}]{ORG}の講義');
  });

  it('keeps surrogate pairs whole and leaves crossing spans out', () => {
    const t = '𠮷野家で食べた';
    // '𠮷' is two UTF-16 code units: 𠮷野家 is [0, 4).
    expect(highlight(t, [p(0, 4, 'CORPORATION', t)])).toBe('[𠮷野家]{CORPORATION}で食べた');
    expect(highlight(t, [p(0, 4, 'A', t), p(3, 5, 'B', t)])).toBe('[𠮷野家]{A}で食べた');
  });

  it('colours brackets and labels for terminals', () => {
    const out = highlight('東京', [p(0, 2, 'LOCATION', '東京')], true);
    expect(out).toMatch(/^\x1b\[\d+m\[\x1b\[0m\x1b\[4m東京\x1b\[0m\x1b\[\d+m\]\{LOCATION\}\x1b\[0m$/);
  });
});
