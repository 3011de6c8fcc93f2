import { describe, expect, it } from 'vitest';
import { alignTokens, loadKuromoji, Morphology } from './morph.js';
import { normalizeWithOffsets } from './normalize.js';

describe('kuromoji alignment', () => {
  it('loads the dictionary once per process', async () => {
    expect(loadKuromoji()).toBe(loadKuromoji());
    await loadKuromoji();
  });

  it('gives UTF-16 offsets that tile the text, also after an astral character', async () => {
    const morph = await Morphology.create();
    const text = '𠮷野家で牛丼を食べた。';
    const ms = morph.tokenize(text);
    expect(ms[0]).toMatchObject({ start: 0, end: 2, surface: '𠮷' });
    let cursor = 0;
    for (const m of ms) {
      expect(m.start).toBe(cursor);
      expect(text.slice(m.start, m.end)).toBe(m.surface);
      cursor = m.end;
    }
    expect(cursor).toBe(text.length);
    // kuromoji's own word_position counts code points: 野家 is at 1-based position 2, UTF-16 index 2
    const raw = (await loadKuromoji()).tokenize(text);
    expect(raw[1]!.word_position).toBe(2);
    expect(ms[1]!.start).toBe(2);
  });

  it('gives distinct proper-noun POS triples', async () => {
    const morph = await Morphology.create();
    const ms = morph.tokenize('東京都に住む山田太郎さん');
    const byText = Object.fromEntries(ms.map((m) => [m.surface, m.pos]));
    expect(byText['東京']).toBe('名詞,固有名詞,地域');
    expect(byText['山田']).toBe('名詞,固有名詞,人名');
    expect(byText['住む']).toBe('動詞,自立,*');
    expect(ms.find((m) => m.surface === '住む')!.base).toBe('住む');
  });

  it('aligns on NFKC-normalised input with the original offsets', async () => {
    const morph = await Morphology.create();
    const original = 'ｶﾀｶﾅとＡＢＣ、　東京';
    const norm = normalizeWithOffsets(original);
    const ms = morph.tokenize(norm.normalized);
    expect(ms.map((m) => m.end).at(-1)).toBe(original.length);
    const tokyo = ms.find((m) => m.surface === '東京')!;
    expect(original.slice(tokyo.start, tokyo.end)).toBe('東京');
    const kana = ms.find((m) => m.surface.startsWith('カ'))!;
    expect(kana.start).toBe(0);
  });

  it('caches repeated texts', async () => {
    const morph = await Morphology.create({ cacheSize: 2 });
    const a = morph.tokenize('京都');
    expect(morph.tokenize('京都')).toBe(a);
  });

  it('fills gaps and tails so offsets never break', () => {
    const tokens = [
      {
        surface_form: 'b',
        basic_form: '*',
        pos: '名詞',
        pos_detail_1: '一般',
        pos_detail_2: '*',
        word_type: 'KNOWN',
      },
    ];
    // biome-ignore lint/suspicious/noExplicitAny: a hand-made kuromoji token
    const ms = alignTokens('abc', tokens as any);
    expect(ms.map((m) => [m.start, m.end, m.surface])).toEqual([
      [0, 1, 'a'],
      [1, 2, 'b'],
      [2, 3, 'c'],
    ]);
  });
});
