import type { Sentence } from '@nerima/core';
import { describe, expect, it } from 'vitest';
import type { CommandContext } from './command.js';
import { DataError, UsageError } from './errors.js';
import { chooseTestTypes, methodContext, sampleSetting } from './evaluate.js';
import { Output } from './output.js';

const KNOWN = ['CORPORATION', 'EVENT', 'LOCATION', 'OTHER_ORG', 'PERSON', 'PRODUCT'];

describe('chooseTestTypes', () => {
  it('defaults to every known type, or takes a fold or a list', () => {
    expect(chooseTestTypes(KNOWN, 'd', undefined, undefined)).toEqual(KNOWN);
    expect(chooseTestTypes(KNOWN, 'd', 'a', undefined)).toEqual([
      'LOCATION',
      'OTHER_ORG',
      'PRODUCT',
      'EVENT',
    ]);
    expect(chooseTestTypes(KNOWN, 'd', undefined, ['PERSON', 'EVENT'])).toEqual(['PERSON', 'EVENT']);
  });

  it('rejects unknown types as data errors and bad flags as usage errors', () => {
    // Fold B's test types include POLITICAL_ORG and FACILITY, which this data lacks.
    expect(() => chooseTestTypes(KNOWN, 'data.jsonl', 'B', undefined)).toThrow(
      new DataError(
        'data.jsonl: unknown entity type(s) POLITICAL_ORG, FACILITY; the data has ' + KNOWN.join(', '),
      ),
    );
    expect(() => chooseTestTypes(KNOWN, 'd', 'C', undefined)).toThrow(UsageError);
    expect(() => chooseTestTypes(KNOWN, 'd', 'A', ['PERSON'])).toThrow(UsageError);
  });
});

function sentence(id: string, types: string[]): Sentence {
  let text = '';
  const entities = types.map((type) => {
    const start = text.length;
    text += `${type}です。`;
    return { start, end: start + type.length, type, text: type };
  });
  return { id, text, entities };
}

describe('sampleSetting', () => {
  it('names the file, the setting and the short types when K is too large', () => {
    const data = [
      ...Array.from({ length: 6 }, (_, i) => sentence(`a${i}`, ['A'])),
      ...Array.from({ length: 3 }, (_, i) => sentence(`b${i}`, ['B'])),
    ];
    const setting = { name: '2-way 2-shot', n: 2, k: 2 };
    expect(() => sampleSetting(data, ['A', 'B'], setting, 1, 1, 'x.jsonl')).toThrow(
      'x.jsonl: 2-way 2-shot needs at least 4 mentions (2 support + 2 query) of 2 types, but B has 3',
    );
    expect(() => sampleSetting(data, ['A'], setting, 1, 1, 'x.jsonl')).toThrow(
      'x.jsonl: 2-way 2-shot needs 2 entity types but only 1 are available (A)',
    );
    const eps = sampleSetting(data, ['A', 'B'], { name: '2-way 1-shot', n: 2, k: 1 }, 3, 1, 'x.jsonl');
    expect(eps).toHaveLength(3);
    for (const ep of eps) expect([...ep.types].sort()).toEqual(['A', 'B']);
  });
});

describe('methodContext', () => {
  it('initialises the requested tfjs backend once, on demand', async () => {
    const sink = { write: () => true };
    const ctx: CommandContext = {
      args: [],
      values: {},
      global: { seed: 1, seedGiven: false, backend: 'cpu', quiet: true, json: false, debug: false },
      out: new Output({ stdout: sink, stderr: sink, json: false, quiet: true, debug: false }),
      cwd: process.cwd(),
      env: {},
      progress: () => ({ tick() {}, done() {} }),
    };
    const used: { backend?: string } = {};
    const mc = methodContext(ctx, {}, ['A'], used);
    expect(used.backend).toBeUndefined();
    const first = mc.initBackend();
    expect(mc.initBackend()).toBe(first);
    expect(await first).toBe('cpu');
    expect(used.backend).toBe('cpu');
  });
});
