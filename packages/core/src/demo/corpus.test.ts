import { describe, expect, it } from 'vitest';
import type { Sentence } from '../types.js';
import { join, span } from './fragment.js';
import { DEMO_TYPES, generateDemoCorpus } from './index.js';

const corpus = generateDemoCorpus({ seed: 1 });
const splits = { train: corpus.train, dev: corpus.dev, test: corpus.test };
const all: Sentence[] = [...corpus.train, ...corpus.dev, ...corpus.test];

describe('fragment helpers', () => {
  it('nests and shifts offsets in UTF-16 code units', () => {
    const univ = span('OTHER_ORG', span('LOCATION', '金沢'), '大学');
    expect(univ.entities).toEqual([
      { start: 0, end: 4, type: 'OTHER_ORG', text: '金沢大学' },
      { start: 0, end: 2, type: 'LOCATION', text: '金沢' },
    ]);
    // '𠮷' is one character but two code units, so what follows starts at 2.
    const f = join('𠮷', span('PERSON', '田中'), '『', univ, '』');
    expect(f.text).toBe('𠮷田中『金沢大学』');
    expect(f.entities).toEqual([
      { start: 2, end: 4, type: 'PERSON', text: '田中' },
      { start: 5, end: 9, type: 'OTHER_ORG', text: '金沢大学' },
      { start: 5, end: 7, type: 'LOCATION', text: '金沢' },
    ]);
  });
});

describe('generateDemoCorpus', () => {
  it('has 600/150/150 sentences by default and 8 types', () => {
    expect([corpus.train.length, corpus.dev.length, corpus.test.length]).toEqual([600, 150, 150]);
    expect(corpus.types).toEqual([...DEMO_TYPES]);
    expect(corpus.types).toHaveLength(8);
  });

  it('is deterministic per seed', () => {
    expect(generateDemoCorpus({ seed: 1 })).toEqual(corpus);
    expect(generateDemoCorpus({ seed: '1' })).toEqual(corpus);
    const other = generateDemoCorpus({ seed: 2 });
    expect(other.train.map((s) => s.text)).not.toEqual(corpus.train.map((s) => s.text));
  });

  it('gives unique ids', () => {
    expect(new Set(all.map((s) => s.id)).size).toBe(all.length);
    expect(corpus.test[0]?.id).toBe('demo-test-000');
  });

  it('gives valid offsets for every entity', () => {
    let checked = 0;
    for (const s of all) {
      for (const e of s.entities) {
        expect(e.start).toBeGreaterThanOrEqual(0);
        expect(e.end).toBeGreaterThan(e.start);
        expect(e.end).toBeLessThanOrEqual(s.text.length);
        expect(s.text.slice(e.start, e.end)).toBe(e.text);
        expect(corpus.types).toContain(e.type);
        checked++;
      }
      // sorted by (start, end)
      const order = s.entities.map((e) => [e.start, e.end]);
      expect(order).toEqual(
        [...order].sort((a, b) => (a[0] ?? 0) - (b[0] ?? 0) || (a[1] ?? 0) - (b[1] ?? 0)),
      );
    }
    expect(checked).toBeGreaterThan(1000);
  });

  it('has every type with at least 20 mentions in every split', () => {
    for (const [name, sentences] of Object.entries(splits)) {
      const counts = new Map<string, number>();
      for (const s of sentences)
        for (const e of s.entities) counts.set(e.type, (counts.get(e.type) ?? 0) + 1);
      for (const t of corpus.types) expect(counts.get(t) ?? 0, `${name} ${t}`).toBeGreaterThanOrEqual(20);
    }
  });

  it('contains nested entities, e.g. a LOCATION inside an organisation name', () => {
    const nested = all.flatMap((s) =>
      s.entities.flatMap((outer) =>
        s.entities
          .filter((inner) => inner !== outer && inner.start >= outer.start && inner.end <= outer.end)
          .map((inner) => [outer.type, inner.type]),
      ),
    );
    expect(nested.length).toBeGreaterThan(50);
    expect(nested).toContainEqual(['OTHER_ORG', 'LOCATION']);
    expect(nested).toContainEqual(['EVENT', 'LOCATION']);
  });

  it('contains astral-plane characters, full-width digits and Latin, and sentences without entities', () => {
    const astral = all.flatMap((s) => s.entities).filter((e) => /[\u{10000}-\u{10FFFF}]/u.test(e.text ?? ''));
    expect(astral.length).toBeGreaterThan(5);
    const yoshida = astral.find((e) => e.text?.startsWith('𠮷'));
    expect(yoshida).toBeDefined();
    // one astral character = two UTF-16 code units
    expect((yoshida?.end ?? 0) - (yoshida?.start ?? 0)).toBe([...(yoshida?.text ?? '')].length + 1);
    expect(all.some((s) => /[０-９]/.test(s.text))).toBe(true);
    expect(all.some((s) => s.entities.some((e) => /[Ａ-Ｚ]/.test(e.text ?? '')))).toBe(true);
    const empty = all.filter((s) => s.entities.length === 0).length;
    expect(empty / all.length).toBeGreaterThan(0.03);
    expect(empty / all.length).toBeLessThan(0.2);
  });

  it('honours the sentences option and rejects bad values', () => {
    const small = generateDemoCorpus({ seed: 3, sentences: 60 });
    expect([small.train.length, small.dev.length, small.test.length]).toEqual([40, 10, 10]);
    expect(() => generateDemoCorpus({ seed: 3, sentences: 2 })).toThrow(/sentences must be an integer ≥ 3/);
    expect(() => generateDemoCorpus({ seed: 3, sentences: 10.5 })).toThrow(RangeError);
  });
});
