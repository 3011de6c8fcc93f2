import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { codePointToUtf16Offsets, parseStockmarkNer, readStockmarkNer } from './stockmark.js';

const upstream = [
  {
    curid: '3572156',
    text: 'SPRiNGSと最も仲の良いライバルとして、日本の女子プロレス団体が挙げられる。',
    entities: [{ name: 'SPRiNGS', span: [0, 7], type: 'その他の組織名' }],
  },
  {
    curid: '3572156',
    text: '1961年、ミャンマーの首相ウー・ヌは仏教を国教とした。',
    entities: [
      { name: 'ミャンマー', span: [6, 11], type: '地名' },
      { name: 'ウー・ヌ', span: [14, 18], type: '人名' },
    ],
  },
  { curid: 42, text: 'ここには名前がない。', entities: [] },
];

describe('Stockmark ner.json', () => {
  it('converts records: types to codes, ids stockmark-<curid>-<k>', () => {
    const { sentences, issues } = parseStockmarkNer(JSON.stringify(upstream));
    expect(issues).toEqual([]);
    expect(sentences).toEqual([
      {
        id: 'stockmark-3572156-0',
        text: upstream[0]!.text,
        entities: [{ start: 0, end: 7, type: 'OTHER_ORG', text: 'SPRiNGS' }],
      },
      {
        id: 'stockmark-3572156-1',
        text: upstream[1]!.text,
        entities: [
          { start: 6, end: 11, type: 'LOCATION', text: 'ミャンマー' },
          { start: 14, end: 18, type: 'PERSON', text: 'ウー・ヌ' },
        ],
      },
      { id: 'stockmark-42-0', text: 'ここには名前がない。', entities: [] },
    ]);
  });

  it('maps every Japanese type name', () => {
    const types = [
      '人名',
      '法人名',
      '政治的組織名',
      'その他の組織名',
      '地名',
      '施設名',
      '製品名',
      'イベント名',
    ];
    const rec = {
      curid: 1,
      text: 'あいうえおかきく',
      entities: types.map((type, i) => ({ name: 'あいうえおかきく'[i], span: [i, i + 1], type })),
    };
    const [s] = parseStockmarkNer([rec]).sentences;
    expect(s!.entities.map((e) => e.type)).toEqual([
      'PERSON',
      'CORPORATION',
      'POLITICAL_ORG',
      'OTHER_ORG',
      'LOCATION',
      'FACILITY',
      'PRODUCT',
      'EVENT',
    ]);
  });

  it('converts code-point spans to UTF-16 when the text has astral characters', () => {
    // Code points: 𠮷(0) 野(1) 家(2) の(3) 牛(4) 丼(5); UTF-16: 𠮷 is 0-2.
    const rec = {
      curid: 7,
      text: '𠮷野家の牛丼',
      entities: [
        { name: '𠮷野家', span: [0, 3], type: '法人名' },
        { name: '牛丼', span: [4, 6], type: '製品名' },
      ],
    };
    const [s] = parseStockmarkNer([rec]).sentences;
    expect(s!.entities).toEqual([
      { start: 0, end: 4, type: 'CORPORATION', text: '𠮷野家' },
      { start: 5, end: 7, type: 'PRODUCT', text: '牛丼' },
    ]);
    expect(codePointToUtf16Offsets('abc')).toBeNull();
    expect(codePointToUtf16Offsets('a𠮷b')).toEqual([0, 1, 3, 4]);
  });

  it('reports bad records by record number', () => {
    const bad = [
      upstream[0],
      { curid: 2, text: 'abc', entities: [{ name: 'ab', span: [0, 2], type: '動物' }] },
      { curid: 3, text: 'abc', entities: [{ name: 'ab', span: [0], type: '人名' }] },
      { curid: 4, text: 'abc', entities: [{ name: 'xx', span: [0, 2], type: '人名' }] },
      { text: 'abc', entities: [] },
      'nope',
    ];
    const r = parseStockmarkNer(bad, 'ner.json', { mode: 'lenient' });
    expect(r.sentences.map((s) => s.id)).toEqual(['stockmark-3572156-0']);
    expect(r.issues.map((i) => i.message)).toEqual([
      'ner.json: record 2: entities[0].type "動物" is not a Stockmark type (人名, 法人名, 政治的組織名, その他の組織名, 地名, 施設名, 製品名, イベント名)',
      'ner.json: record 3: entities[0].span must be [start, end], got [0]',
      'ner.json: record 4: entities[0].text "xx" does not match text.slice(0, 2) "ab"',
      'ner.json: record 5: curid must be a string or number, got undefined',
      'ner.json: record 6: the record must be an object {curid, text, entities}, got "nope"',
    ]);
    expect(() => parseStockmarkNer(bad)).toThrow(/ner\.json: 5 error\(s\) in 5 of 6 row\(s\)/);
  });

  it('reads a file; invalid JSON and a non-array are reported', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'nerima-sm-'));
    await writeFile(join(dir, 'ner.json'), JSON.stringify(upstream, null, 2));
    expect((await readStockmarkNer(join(dir, 'ner.json'))).sentences.length).toBe(3);
    expect(() => parseStockmarkNer('[{', 'x.json')).toThrow(
      /^x\.json: 1 error\(s\):\n {2}x\.json: invalid JSON/,
    );
    expect(() => parseStockmarkNer('{}', 'x.json')).toThrow(/expected a JSON array/);
  });
});
