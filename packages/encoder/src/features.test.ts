import { describe, expect, it } from 'vitest';
import { BIES, buildInputs } from './features.js';
import { GAZETTEER_FEATURES, GAZETTEER_TYPES, Gazetteer } from './gazetteer.js';
import { Morphology } from './morph.js';
import { classFeatureId } from './normalize.js';
import { Vocab } from './vocab.js';

describe('buildInputs', () => {
  it('pads, masks and gives a surrogate pair the same char id on both halves', async () => {
    const charVocab = new Vocab(['𠮷', '野', 'A'], 4);
    const b = buildInputs(['𠮷野', 'Ａ'], { charVocab });
    expect(b.length).toBe(3);
    expect(b.lengths).toEqual([3, 1]);
    expect([...(b.inputs['mask'] as Float32Array)]).toEqual([1, 1, 1, 1, 0, 0]);
    const ids = b.inputs['charIds'] as Int32Array;
    expect(ids[0]).toBe(charVocab.id('𠮷'));
    expect(ids[1]).toBe(ids[0]);
    expect(ids[2]).toBe(charVocab.id('野'));
    // full-width Ａ uses the vocabulary entry of its NFKC form A, but keeps its own class/width id
    expect(ids[3]).toBe(charVocab.id('A'));
    expect((b.inputs['classIds'] as Int32Array)[3]).toBe(classFeatureId('Ａ'));
    expect((b.inputs['classIds'] as Int32Array)[3]).not.toBe(classFeatureId('A'));
    expect([ids[4], ids[5]]).toEqual([0, 0]);
  });

  it('writes word, POS and B/I/E/S per character', async () => {
    const morph = await Morphology.create();
    const vocab = new Vocab(['東京', '都'], 8);
    const posVocab = new Vocab(['名詞,固有名詞,地域', '名詞,固有名詞,人名', '名詞,接尾,地域'], 4);
    const b = buildInputs(['東京都に山田'], {
      charVocab: new Vocab([], 4),
      word: { vocab, posVocab, morph },
    });
    const w = [...(b.inputs['wordIds'] as Int32Array)];
    const p = [...(b.inputs['posIds'] as Int32Array)];
    const t = [...(b.inputs['bies'] as Int32Array)];
    expect(w.slice(0, 3)).toEqual([vocab.id('東京'), vocab.id('東京'), vocab.id('都')]);
    expect(p.slice(0, 3)).toEqual([
      posVocab.id('名詞,固有名詞,地域'),
      posVocab.id('名詞,固有名詞,地域'),
      posVocab.id('名詞,接尾,地域'),
    ]);
    expect(p[4]).toBe(posVocab.id('名詞,固有名詞,人名'));
    expect(p[4]).not.toBe(p[0]);
    expect(t).toEqual([BIES.B, BIES.E, BIES.S, BIES.S, BIES.B, BIES.E]);
    // 山田 is not in the vocabulary: a hashing bucket, the same for both characters
    expect(w[4]).toBeGreaterThanOrEqual(vocab.size);
    expect(w[5]).toBe(w[4]);
  });

  it('adds gazetteer multi-hot features on the normalised text', () => {
    const g = new Gazetteer([{ ja: 'ABC', type: 'CORPORATION' }]);
    const b = buildInputs(['xＡＢＣ'], { charVocab: new Vocab([], 0), gazetteer: g });
    const f = b.inputs['gazetteer'] as Float32Array;
    expect(f.length).toBe(4 * GAZETTEER_FEATURES);
    const c = GAZETTEER_TYPES.indexOf('CORPORATION');
    expect([0, 1, 2, 3].map((i) => f[i * GAZETTEER_FEATURES + c * 2])).toEqual([0, 1, 0, 0]);
    expect([0, 1, 2, 3].map((i) => f[i * GAZETTEER_FEATURES + c * 2 + 1])).toEqual([0, 0, 1, 1]);
  });

  it('handles an empty batch text', () => {
    const b = buildInputs([''], { charVocab: new Vocab([], 0) });
    expect(b.length).toBe(1);
    expect([...(b.inputs['mask'] as Float32Array)]).toEqual([0]);
  });
});
