import type { Sentence } from '@nerima/core';
import { describe, expect, it } from 'vitest';
import { analyzeStructure } from './structure.js';

const s = (text: string, entities: [number, number, string][]): Sentence => ({
  id: 'x',
  text,
  entities: entities.map(([start, end, type]) => ({ start, end, type })),
});

describe('analyzeStructure', () => {
  it('makes outermost entities units and puts nested ones inside them', () => {
    // 金沢大学 ORG ⊃ 金沢 LOC; 山田 PER separate.
    const st = analyzeStructure(
      s('山田は金沢大学の学生', [
        [3, 7, 'ORG'],
        [0, 2, 'PER'],
        [3, 5, 'LOC'],
      ]),
    );
    expect(st.valid).toBe(true);
    expect(st.units.map((u) => [u.index, u.entity.text, u.inner])).toEqual([
      [1, '山田', []],
      [0, '金沢大学', [2]],
    ]);
    expect(st.blocked).toEqual([]);
  });

  it('blocks crossing and same-span outermost entities with everything inside them', () => {
    // AB (0-2) crosses BC (1-3); D (4-5) twice with two types; E (6-8) free; B (1-2) nested in both AB and BC.
    const st = analyzeStructure(
      s('ABC D EF', [
        [0, 2, 'X'],
        [1, 3, 'Y'],
        [4, 5, 'P'],
        [4, 5, 'Q'],
        [6, 8, 'Z'],
        [1, 2, 'W'],
      ]),
    );
    expect(st.units.map((u) => u.entity.text)).toEqual(['EF']);
    expect(st.blocked).toEqual([0, 1, 2, 3, 5]);
  });

  it('marks a sentence with a split surrogate pair or a text mismatch invalid, naming the field', () => {
    // 𠮷 is two UTF-16 units: an entity ending at 1 splits it.
    const bad = analyzeStructure(s('𠮷田', [[0, 1, 'PER']]));
    expect(bad.valid).toBe(false);
    expect(bad.problems[0]).toMatch(/^sentence x: entities\[0\]\.end.*surrogate/);
    const mismatch = analyzeStructure({
      id: 'y',
      text: 'abc',
      entities: [{ start: 0, end: 2, type: 'X', text: 'bc' }],
    });
    expect(mismatch.valid).toBe(false);
    expect(mismatch.problems[0]).toMatch(/entities\[0\]/);
    expect(analyzeStructure(s('𠮷田', [[0, 3, 'PER']])).units[0]!.entity.text).toBe('𠮷田');
  });
});
