import { describe, expect, it } from 'vitest';
import { oovReport } from './oov.js';

describe('oovReport', () => {
  it('counts unseen characters per script, as the encoder normalises them', () => {
    const seen = new Set(['東', '京', 'タ', 'A']);
    const vocab = { lookup: (t: string) => (seen.has(t) ? 1 : undefined) };
    // 'Ａ' is NFKC 'A' (seen); '𠮷' is one code point (two UTF-16 units); spaces are not counted
    const r = oovReport(['東京', 'Ａ 타워', '𠮷野', '서울'], vocab);
    expect(r.names).toBe(4);
    expect(r.chars).toBe(2 + 3 + 2 + 2);
    expect(r.oovChars).toBe(0 + 2 + 2 + 2);
    expect(r.namesWithOov).toBe(3);
    expect(r.namesAllOov).toBe(2);
    expect(r.byScript).toEqual({
      han: { chars: 4, oov: 2 },
      latin: { chars: 1, oov: 0 },
      hangul: { chars: 4, oov: 4 },
    });
    expect(r.distinctOovChars).toBe(6);
    expect(r.topOov).toContainEqual(['𠮷', 1]);
    expect(r.topOov.map(([, n]) => n)).toEqual([1, 1, 1, 1, 1, 1]);
  });
});
