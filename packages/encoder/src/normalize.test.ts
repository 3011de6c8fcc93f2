import { describe, expect, it } from 'vitest';
import { charClass, charWidth, classFeatureId, normalizeWithOffsets } from './normalize.js';

describe('normalizeWithOffsets', () => {
  it('maps full-width latin/digits and half-width katakana one to one', () => {
    const n = normalizeWithOffsets('ＡＢＣ１２ｶﾀｶﾅ');
    expect(n.normalized).toBe('ABC12カタカナ');
    expect(n.normalized.length).toBe(n.original.length);
  });

  it('keeps surrogate pairs at two positions with the whole character on both', () => {
    const text = 'a𠮷b';
    const n = normalizeWithOffsets(text);
    expect(text.length).toBe(4);
    expect(n.normalized).toBe(text);
    expect(n.chars).toEqual(['a', '𠮷', '𠮷', 'b']);
    expect([...n.lowSurrogate]).toEqual([0, 0, 1, 0]);
  });

  it('keeps characters whose NFKC form has another length', () => {
    // ㈱ → (株) (3 units), ﬁ → fi (2 units), 𝐀 (2 units) → A (1 unit): all kept
    const n = normalizeWithOffsets('㈱ﬁ𝐀');
    expect(n.normalized).toBe('㈱ﬁ𝐀');
    expect(n.chars).toEqual(['㈱', 'ﬁ', '𝐀', '𝐀']);
  });

  it('maps the ideographic space and handles lone surrogates', () => {
    const n = normalizeWithOffsets('a　\ud800b');
    expect(n.normalized).toBe('a \ud800b');
    expect(n.lowSurrogate[2]).toBe(0);
  });

  it('handles the empty string', () => {
    expect(normalizeWithOffsets('').normalized).toBe('');
  });
});

describe('charClass / charWidth', () => {
  it.each([
    ['漢', 'kanji'],
    ['々', 'kanji'],
    ['𠮷', 'kanji'],
    ['あ', 'hiragana'],
    ['カ', 'katakana'],
    ['ｶ', 'katakana'],
    ['ー', 'katakana'],
    ['ｰ', 'katakana'],
    ['A', 'latin'],
    ['Ａ', 'latin'],
    ['é', 'latin'],
    ['7', 'digit'],
    ['７', 'digit'],
    ['。', 'symbol'],
    ['、', 'symbol'],
    ['!', 'symbol'],
    ['＄', 'symbol'],
    [' ', 'space'],
    ['　', 'space'],
    ['Я', 'other'],
  ] as const)('%s is %s', (ch, cls) => {
    expect(charClass(ch)).toBe(cls);
  });

  it('flags full- and half-width forms', () => {
    expect(charWidth('Ａ')).toBe('full');
    expect(charWidth('１')).toBe('full');
    expect(charWidth('　')).toBe('full');
    expect(charWidth('ｶ')).toBe('half');
    expect(charWidth('A')).toBe('normal');
    expect(charWidth('カ')).toBe('normal');
  });

  it('gives full and normal width of the same class different feature ids', () => {
    expect(classFeatureId('A')).not.toBe(classFeatureId('Ａ'));
    expect(classFeatureId('カ')).not.toBe(classFeatureId('ｶ'));
    expect(classFeatureId('A')).toBe(classFeatureId('b'));
  });
});
