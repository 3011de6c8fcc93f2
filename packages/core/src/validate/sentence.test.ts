import { describe, expect, it } from 'vitest';
import { validateSentences } from './collect.js';
import { DatasetError } from './issue.js';
import { normalizeSentence, splitsSurrogatePair, validateSentence } from './sentence.js';

const ctx = { file: 'train.jsonl', line: 17 };
const messages = (value: unknown, extra: Partial<Parameters<typeof validateSentence>[1]> = {}) =>
  validateSentence(value, { ...ctx, ...extra }).map((i) => i.message);
const row = (entities: unknown[], text = 'abcdefghij') => ({ id: 's1', text, entities });

describe('validateSentence', () => {
  it('accepts a valid row (with or without entity text)', () => {
    expect(
      messages(
        row([
          { start: 0, end: 3, type: 'X', text: 'abc' },
          { start: 2, end: 4, type: 'Y' },
        ]),
      ),
    ).toEqual([]);
    expect(messages(row([]))).toEqual([]);
  });

  it('reports a row that is not an object', () => {
    expect(messages([1, 2])).toEqual([
      'train.jsonl:17: the row must be a JSON object {"id", "text", "entities"}, got array',
    ]);
    expect(messages(null)).toEqual([
      'train.jsonl:17: the row must be a JSON object {"id", "text", "entities"}, got null',
    ]);
  });

  it('reports missing and wrong-typed top-level fields', () => {
    expect(messages({})).toEqual([
      'train.jsonl:17: id is missing (every sentence needs a unique string id)',
      'train.jsonl:17: text is missing',
      'train.jsonl:17: entities is missing (use [] for a sentence without entities)',
    ]);
    expect(messages({ id: 5, text: ['a'], entities: {} })).toEqual([
      'train.jsonl:17: id must be a non-empty string, got number 5',
      'train.jsonl:17: text must be a string, got array',
      'train.jsonl:17: entities must be an array, got object',
    ]);
    expect(messages({ id: '', text: 'a', entities: [] })).toEqual([
      'train.jsonl:17: id must be a non-empty string, got string ""',
    ]);
  });

  it('reports entities that are not objects and missing entity fields', () => {
    expect(messages(row(['x', {}]))).toEqual([
      'train.jsonl:17: entities[0] must be an object {"start", "end", "type"}, got string',
      'train.jsonl:17: entities[1].start is missing',
      'train.jsonl:17: entities[1].end is missing',
      'train.jsonl:17: entities[1].type is missing',
    ]);
  });

  it('reports non-integer offsets', () => {
    expect(messages(row([{ start: '1', end: 2.5, type: 'X' }]))).toEqual([
      'train.jsonl:17: entities[0].start must be an integer UTF-16 offset, got "1"',
      'train.jsonl:17: entities[0].end must be an integer UTF-16 offset, got 2.5',
    ]);
  });

  it('reports offsets out of range and end <= start', () => {
    const text = 'x'.repeat(38);
    expect(messages(row([{}, {}, { start: 30, end: 40, type: 'X' }], text)).at(-1)).toBe(
      'train.jsonl:17: entities[2].end (40) is beyond text length (38)',
    );
    expect(messages(row([{ start: -1, end: 2, type: 'X' }]))).toEqual([
      'train.jsonl:17: entities[0].start (-1) is negative',
    ]);
    expect(messages(row([{ start: 5, end: 3, type: 'X' }]))).toEqual([
      'train.jsonl:17: entities[0].end (3) must be greater than start (5)',
    ]);
    expect(messages(row([{ start: 4, end: 4, type: 'X' }]))).toEqual([
      'train.jsonl:17: entities[0].end (4) must be greater than start (4)',
    ]);
  });

  it('reports a surface text mismatch and a non-string surface', () => {
    expect(messages(row([{ start: 1, end: 3, type: 'X', text: 'bd' }]))).toEqual([
      'train.jsonl:17: entities[0].text "bd" does not match text.slice(1, 3) "bc"',
    ]);
    expect(messages(row([{ start: 1, end: 3, type: 'X', text: 7 }]))).toEqual([
      'train.jsonl:17: entities[0].text must be a string, got number',
    ]);
  });

  it('handles astral characters: UTF-16 offsets are valid, splitting a pair is reported', () => {
    // 𠮷 (U+20BB7) is two UTF-16 code units: "𠮷野家" has length 4.
    const text = '𠮷野家で食べた';
    expect(text.length).toBe(8);
    expect(messages(row([{ start: 0, end: 4, type: 'CORPORATION', text: '𠮷野家' }], text))).toEqual([]);
    // Code-point offsets (0, 3) would cut 家 off: reported as a text mismatch.
    expect(messages(row([{ start: 0, end: 3, type: 'CORPORATION', text: '𠮷野家' }], text))).toEqual([
      'train.jsonl:17: entities[0].text "𠮷野家" does not match text.slice(0, 3) "𠮷野"',
    ]);
    expect(messages(row([{ start: 1, end: 4, type: 'X' }], text))).toEqual([
      'train.jsonl:17: entities[0].start (1) splits a surrogate pair (U+20BB7 "𠮷" at 0-2); offsets are UTF-16 code units, not bytes or code points',
    ]);
    expect(messages(row([{ start: 2, end: 4, type: 'X' }], 'abc𠮷d'))).toEqual([
      'train.jsonl:17: entities[0].end (4) splits a surrogate pair (U+20BB7 "𠮷" at 3-5); offsets are UTF-16 code units, not bytes or code points',
    ]);
    expect(splitsSurrogatePair(text, 1)).toBe(true);
    expect(splitsSurrogatePair(text, 2)).toBe(false);
    expect(splitsSurrogatePair(text, 0)).toBe(false);
  });

  it('reports unknown types only when a type set is given', () => {
    const r = row([{ start: 0, end: 1, type: 'PERSN' }]);
    expect(messages(r)).toEqual([]);
    expect(messages(r, { types: new Set(['PERSON', 'LOCATION']) })).toEqual([
      'train.jsonl:17: entities[0].type "PERSN" is not a known type (known: PERSON, LOCATION)',
    ]);
    expect(messages(row([{ start: 0, end: 1, type: '' }]))).toEqual([
      'train.jsonl:17: entities[0].type must be a non-empty string, got ""',
    ]);
  });

  it('reports duplicate ids, and an invalid row does not claim its id', () => {
    const seenIds = new Map<string, number>();
    expect(validateSentence({ id: 'a', text: 'x', entities: [] }, { file: 'f', line: 1, seenIds })).toEqual(
      [],
    );
    const bad = validateSentence({ id: 'b', text: 'x', entities: [{}] }, { file: 'f', line: 2, seenIds });
    expect(bad.length).toBeGreaterThan(0);
    expect(validateSentence({ id: 'b', text: 'x', entities: [] }, { file: 'f', line: 3, seenIds })).toEqual(
      [],
    );
    expect(
      validateSentence({ id: 'a', text: 'y', entities: [] }, { file: 'f', line: 4, seenIds }).map(
        (i) => i.message,
      ),
    ).toEqual(['f:4: id "a" duplicates the id on line 1']);
  });

  it('fills in issue fields', () => {
    const [issue] = validateSentence(row([{ start: 0, end: 40, type: 'X' }], 'x'.repeat(38)), ctx);
    expect(issue).toEqual({
      file: 'train.jsonl',
      line: 17,
      field: 'entities[0].end',
      value: 40,
      severity: 'error',
      message: 'train.jsonl:17: entities[0].end (40) is beyond text length (38)',
    });
  });
});

