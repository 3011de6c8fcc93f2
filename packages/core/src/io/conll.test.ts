import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Sentence } from '../types.js';
import {
  formatConll,
  outermostEntities,
  parseConll,
  readConll,
  scriptTokenize,
  writeConll,
} from './conll.js';

const ent = (text: string, start: number, end: number, type: string) => ({
  start,
  end,
  type,
  text: text.slice(start, end),
});

const s1: Sentence = {
  id: 's1',
  text: '𠮷野家は東京都に本社を置く。',
  entities: [
    ent('𠮷野家は東京都に本社を置く。', 0, 4, 'CORPORATION'),
    ent('𠮷野家は東京都に本社を置く。', 5, 8, 'LOCATION'),
  ],
};
const s2: Sentence = {
  id: 's2',
  text: 'Team Developerはグプタ社の製品',
  entities: [
    ent('Team Developerはグプタ社の製品', 0, 14, 'PRODUCT'),
    ent('Team Developerはグプタ社の製品', 15, 19, 'CORPORATION'),
  ],
};
const s3: Sentence = { id: 's3', text: 'なし', entities: [] };

describe('formatConll', () => {
  it('writes char-level IOB2 with id comments (astral characters on one line)', () => {
    const s: Sentence = { id: 'a', text: '𠮷田さん', entities: [{ start: 0, end: 3, type: 'PERSON' }] };
    expect(formatConll([s]).text).toBe('# id = a\n𠮷\tB-PERSON\n田\tI-PERSON\nさ\tO\nん\tO\n\n');
  });

  it('writes token-level IOB2, splitting tokens at entity boundaries', () => {
    const s: Sentence = {
      id: 'b',
      text: '東京都庁へ行く',
      entities: [{ start: 0, end: 2, type: 'LOCATION' }],
    };
    expect(formatConll([s], { level: 'token', ids: false }).text).toBe(
      '東京\tB-LOCATION\n都庁\tO\nへ\tO\n行\tO\nく\tO\n\n',
    );
  });

  it('keeps the outermost of nested entities and reports the dropped ones', () => {
    const s: Sentence = {
      id: 'n',
      text: '東京大学病院',
      entities: [
        { start: 0, end: 2, type: 'LOCATION' },
        { start: 0, end: 6, type: 'FACILITY' },
        { start: 0, end: 4, type: 'ORG' },
      ],
    };
    const { text, dropped } = formatConll([s], { ids: false });
    expect(text).toBe(
      '東\tB-FACILITY\n京\tI-FACILITY\n大\tI-FACILITY\n学\tI-FACILITY\n病\tI-FACILITY\n院\tI-FACILITY\n\n',
    );
    expect(dropped).toEqual([
      {
        sentenceId: 'n',
        entity: { start: 0, end: 4, type: 'ORG' },
        keptInstead: { start: 0, end: 6, type: 'FACILITY' },
      },
      {
        sentenceId: 'n',
        entity: { start: 0, end: 2, type: 'LOCATION' },
        keptInstead: { start: 0, end: 6, type: 'FACILITY' },
      },
    ]);
  });

  it('drops the later of two crossing entities', () => {
    const { kept, dropped } = outermostEntities([
      { start: 2, end: 6, type: 'B' },
      { start: 0, end: 4, type: 'A' },
      { start: 6, end: 7, type: 'C' },
    ]);
    expect(kept.map((e) => e.type)).toEqual(['A', 'C']);
    expect(dropped.map((d) => [d.entity.type, d.keptInstead.type])).toEqual([['B', 'A']]);
  });

  it('refuses texts with tabs or line breaks', () => {
    expect(() => formatConll([{ id: 'x', text: 'a\tb', entities: [] }])).toThrow(
      /sentence x has a tab or line break at offset 1/,
    );
  });

  it('rejects a tokenizer returning overlapping spans', () => {
    expect(() =>
      formatConll([s3], {
        level: 'token',
        tokenize: () => [
          [0, 2],
          [1, 2],
        ],
      }),
    ).toThrow(/spans must be sorted/);
  });
});

