import type { Sentence } from '@nerima/core';
import { describe, expect, it } from 'vitest';
import { diffEntities, labelSelection, supportProblem, toJsonl, typeNameProblem } from './support.js';

const s: Sentence = {
  id: 'u1',
  text: '佐藤さんが札幌市でラーメンを食べた。',
  entities: [{ start: 5, end: 8, type: 'LOCATION' }],
};

describe('labelSelection', () => {
  it('adds a new entity, sorted by offset', () => {
    const r = labelSelection(s, 9, 13, 'DISH');
    expect(r).toEqual({
      ok: true,
      sentence: {
        ...s,
        entities: [
          { start: 5, end: 8, type: 'LOCATION' },
          { start: 9, end: 13, type: 'DISH' },
        ],
      },
    });
    const first = labelSelection(s, 0, 2, 'PERSON');
    expect(first.ok && first.sentence.entities.map((e) => e.type)).toEqual(['PERSON', 'LOCATION']);
  });

  it('relabels an entity selected exactly', () => {
    const r = labelSelection(s, 5, 8, 'CITY');
    expect(r.ok && r.sentence.entities).toEqual([{ start: 5, end: 8, type: 'CITY' }]);
    expect(r.ok && r.replaced).toEqual({ start: 5, end: 8, type: 'LOCATION' });
  });

  it('refuses a selection across, inside or around an existing entity, naming it', () => {
    for (const [a, b] of [
      [4, 6],
      [6, 7],
      [4, 9],
    ] as const) {
      const r = labelSelection(s, a, b, 'X');
      expect(r.ok).toBe(false);
      expect(!r.ok && r.message).toContain('"札幌市" (LOCATION)');
    }
  });

  it('refuses empty, whitespace-edged and out-of-sentence selections', () => {
    expect(labelSelection(s, 3, 3, 'X')).toMatchObject({
      ok: false,
      message: expect.stringMatching(/empty/),
    });
    expect(labelSelection(s, 10, 99, 'X')).toMatchObject({
      ok: false,
      message: expect.stringMatching(/one sentence/),
    });
    const spaced: Sentence = { id: 'x', text: 'A 東京', entities: [] };
    expect(labelSelection(spaced, 1, 4, 'X')).toMatchObject({
      ok: false,
      message: expect.stringMatching(/whitespace/),
    });
  });
});

describe('supportProblem / typeNameProblem', () => {
  it('needs at least two types', () => {
    expect(supportProblem([])).toMatch(/no labelled entity/);
    expect(supportProblem([s])).toMatch(/only one type \(LOCATION\)/);
    const two: Sentence = { ...s, entities: [...s.entities, { start: 9, end: 13, type: 'DISH' }] };
    expect(supportProblem([two])).toBeNull();
  });

  it('accepts names like DISH or 料理, refuses empty and spaced ones', () => {
    expect(typeNameProblem('DISH')).toBeNull();
    expect(typeNameProblem('料理')).toBeNull();
    expect(typeNameProblem('')).toMatch(/name/);
    expect(typeNameProblem('two words')).toMatch(/not a usable type name/);
  });
});

describe('diffEntities', () => {
  it('lists added, removed and retyped spans', () => {
    const e = (start: number, end: number, type: string) => ({ start, end, type, text: '', score: 1 });
    const d = diffEntities(
      [e(0, 2, 'PERSON'), e(5, 8, 'LOCATION')],
      [e(0, 2, 'PERSON'), e(5, 8, 'CITY'), e(9, 13, 'DISH')],
    );
    expect(d.added).toEqual([e(9, 13, 'DISH')]);
    expect(d.removed).toEqual([]);
    expect(d.retyped).toEqual([{ before: e(5, 8, 'LOCATION'), after: e(5, 8, 'CITY') }]);
    expect(diffEntities([e(1, 2, 'A')], []).removed).toEqual([e(1, 2, 'A')]);
  });
});

describe('toJsonl', () => {
  it('writes one Sentence per line with {start, end, type} entities', () => {
    const out = toJsonl([{ ...s, entities: [{ start: 5, end: 8, type: 'LOCATION', text: '札幌市' }] }]);
    expect(out).toBe(
      '{"id":"u1","text":"佐藤さんが札幌市でラーメンを食べた。","entities":[{"start":5,"end":8,"type":"LOCATION"}]}\n',
    );
    expect(toJsonl([])).toBe('');
  });
});