describe('normalizeSentence', () => {
  it('keeps only the known fields and fills entity text', () => {
    const s = {
      id: 'a',
      text: '東京都',
      entities: [{ start: 0, end: 2, type: 'LOCATION', extra: 1 }],
      meta: 2,
    };
    expect(normalizeSentence(s)).toEqual({
      id: 'a',
      text: '東京都',
      entities: [{ start: 0, end: 2, type: 'LOCATION', text: '東京' }],
    });
  });
});

describe('validateSentences', () => {
  const records = [
    { id: 'a', text: 'abc', entities: [{ start: 0, end: 1, type: 'X' }] },
    { id: 'b', text: 'abc', entities: [{ start: 0, end: 9, type: 'X' }] },
    { id: 'c', text: 'abc', entities: [] },
  ];

  it('strict mode throws a DatasetError listing the issues', () => {
    let error: unknown;
    try {
      validateSentences(records, { file: 'mem' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DatasetError);
    const de = error as DatasetError;
    expect(de.issues.map((i) => i.message)).toEqual(['mem:2: entities[0].end (9) is beyond text length (3)']);
    expect(de.message).toContain(
      'mem: 1 error(s) in 1 of 3 row(s):\n  mem:2: entities[0].end (9) is beyond text length (3)',
    );
    expect(de.message).toContain("mode: 'lenient'");
  });

  it('lenient mode keeps the valid rows and returns the issues', () => {
    const { sentences, issues } = validateSentences(records, { mode: 'lenient' });
    expect(sentences.map((s) => s.id)).toEqual(['a', 'c']);
    expect(sentences[0]!.entities[0]!.text).toBe('a');
    expect(issues.map((i) => i.line)).toEqual([2]);
  });

  it('rejects an unknown mode', () => {
    expect(() => validateSentences([], { mode: 'loose' as never })).toThrow(/strict' or 'lenient/);
  });
});