describe('parseConll', () => {
  it('round-trips char level (astral, spaces, empty sentence)', () => {
    const { text } = formatConll([s1, s2, s3]);
    expect(parseConll(text, 'x.conll')).toEqual({ sentences: [s1, s2, s3], issues: [] });
  });

  it('round-trips token level with the default joiner and a custom tokenizer', () => {
    const { text } = formatConll([s1, s2, s3], { level: 'token' });
    expect(text).toContain('Team\tB-PRODUCT\n \tI-PRODUCT\nDeveloper\tI-PRODUCT\nは\tO\n');
    expect(parseConll(text, 'x.conll').sentences).toEqual([s1, s2, s3]);
    const everyTwo = (t: string) =>
      Array.from({ length: Math.ceil(t.length / 2) }, (_, i): [number, number] => [
        2 * i,
        Math.min(t.length, 2 * i + 2),
      ]);
    const t2 = formatConll([s2], { level: 'token', tokenize: everyTwo }).text;
    expect(parseConll(t2).sentences).toEqual([s2]);
  });

  it('token level with joiner " " rebuilds space-separated text', () => {
    const s: Sentence = {
      id: 'en',
      text: 'John  Smith lives in New York .',
      entities: [
        { start: 0, end: 11, type: 'PERSON' },
        { start: 21, end: 29, type: 'LOCATION' },
      ],
    };
    const { text } = formatConll([s], { level: 'token', joiner: ' ', ids: false });
    expect(text).toBe(
      'John\tB-PERSON\nSmith\tI-PERSON\nlives\tO\nin\tO\nNew\tB-LOCATION\nYork\tI-LOCATION\n.\tO\n\n',
    );
    const back = parseConll(text, 'en.conll', { joiner: ' ' }).sentences[0]!;
    expect(back.text).toBe('John Smith lives in New York .');
    expect(back.entities.map((e) => e.text)).toEqual(['John Smith', 'New York']);
    expect(back.id).toBe('en-0');
  });

  it('reads multi-column, space-separated, BIOES input and -DOCSTART-', () => {
    const text = [
      '-DOCSTART- O',
      '',
      '# sent_id = q1',
      '# text = ignored',
      '#\tO',
      'A NN B-X',
      'B NN E-X',
      'C NN S-Y',
      'D NN O',
      '',
    ].join('\n');
    const { sentences, issues } = parseConll(text, 'm.conll');
    expect(issues).toEqual([]);
    expect(sentences).toEqual([
      {
        id: 'q1',
        text: '#ABCD',
        entities: [
          { start: 1, end: 3, type: 'X', text: 'AB' },
          { start: 3, end: 4, type: 'Y', text: 'C' },
        ],
      },
    ]);
  });

  it('warns on I- without B- and reports bad lines with file:line', () => {
    const text = '# id = a\nx\tO\ny\tI-LOC\nz\tI-LOC\n\n# id = b\nx\tB_LOC\ny\n\n# id = c\nok\tO\n';
    const r = parseConll(text, 'f.conll', { mode: 'lenient' });
    expect(r.sentences.map((s) => s.id)).toEqual(['a', 'c']);
    expect(r.sentences[0]!.entities).toEqual([{ start: 1, end: 3, type: 'LOC', text: 'yz' }]);
    expect(r.issues.map((i) => [i.severity, i.message])).toEqual([
      ['warning', 'f.conll:3: I-LOC does not continue an entity of type LOC; read as B-LOC'],
      ['error', 'f.conll:7: label "B_LOC" is not O, B-TYPE or I-TYPE (nor BIOES/BILOU)'],
      ['error', 'f.conll:8: expected "token<TAB>label", got "y"'],
    ]);
    expect(() => parseConll(text, 'f.conll')).toThrow(/f\.conll: 2 error\(s\) in 2 of 3 row\(s\)/);
  });

  it('checks types and duplicate ids at the first line of the sentence', () => {
    const text = '# id = a\nx\tB-FOO\n\n# id = a\ny\tO\n';
    const r = parseConll(text, 'f.conll', { mode: 'lenient', types: ['LOC'] });
    expect(r.issues.map((i) => i.message)).toEqual([
      'f.conll:1: entities[0].type "FOO" is not a known type (known: LOC)',
    ]);
    const r2 = parseConll(text, 'f.conll', { mode: 'lenient' });
    expect(r2.issues.map((i) => i.message)).toEqual(['f.conll:4: id "a" duplicates the id on line 1']);
  });

  it('writeConll / readConll on disk', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'nerima-conll-'));
    const path = join(dir, 'out.iob2');
    const { dropped } = await writeConll(path, [s1, s2], { level: 'token' });
    expect(dropped).toEqual([]);
    expect((await readConll(path)).sentences).toEqual([s1, s2]);
    await writeFile(join(dir, 'crlf.conll'), 'a\tB-X\r\nb\tI-X\r\n\r\n');
    expect((await readConll(join(dir, 'crlf.conll'))).sentences).toEqual([
      { id: 'crlf-0', text: 'ab', entities: [{ start: 0, end: 2, type: 'X', text: 'ab' }] },
    ]);
  });
});

describe('scriptTokenize', () => {
  it('splits by script runs and isolates punctuation', () => {
    const t = 'ＩＢＭは2024年、東京で「Watson」を発表した。';
    expect(scriptTokenize(t).map(([a, b]) => t.slice(a, b))).toEqual([
      'ＩＢＭ',
      'は',
      '2024',
      '年',
      '、',
      '東京',
      'で',
      '「',
      'Watson',
      '」',
      'を',
      '発表',
      'した',
      '。',
    ]);
    expect(scriptTokenize('')).toEqual([]);
  });
});
