import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lexiconFromSentences, loadKbLexicon, MentionLexicon } from './lexicon.js';
import { sentence } from './test-helpers.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const dataDir = process.env['NERIMA_DATA'] ?? path.resolve(repoRoot, '../shared/data');
const kbPath = path.join(dataDir, 'kb/entities.jsonl');

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'nerima-kb-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('MentionLexicon / lexiconFromSentences', () => {
  it('keeps surfaces by type, sorted, and leaves out ambiguous ones by default', () => {
    const ss = [
      sentence('a', '青山と田中と東京', [
        ['青山', 'LOC'],
        ['田中', 'PER'],
        ['東京', 'LOC'],
      ]),
      sentence('b', '青山さんと田中', [
        ['青山', 'PER'],
        ['田中', 'PER'],
      ]),
    ];
    const lex = lexiconFromSentences(ss);
    expect(lex.name).toBe('corpus');
    expect(lex.surfaces('LOC')).toEqual(['東京']);
    expect(lex.surfaces('PER')).toEqual(['田中']);
    const all = lexiconFromSentences(ss, { keepAmbiguous: true });
    expect(all.surfaces('PER')).toEqual(['田中', '青山']); // sorted by UTF-16 code units
    expect(all.size).toBe(4);
    const m = new MentionLexicon('m');
    m.add('X', 'a');
    m.add('X', 'a');
    expect(m.surfaces('X')).toEqual(['a']);
    expect(m.has('X', 'a')).toBe(true);
    expect(m.surfaces('Y')).toEqual([]);
  });
});

describe('loadKbLexicon', () => {
  it('maps KB types one-to-one, skips ORGANIZATION unless mapped, and drops ambiguous names', async () => {
    const file = path.join(dir, 'kb.jsonl');
    const rows = [
      { ja: '山田太郎', en: 'Yamada Tarou', type: 'PERSON' },
      { ja: '国連', en: 'United Nations', zh: '联合国', type: 'ORGANIZATION' },
      { ja: '富士', en: 'Fuji', type: 'PERSON' },
      { ja: '富士', en: 'Fuji', type: 'LOCATION' },
      { ja: '𠮷野家', en: 'Yoshinoya', type: 'CORPORATION' },
      { ja: '英語', en: 'English', type: 'LANGUAGE' },
      { ja: 'x', type: 'LOCATION' },
      { type: 5 },
    ];
    await writeFile(file, `${rows.map((r) => JSON.stringify(r)).join('\n')}\n`);
    const { lexicon, stats } = await loadKbLexicon(file);
    expect(lexicon.surfaces('PERSON')).toEqual(['山田太郎']);
    expect(lexicon.surfaces('CORPORATION')).toEqual(['𠮷野家']);
    expect(lexicon.surfaces('LOCATION')).toEqual([]);
    expect(stats).toEqual({
      entries: 8,
      perType: { PERSON: 1, CORPORATION: 1 },
      unmappedTypes: { ORGANIZATION: 1, LANGUAGE: 1 },
      ambiguous: 2,
      invalid: 2,
    });
    const mapped = await loadKbLexicon(file, {
      typeMap: { ORGANIZATION: 'POLITICAL_ORG' },
      fields: ['ja', 'en', 'zh'],
      keepAmbiguous: true,
    });
    expect(mapped.lexicon.surfaces('POLITICAL_ORG')).toEqual(['国連', 'United Nations', '联合国']);
    expect(mapped.lexicon.surfaces('PERSON')).toEqual([]);
    await expect(loadKbLexicon(file, { typeMap: { ORGANIZATION: '' } })).rejects.toThrow(
      /typeMap\.ORGANIZATION/,
    );
    await writeFile(path.join(dir, 'bad.jsonl'), '{"ja": "a", "type": "PERSON"}\n{oops\n');
    await expect(loadKbLexicon(path.join(dir, 'bad.jsonl'))).rejects.toThrow(/bad\.jsonl:2/);
  });

  it.skipIf(!existsSync(kbPath))('reads the shared KB', async () => {
    const { lexicon, stats } = await loadKbLexicon(kbPath);
    expect(stats.entries).toBe(67135);
    expect(stats.unmappedTypes).toEqual({ ORGANIZATION: 4402, LANGUAGE: 611 });
    expect(lexicon.types.sort()).toEqual(['CORPORATION', 'FACILITY', 'LOCATION', 'PERSON', 'PRODUCT']);
    expect(lexicon.surfaces('PERSON').length).toBeGreaterThan(15000);
  });
});
