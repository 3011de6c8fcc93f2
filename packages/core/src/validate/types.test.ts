import { existsSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadTypes, parseTypes } from './types.js';

const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));
const dataDir = process.env['NERIMA_DATA'] ?? resolve(repoRoot, '../shared/data');
const stockmarkTypes = join(dataDir, 'stockmark/types.json');

describe('types.json', () => {
  it('parses the object form and the array form', () => {
    expect(parseTypes({ PERSON: { ja: '人名', description: 'person' }, LOCATION: {} })).toEqual({
      codes: ['PERSON', 'LOCATION'],
      byCode: {
        PERSON: { code: 'PERSON', ja: '人名', description: 'person' },
        LOCATION: { code: 'LOCATION' },
      },
    });
    expect(parseTypes(['A', 'B']).codes).toEqual(['A', 'B']);
  });

  it('rejects bad inventories with the file name', () => {
    expect(() => parseTypes(['A', 'A'], 't.json')).toThrow('t.json: type A is listed twice');
    expect(() => parseTypes([], 't.json')).toThrow('t.json: no types listed');
    expect(() => parseTypes('x', 't.json')).toThrow(/t.json: expected an object/);
    expect(() => parseTypes([3], 't.json')).toThrow(/non-empty strings/);
  });

  it('loadTypes reads a file and names it on invalid JSON', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'nerima-types-'));
    await writeFile(join(dir, 'types.json'), '{"X": {}, ');
    await expect(loadTypes(join(dir, 'types.json'))).rejects.toThrow(/types\.json: invalid JSON/);
  });

  it.skipIf(!existsSync(stockmarkTypes))('loads the Stockmark types', async () => {
    const t = await loadTypes(stockmarkTypes);
    expect(t.codes).toEqual([
      'PERSON',
      'CORPORATION',
      'POLITICAL_ORG',
      'OTHER_ORG',
      'LOCATION',
      'FACILITY',
      'PRODUCT',
      'EVENT',
    ]);
    expect(t.byCode['OTHER_ORG']?.ja).toBe('その他の組織名');
  });
});
