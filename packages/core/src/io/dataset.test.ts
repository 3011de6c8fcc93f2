import { existsSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DatasetError } from '../validate/issue.js';
import { loadTypes } from '../validate/types.js';
import { formatConll } from './conll.js';
import { detectFormat, readDataset } from './dataset.js';

const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));
const dataDir = process.env['NERIMA_DATA'] ?? resolve(repoRoot, '../shared/data');
const train = join(dataDir, 'stockmark/train.jsonl');
const typesFile = join(dataDir, 'stockmark/types.json');
const haveData = existsSync(train) && existsSync(typesFile);

describe('detectFormat', () => {
  it('uses the extension, then the content', () => {
    expect(detectFormat('a.jsonl')).toBe('jsonl');
    expect(detectFormat('a.IOB2')).toBe('conll');
    expect(detectFormat('a.bio')).toBe('conll');
    expect(detectFormat('ner.json', '\uFEFF  [\n {"curid"')).toBe('stockmark-json');
    expect(detectFormat('data.txt', '{"id":1}')).toBe('jsonl');
    expect(detectFormat('data', '東\tB-LOCATION')).toBe('conll');
  });
});

describe('readDataset', () => {
  it('reads each format from disk and returns stats', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'nerima-ds-'));
    const s = { id: 'x', text: '東京都', entities: [{ start: 0, end: 2, type: 'LOCATION', text: '東京' }] };
    await writeFile(join(dir, 'a.jsonl'), `${JSON.stringify(s)}\n`);
    await writeFile(join(dir, 'b.txt'), formatConll([s]).text);
    await writeFile(
      join(dir, 'ner.json'),
      JSON.stringify([
        { curid: 1, text: '東京都', entities: [{ name: '東京', span: [0, 2], type: '地名' }] },
      ]),
    );
    const a = await readDataset(join(dir, 'a.jsonl'));
    const b = await readDataset(join(dir, 'b.txt'));
    const c = await readDataset(join(dir, 'ner.json'));
    expect([a.format, b.format, c.format]).toEqual(['jsonl', 'conll', 'stockmark-json']);
    expect(a.sentences).toEqual([s]);
    expect(b.sentences).toEqual([s]);
    expect(c.sentences).toEqual([{ ...s, id: 'stockmark-1-0' }]);
    expect(a.stats.perType).toEqual({ LOCATION: 1 });
    expect(a.file).toBe(join(dir, 'a.jsonl'));
  });

  it.skipIf(!haveData)('reads Stockmark train.jsonl with zero issues and the documented counts', async () => {
    const { codes } = await loadTypes(typesFile);
    const { sentences, issues, stats } = await readDataset(train, { types: codes });
    expect(issues).toEqual([]);
    expect(sentences.length).toBe(4008);
    expect(stats.sentences).toBe(4008);
    expect(stats.entities).toBe(9910);
    expect(stats.sentencesWithoutEntities).toBe(366);
    expect(stats.perType).toEqual({
      PERSON: 2254,
      CORPORATION: 1878,
      LOCATION: 1635,
      PRODUCT: 911,
      POLITICAL_ORG: 901,
      FACILITY: 843,
      OTHER_ORG: 762,
      EVENT: 726,
    });
    expect(stats.overlappingEntities).toBe(0);
    const dev = await readDataset(join(dataDir, 'stockmark/dev.jsonl'), { types: codes });
    expect([dev.stats.sentences, dev.stats.entities]).toEqual([534, 1332]);
  });

  it.skipIf(!haveData)(
    'a corrupted copy: file:line errors, lenient keeps exactly the valid rows',
    async () => {
      const { codes } = await loadTypes(typesFile);
      const lines = (await readFile(train, 'utf8')).split('\n').filter((l) => l !== '');
      const rows = lines.map(
        (l) => JSON.parse(l) as { id: string; text: string; entities: Array<Record<string, unknown>> },
      );
      const withEntities = rows.map((r, i) => (r.entities.length > 0 ? i : -1)).filter((i) => i >= 0);
      const [i1, i2, i3, i4, i5, i6, i7] = [
        withEntities[2]!,
        9,
        withEntities[20]!,
        withEntities[30]!,
        39,
        49,
        withEntities[60]!,
      ];
      const broken = [...lines];
      const edit = (i: number, f: (r: (typeof rows)[number]) => void) => {
        const r = JSON.parse(lines[i]!) as (typeof rows)[number];
        f(r);
        broken[i] = JSON.stringify(r);
      };
      edit(i1, (r) => {
        r.entities[0]!['end'] = r.text.length + 2;
      });
      broken[i2] = lines[i2]!.slice(0, 30); // truncated JSON
      edit(i3, (r) => {
        r.entities[0]!['type'] = 'PERSONN';
      });
      edit(i4, (r) => {
        r.entities[0]!['start'] = (r.entities[0]!['start'] as number) + 1; // surface no longer matches
      });
      broken[i5] = JSON.stringify({
        id: 'astral-1',
        text: '𠮷野家の牛丼',
        entities: [{ start: 1, end: 4, type: 'CORPORATION' }],
      });
      edit(i6, (r) => {
        r.id = rows[0]!.id;
      });
      edit(i7, (r) => {
        r.entities[0]!['end'] = r.entities[0]!['start'];
      });
      const dir = await mkdtemp(join(tmpdir(), 'nerima-corrupt-'));
      const path = join(dir, 'train.jsonl');
      await writeFile(path, `${broken.join('\n')}\n`);

      const err = await readDataset(path, { types: codes }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DatasetError);
      const issues = (err as DatasetError).issues;
      const byLine = new Map(issues.map((i) => [i.line, i]));
      expect([...byLine.keys()].sort((a, b) => a - b)).toEqual(
        [i1, i2, i3, i4, i5, i6, i7].map((i) => i + 1).sort((a, b) => a - b),
      );
      const r1 = rows[i1]!;
      expect(byLine.get(i1 + 1)!.message).toBe(
        `${path}:${i1 + 1}: entities[0].end (${r1.text.length + 2}) is beyond text length (${r1.text.length})`,
      );
      expect(byLine.get(i2 + 1)!.message).toMatch(new RegExp(`^${path}:${i2 + 1}: invalid JSON`));
      expect(byLine.get(i3 + 1)!.message).toBe(
        `${path}:${i3 + 1}: entities[0].type "PERSONN" is not a known type (known: ${codes.join(', ')})`,
      );
      expect(byLine.get(i4 + 1)!.field).toBe('entities[0].text');
      expect(byLine.get(i5 + 1)!.message).toBe(
        `${path}:${i5 + 1}: entities[0].start (1) splits a surrogate pair (U+20BB7 "𠮷" at 0-2); offsets are UTF-16 code units, not bytes or code points`,
      );
      expect(byLine.get(i6 + 1)!.message).toBe(
        `${path}:${i6 + 1}: id "${rows[0]!.id}" duplicates the id on line 1`,
      );
      expect(byLine.get(i7 + 1)!.message).toMatch(
        /entities\[0\]\.end \(\d+\) must be greater than start \(\d+\)$/,
      );
      expect((err as DatasetError).message).toMatch(/: 7 error\(s\) in 7 of 4008 row\(s\):/);

      const lenient = await readDataset(path, { types: codes, mode: 'lenient' });
      const badIdx = new Set([i1, i2, i3, i4, i5, i6, i7]);
      expect(lenient.sentences.map((s) => s.id)).toEqual(
        rows.filter((_, i) => !badIdx.has(i)).map((r) => r.id),
      );
      expect(lenient.sentences.length).toBe(4001);
      expect(lenient.issues.length).toBe(7);
    },
  );
});
