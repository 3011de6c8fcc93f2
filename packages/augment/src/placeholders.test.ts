import { describe, expect, it } from 'vitest';
import { protect, restore } from './placeholders.js';
import { analyzeStructure } from './structure.js';
import { sentence, show } from './test-helpers.js';

// 𠮷田 (3 units) ⊃ 𠮷 (nested, 2 units); 東京 at the end of the text.
const src = sentence('s', '𠮷田は東京', [
  ['𠮷田', 'PER'],
  ['𠮷', 'X'],
  ['東京', 'LOC'],
]);
const st = analyzeStructure(src);

describe('protect / restore', () => {
  it('replaces units by placeholders and restores them exactly, nested entities included', () => {
    const p = protect(src.text, st);
    if ('error' in p) throw new Error(p.error);
    expect(p.text).toBe('<E0>は<E1>');
    // The model reordered and respaced the placeholders.
    const r = restore('  < E1 > から <e0> へ ', st, p.units);
    if (!r.ok) throw new Error(r.message);
    expect(show(r.joined)).toEqual(['東京 から 𠮷田 へ', ['東京/LOC@0', '𠮷田/PER@6', '𠮷/X@6']]);
    expect(r.joined.origins).toEqual([
      { kind: 'source', index: 2 },
      { kind: 'source', index: 0 },
      { kind: 'source', index: 1 },
    ]);
  });

  it('fails with a reason when a placeholder is missing, repeated or unknown', () => {
    const p = protect(src.text, st);
    if ('error' in p) throw new Error(p.error);
    expect(restore('<E0>は', st, p.units)).toMatchObject({ ok: false, code: 'placeholder-missing' });
    expect(restore('<E0><E0>は<E1>', st, p.units)).toMatchObject({ ok: false, code: 'placeholder-repeated' });
    expect(restore('<E0>は<E1><E2>', st, p.units)).toMatchObject({ ok: false, code: 'placeholder-unknown' });
  });

  it('refuses crossing entities and texts that already contain a placeholder', () => {
    const crossing = sentence('c', 'ABC', [
      ['AB', 'X'],
      ['BC', 'Y'],
    ]);
    expect(protect(crossing.text, analyzeStructure(crossing))).toMatchObject({ code: 'blocked-entities' });
    const odd = sentence('o', '<E0>は東京', [['東京', 'LOC']]);
    expect(protect(odd.text, analyzeStructure(odd))).toMatchObject({ code: 'placeholder-in-text' });
  });

  it('passes a sentence without entities through unchanged', () => {
    const plain = sentence('p', '雨が降る。');
    const ps = analyzeStructure(plain);
    const p = protect(plain.text, ps);
    if ('error' in p) throw new Error(p.error);
    expect(p.text).toBe('雨が降る。');
    expect(restore('雨が降っている。', ps, p.units)).toEqual({
      ok: true,
      joined: { text: '雨が降っている。', entities: [], origins: [] },
    });
  });
});
