import { createRng } from '@nerima/core';
import { describe, expect, it } from 'vitest';
import type { NamePair } from './kb.js';
import { splitPairs } from './split.js';

function pair(ja: string, text: string, lang: 'en' | 'zh'): NamePair {
  return { ja, jaKey: ja, text, key: text, lang, file: 'x', line: 1 };
}

// 3000 Japanese names, each with one or two English names; every 10th also with a Chinese name.
const en: NamePair[] = [];
const zh: NamePair[] = [];
for (let i = 0; i < 3000; i++) {
  en.push(pair(`名${i}`, `name ${i}`, 'en'));
  if (i % 7 === 0) en.push(pair(`名${i}`, `alias ${i}`, 'en'));
  if (i % 10 === 0) zh.push(pair(`名${i}`, `名字${i}`, 'zh'));
}

describe('splitPairs', () => {
  it('is deterministic and independent of the input order', () => {
    const a = splitPairs({ en, zh });
    const shuffled = { en: createRng(5).shuffle([...en]), zh: createRng(6).shuffle([...zh]) };
    const b = splitPairs(shuffled);
    const keys = (ps: NamePair[]) => ps.map((p) => `${p.ja}/${p.text}`).sort();
    expect(keys(b.heldOut.en)).toEqual(keys(a.heldOut.en));
    expect(keys(b.heldOut.zh)).toEqual(keys(a.heldOut.zh));
    expect(keys(b.train.en)).toEqual(keys(a.train.en));
    // another salt: another split
    expect(keys(splitPairs({ en, zh }, { salt: 'other' }).heldOut.en)).not.toEqual(keys(a.heldOut.en));
  });

  it('keeps every Japanese name on one side and holds out about the requested share', () => {
    const s = splitPairs({ en, zh }, { fraction: 0.05, zhFraction: 0.2 });
    const trainJa = new Set([...s.train.en, ...s.train.zh].map((p) => p.jaKey));
    const heldJa = new Set([...s.heldOut.en, ...s.heldOut.zh].map((p) => p.jaKey));
    expect([...heldJa].filter((j) => trainJa.has(j))).toEqual([]);
    expect(s.train.en.length + s.heldOut.en.length).toBe(en.length);
    expect(s.train.zh.length + s.heldOut.zh.length).toBe(zh.length);
    // 2700 names without zh at 5%, 300 with zh at 20% (binomial: ± 3 standard deviations)
    const heldPlain = [...heldJa].filter((j) => Number(j.slice(1)) % 10 !== 0).length;
    expect(heldPlain).toBeGreaterThan(2700 * 0.05 - 3 * Math.sqrt(2700 * 0.05 * 0.95));
    expect(heldPlain).toBeLessThan(2700 * 0.05 + 3 * Math.sqrt(2700 * 0.05 * 0.95));
    expect(s.heldOut.zh.length).toBeGreaterThan(300 * 0.2 - 3 * Math.sqrt(300 * 0.2 * 0.8));
    expect(s.heldOut.zh.length).toBeLessThan(300 * 0.2 + 3 * Math.sqrt(300 * 0.2 * 0.8));
  });

  it('rejects fractions outside [0, 1)', () => {
    expect(() => splitPairs({ en, zh }, { fraction: 1 })).toThrow(/fraction must be in \[0, 1\)/);
  });
});
