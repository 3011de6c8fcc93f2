import { describe, expect, it } from 'vitest';
import { fnv1a, MASK_ID, NUM_SPECIAL, PAD_ID, UNK_ID, Vocab } from './vocab.js';

describe('Vocab', () => {
  const counts = new Map([
    ['の', 10],
    ['東', 5],
    ['京', 5],
    ['稀', 1],
  ]);

  it('orders by count then string, applies minCount and maxSize', () => {
    const v = Vocab.fromCounts(counts, { minCount: 2, maxSize: 2, buckets: 0 });
    expect(v.tokens).toEqual(['の', '京']); // '京' (U+4EAC) < '東' (U+6771)
    expect(v.id('の')).toBe(NUM_SPECIAL);
    expect(v.id('東')).toBe(UNK_ID);
    expect([PAD_ID, UNK_ID, MASK_ID]).toEqual([0, 1, 2]);
  });

  it('hashes unseen strings into stable buckets after the entries', () => {
    const v = Vocab.fromCounts(counts, { minCount: 2, buckets: 8 });
    expect(v.size).toBe(NUM_SPECIAL + 3);
    expect(v.total).toBe(v.size + 8);
    const id = v.id('稀');
    expect(id).toBe(v.size + (fnv1a('稀') % 8));
    expect(v.lookup('稀')).toBeUndefined();
  });

  it('keeps `always` entries first even when rare', () => {
    const v = Vocab.fromCounts(counts, { minCount: 100, always: ['名詞,固有名詞,人名'] });
    expect(v.tokens).toEqual(['名詞,固有名詞,人名']);
  });

  it('computes FNV-1a like the reference (empty string → offset basis, "a" → 0xe40c292c)', () => {
    expect(fnv1a('')).toBe(0x811c9dc5);
    expect(fnv1a('a')).toBe(0xe40c292c);
  });

  it('round-trips through JSON', () => {
    const v = Vocab.fromCounts(counts, { buckets: 4 });
    const w = Vocab.fromJSON(JSON.parse(JSON.stringify(v.toJSON())));
    expect(w.id('東')).toBe(v.id('東'));
    expect(w.id('未知')).toBe(v.id('未知'));
  });
});
