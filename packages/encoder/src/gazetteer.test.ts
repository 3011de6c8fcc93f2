import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { GAZETTEER_FEATURES, GAZETTEER_TYPES, Gazetteer } from './gazetteer.js';

const F = GAZETTEER_FEATURES;
const t = (type: string) => GAZETTEER_TYPES.indexOf(type as (typeof GAZETTEER_TYPES)[number]);

function feats(g: Gazetteer, text: string): Float32Array {
  const out = new Float32Array(text.length * F);
  g.features(text, out);
  return out;
}

describe('Gazetteer', () => {
  const g = new Gazetteer([
    { ja: '京都', type: 'LOCATION' },
    { ja: '京都大学', type: 'ORGANIZATION' },
    { ja: '京都府', type: 'LOCATION' },
    { ja: '山田太郎', type: 'PERSON' },
    { ja: '京', type: 'LOCATION' }, // too short: ignored
    { ja: 'ＡＢＣ', type: 'CORPORATION' }, // stored NFKC: ABC
    { ja: '何か', type: 'UNKNOWN_TYPE' },
  ]);

  it('marks B/I of the longest match per type', () => {
    const f = feats(g, '京都府の京都大学');
    const loc = t('LOCATION');
    const org = t('ORGANIZATION');
    // 京都府 (longest LOCATION from 0): B at 0, I at 1, 2
    expect([0, 1, 2, 3].map((i) => f[i * F + loc * 2])).toEqual([1, 0, 0, 0]);
    expect([0, 1, 2, 3].map((i) => f[i * F + loc * 2 + 1])).toEqual([0, 1, 1, 0]);
    // 京都 inside 京都大学 is LOCATION (B at 4, I at 5) and 京都大学 ORGANIZATION (B at 4, I 5..7)
    expect(f[4 * F + loc * 2]).toBe(1);
    expect(f[5 * F + loc * 2 + 1]).toBe(1);
    expect(f[6 * F + loc * 2 + 1]).toBe(0);
    expect([4, 5, 6, 7].map((i) => f[i * F + org * 2 + (i === 4 ? 0 : 1)])).toEqual([1, 1, 1, 1]);
  });

  it('ignores 1-character names and unknown types, normalises names', () => {
    expect(g.size).toBe(5);
    const f = feats(g, '京');
    expect(f.every((x) => x === 0)).toBe(true);
    const abc = feats(g, 'ABC');
    expect(abc[t('CORPORATION') * 2]).toBe(1);
  });

  const kb = path.resolve(
    process.env['NERIMA_DATA'] ?? path.resolve(__dirname, '../../../../shared/data'),
    'kb/entities.jsonl',
  );
  it.skipIf(!existsSync(kb))('loads the shared KB and tags a sentence', async () => {
    const start = performance.now();
    const full = await Gazetteer.load(kb);
    const loadMs = performance.now() - start;
    expect(full.size).toBeGreaterThan(50_000);
    const f = feats(full, 'アイルランド語を話す');
    expect(f[t('LANGUAGE') * 2]).toBe(1);
    expect(loadMs).toBeLessThan(20_000);
  });
});
