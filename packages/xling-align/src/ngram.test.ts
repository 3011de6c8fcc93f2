import { describe, expect, it } from 'vitest';
import { cjkKey, enKey, scriptOf } from './names.js';
import { ngramBatch, ngramIds, ngramsOf } from './ngram.js';

const cfg = { buckets: 1000, orders: [2, 3], words: true, maxLength: 64 };

describe('name keys', () => {
  it('folds case, marks, apostrophes and spaces of English names; NFKC for CJK', () => {
    expect(enKey('  Tōkyō   Tower ')).toBe('tokyo tower');
    expect(enKey('Kʼicheʼ')).toBe("k'iche'");
    expect(cjkKey('ＣＮＮ　ニュース ')).toBe('CNN ニュース');
    expect([...'東あアAé1-한'].map(scriptOf)).toEqual([
      'han',
      'hiragana',
      'katakana',
      'latin',
      'latin',
      'digit',
      'common',
      'hangul',
    ]);
  });
});

describe('hashed n-grams', () => {
  it('cuts the normalised, bracketed name into n-grams and words', () => {
    expect(ngramsOf('Ōta Ku', cfg)).toEqual([
      '<o',
      'ot',
      'ta',
      'a ',
      ' k',
      'ku',
      'u>',
      '<ot',
      'ota',
      'ta ',
      'a k',
      ' ku',
      'ku>',
      'w:ota',
      'w:ku',
    ]);
    expect(ngramsOf('x', { orders: [4], words: false, maxLength: 64 })).toEqual(['<x>']);
    expect(ngramsOf('abcdef', { orders: [2], words: false, maxLength: 3 })).toEqual(['<a', 'ab', 'bc', 'c>']);
  });

  it('hashes into the table and batches with segments and mean weights', () => {
    const ids = ngramIds('Ota Ku', cfg);
    expect(ids).toEqual(ngramIds('ōta  ku', cfg));
    expect(ids.every((i) => Number.isInteger(i) && i >= 0 && i < 1000)).toBe(true);
    const b = ngramBatch(['ab', 'Ota Ku'], cfg);
    // 'ab': <a ab b> <ab ab> w:ab = 6 n-grams; 'Ota Ku': 15
    expect(b.size).toBe(2);
    expect([...b.segments]).toEqual([...Array(6).fill(0), ...Array(15).fill(1)]);
    expect(b.weights[0]).toBeCloseTo(1 / 6);
    expect(b.weights[20]).toBeCloseTo(1 / 15);
    expect([...b.ids.slice(6)]).toEqual(ids);
  });
});
