import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DatasetError } from '../validate/issue.js';
import { formatJsonl, iterateJsonl, parseJsonl, readJsonl, writeJsonl } from './jsonl.js';

const good = '{"id":"a","text":"東京都","entities":[{"start":0,"end":2,"type":"LOCATION","text":"東京"}]}';
const good2 = '{"id":"b","text":"なし","entities":[]}';

describe('parseJsonl', () => {
  it('reads rows, skipping blank lines, with CRLF and a BOM', () => {
    const { sentences, issues } = parseJsonl(`\uFEFF${good}\r\n\r\n${good2}\r\n`, 'x.jsonl');
    expect(issues).toEqual([]);
    expect(sentences).toEqual([
      { id: 'a', text: '東京都', entities: [{ start: 0, end: 2, type: 'LOCATION', text: '東京' }] },
      { id: 'b', text: 'なし', entities: [] },
    ]);
  });

  it('reports bad JSON with file:line, and strict mode throws after reading everything', () => {
    const text = `${good}\n{"id":"c","text":\n${good2}\n{"id":"a","text":"x","entities":[]}\n`;
    let err: DatasetError | undefined;
    try {
      parseJsonl(text, 'train.jsonl');
    } catch (e) {
      err = e as DatasetError;
    }
    expect(err).toBeInstanceOf(DatasetError);
    expect(err!.issues.map((i) => i.message)).toEqual([
      expect.stringMatching(
        /^train\.jsonl:2: invalid JSON \(.+\); each line must be one complete JSON object$/,
      ),
      'train.jsonl:4: id "a" duplicates the id on line 1',
    ]);
    expect(err!.message).toMatch(/^train\.jsonl: 2 error\(s\) in 2 of 4 row\(s\):/);
    const lenient = parseJsonl(text, 'train.jsonl', { mode: 'lenient' });
    expect(lenient.sentences.map((s) => s.id)).toEqual(['a', 'b']);
    expect(lenient.issues.map((i) => i.line)).toEqual([2, 4]);
  });

  it('checks types when given', () => {
    const r = parseJsonl(`${good}\n`, 'x.jsonl', { mode: 'lenient', types: ['PERSON'] });
    expect(r.sentences).toEqual([]);
    expect(r.issues[0]!.message).toBe(
      'x.jsonl:1: entities[0].type "LOCATION" is not a known type (known: PERSON)',
    );
  });
});

describe('JSONL files', () => {
  it('writeJsonl then readJsonl round-trips, and formatJsonl matches the file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'nerima-jsonl-'));
    const path = join(dir, 'sub/out.jsonl');
    const rows = parseJsonl(`${good}\n${good2}\n`).sentences;
    async function* gen() {
      yield* rows;
    }
    await writeJsonl(path, gen());
    expect(await readFile(path, 'utf8')).toBe(formatJsonl(rows));
    expect((await readJsonl(path)).sentences).toEqual(rows);
  });

  it('writeJsonl streams many rows', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'nerima-jsonl-'));
    const path = join(dir, 'many.jsonl');
    const rows = Array.from({ length: 5000 }, (_, i) => ({
      id: `s${i}`,
      text: 'あ'.repeat(20),
      entities: [],
    }));
    await writeJsonl(path, rows);
    const back = await readJsonl(path);
    expect(back.sentences.length).toBe(5000);
    expect(back.sentences[4999]!.id).toBe('s4999');
  });

  it('iterateJsonl yields any JSON values and names file:line on bad JSON', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'nerima-jsonl-'));
    const path = join(dir, 'kb.jsonl');
    await writeFile(path, '{"ja":"東京","en":"Tokyo"}\n\n[1,2]\nnot json\n');
    const seen: Array<{ line: number; value: unknown }> = [];
    await expect(
      (async () => {
        for await (const r of iterateJsonl(path)) seen.push(r);
      })(),
    ).rejects.toThrow(`${path}:4: invalid JSON`);
    expect(seen).toEqual([
      { line: 1, value: { ja: '東京', en: 'Tokyo' } },
      { line: 3, value: [1, 2] },
    ]);
  });
});
