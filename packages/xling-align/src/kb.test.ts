import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DatasetError } from '@nerima/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseKb, readKb } from './kb.js';

const lines = (...rows: unknown[]) =>
  `${rows.map((r) => (typeof r === 'string' ? r : JSON.stringify(r))).join('\n')}\n`;

describe('KB validation', () => {
  const bad = lines(
    { ja: '東京', en: 'Tokyo', type: 'LOCATION' },
    '{"ja": "大阪", "en": ',
    { en: 'Kyoto' },
    { ja: '名古屋', en: 42 },
    { ja: '札幌' },
    { ja: '福岡', en: 'Fukuoka', type: 7 },
    [1, 2],
  );

  it('throws in strict mode, naming file:line and field of every bad row', () => {
    let err: unknown;
    try {
      parseKb(bad, 'kb.jsonl');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DatasetError);
    const issues = (err as DatasetError).issues;
    expect(issues.map((i) => [i.line, i.field])).toEqual([
      [2, ''],
      [3, 'ja'],
      [4, 'en'],
      [5, 'en'],
      [6, 'type'],
      [7, ''],
    ]);
    expect(issues[0]?.message).toMatch(/^kb\.jsonl:2: invalid JSON/);
    expect(issues[2]?.message).toBe('kb.jsonl:4: field en: expected a string, got 42');
    expect(issues[3]?.message).toContain('neither "en" nor "zh"');
    expect((err as Error).message).toContain('6 error(s) in 6 of 7 row(s)');
  });

  it('skips the bad rows in lenient mode and returns them as issues', () => {
    const kb = parseKb(bad, 'kb.jsonl', { mode: 'lenient' });
    expect(kb.issues).toHaveLength(6);
    expect(kb.report.invalidRows).toBe(6);
    expect(kb.report.rows).toBe(7);
    expect(kb.pairs.en.map((p) => [p.ja, p.text, p.type, p.line])).toEqual([
      ['東京', 'Tokyo', 'LOCATION', 1],
    ]);
  });
});

describe('KB cleaning', () => {
  const text = lines(
    { ja: '  ', en: 'Nothing' }, // empty ja: row dropped
    { ja: '北京', en: '', zh: '北京', type: 'LOCATION' }, // empty en, identical zh kept
    { ja: 'ＣＮＮ', en: 'CNN', type: 'CORPORATION' }, // identical after NFKC: dropped
    { ja: '東京', en: 'Tokyo', zh: '东京', type: 'LOCATION' },
    { ja: '東京', en: 'Tōkyō ', zh: '东京', type: 'LOCATION' }, // duplicate en (macrons folded) and zh
    { ja: '松本清', en: 'Matsumoto Kiyoshi', type: 'PERSON' },
    { ja: '松本清', en: 'Matsumoto Sei', type: 'PERSON' }, // homograph: kept
    { ja: '松本潔', en: 'Matsumoto Kiyoshi', type: 'PERSON' }, // same en, other ja: kept
    { ja: '台北', zh: '' }, // empty zh only: no pair
  );

  it('drops empty, identical and duplicate names and counts everything', () => {
    const kb = parseKb(text, 'kb.jsonl');
    expect(kb.issues).toEqual([]);
    const r = kb.report;
    expect(r.dropped).toEqual({
      emptyJa: 1,
      emptyEn: 1,
      emptyZh: 1,
      identicalEn: 1,
      duplicateEn: 1,
      duplicateZh: 1,
    });
    expect(r.identicalZh).toBe(1);
    expect(r.pairs).toEqual({ en: 4, zh: 2 });
    expect(kb.pairs.en.map((p) => `${p.ja}/${p.text}`)).toEqual([
      '東京/Tokyo',
      '松本清/Matsumoto Kiyoshi',
      '松本清/Matsumoto Sei',
      '松本潔/Matsumoto Kiyoshi',
    ]);
    expect(kb.pairs.zh.map((p) => `${p.ja}/${p.text}`)).toEqual(['北京/北京', '東京/东京']);
    expect(r.homographs).toEqual({
      jaWithSeveralEn: 1,
      enWithSeveralJa: 1,
      jaWithSeveralZh: 0,
      zhWithSeveralJa: 0,
    });
    expect(r.jaNames).toBe(4);
    expect(r.nonAsciiEn).toBe(0); // the non-ASCII duplicate was dropped before counting
    expect(r.types['PERSON']).toEqual({ en: 3, zh: 0 });
    expect(r.examples['duplicateEn']).toEqual(['kb.jsonl:5: "東京 / Tōkyō"']);
    expect(r.examples['identicalEn']).toEqual(['kb.jsonl:3: "CNN"']);
  });

  it('keeps identical ja/en names on request', () => {
    const kb = parseKb(text, 'kb.jsonl', { identical: 'keep' });
    expect(kb.report.dropped.identicalEn).toBe(0);
    expect(kb.pairs.en.map((p) => p.text)).toContain('CNN');
  });
});

describe('readKb', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'xling-kb-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads several files, de-duplicating across them, and names the file in errors', async () => {
    const a = path.join(dir, 'a.jsonl');
    const b = path.join(dir, 'b.jsonl');
    await writeFile(a, lines({ ja: '東京', en: 'Tokyo' }, { ja: '大阪', en: 'Osaka' }));
    await writeFile(b, `\uFEFF${lines({ ja: '大阪', en: 'osaka' }, { ja: '京都', en: 'Kyoto' })}\n\n`);
    const kb = await readKb([a, b]);
    expect(kb.pairs.en.map((p) => `${p.ja}:${path.basename(p.file)}:${p.line}`)).toEqual([
      '東京:a.jsonl:1',
      '大阪:a.jsonl:2',
      '京都:b.jsonl:2',
    ]);
    expect(kb.report.dropped.duplicateEn).toBe(1);
    const c = path.join(dir, 'c.jsonl');
    await writeFile(c, lines({ ja: '東京', en: 'Tokyo' }, { ja: null, en: 'x' }));
    await expect(readKb(c)).rejects.toThrow(`${c}:2: field ja: is missing`);
  });
});
