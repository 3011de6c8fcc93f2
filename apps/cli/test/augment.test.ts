/**
 * `nerima augment` as a child process from source (node --import tsx, @nerima/source condition):
 * exit codes, the written JSONL and report, and the paraphrase warning when no model is there.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nerima } from './run-cli.js';

interface Row {
  id: string;
  text: string;
  entities: { start: number; end: number; type: string; text: string }[];
  augmentation?: { generator: string; sourceId: string };
}

const rows: Row[] = [
  {
    id: 'a',
    text: '田中は東京に住む。',
    entities: [
      { start: 0, end: 2, type: 'PERSON', text: '田中' },
      { start: 3, end: 5, type: 'LOCATION', text: '東京' },
    ],
  },
  {
    id: 'b',
    text: '昨日、𠮷田が大阪で講演した。',
    entities: [
      { start: 3, end: 6, type: 'PERSON', text: '𠮷田' },
      { start: 7, end: 9, type: 'LOCATION', text: '大阪' },
    ],
  },
  { id: 'c', text: 'ただの文。', entities: [] },
];

let tmp: string;
let input: string;
let kb: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'nerima-augment-cli-'));
  input = join(tmp, 'in.jsonl');
  await writeFile(input, `${rows.map((r) => JSON.stringify(r)).join('\n')}\n`);
  kb = join(tmp, 'kb.jsonl');
  await writeFile(
    kb,
    `${[
      { ja: '札幌', en: 'Sapporo', type: 'LOCATION' },
      { ja: '山本一郎', en: 'Yamamoto Ichirou', type: 'PERSON' },
      { ja: '国連', en: 'United Nations', type: 'ORGANIZATION' },
    ]
      .map((r) => JSON.stringify(r))
      .join('\n')}\n`,
  );
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('nerima augment', () => {
  it('writes inputs plus kept sentences and a report; warns once when the paraphrase models are missing', async () => {
    const out = join(tmp, 'out.jsonl');
    const report = join(tmp, 'report.json');
    const r = await nerima([
      'augment',
      '--in',
      input,
      '--out',
      out,
      '--report',
      report,
      '--kb',
      kb,
      '--tagger',
      `lexicon:${input}`,
      '--filter',
      'similarity',
      '--per-sentence',
      '3',
      '--back-translate',
      'no-such-ja-en,no-such-en-ja',
      '--models-dir',
      tmp,
      '--seed',
      '2',
    ]);
    expect(r.code).toBe(0);
    expect(r.stderr.match(/warning: paraphrase: no model available/g)).toHaveLength(1);
    expect(r.stderr).toContain("seq2seq model 'no-such-ja-en' not found");
    expect(r.stdout).toMatch(/^augmented 3 sentences \(seed 2, 3 per sentence per generator\)/);
    expect(r.stdout).toMatch(/^ {2}paraphrase +0 +0 +unavailable$/m);
    const written: Row[] = (await readFile(out, 'utf8'))
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(written.slice(0, 3).map((w) => w.id)).toEqual(['a', 'b', 'c']);
    const added = written.slice(3);
    expect(added.length).toBeGreaterThan(3);
    for (const w of added) {
      for (const e of w.entities) expect(w.text.slice(e.start, e.end)).toBe(e.text);
      expect(['swap', 'context']).toContain(w.augmentation!.generator);
    }
    // KB names (札幌, 山本一郎) appear; ORGANIZATION is not mapped by default.
    expect(added.some((w) => w.text.includes('札幌') || w.text.includes('山本一郎'))).toBe(true);
    expect(added.some((w) => w.text.includes('国連'))).toBe(false);
    const rep = JSON.parse(await readFile(report, 'utf8'));
    expect(rep.stages.map((s: { stage: string; enabled: boolean }) => [s.stage, s.enabled])).toEqual([
      ['structure', true],
      ['confidence', false],
      ['consistency', false],
      ['similarity', true],
    ]);
    expect(rep.kept).toBe(added.length);
    expect(rep.kb.unmappedTypes).toEqual({ ORGANIZATION: 1 });
    expect(rep.warnings).toHaveLength(1);
    expect(rep.generators.swap.skipped).toEqual({ 'no-entities': 1 });

    // Same seed, same output; --only-new writes only the generated rows.
    const again = join(tmp, 'again.jsonl');
    const r2 = await nerima([
      'augment',
      '--in',
      input,
      '--out',
      again,
      '--kb',
      kb,
      '--filter',
      'similarity',
      '--per-sentence',
      '3',
      '--seed',
      '2',
      '--only-new',
      '--json',
    ]);
    expect(r2.code).toBe(0);
    expect(JSON.parse(r2.stdout)).toMatchObject({ written: added.length, warnings: [] });
    expect(
      (await readFile(again, 'utf8'))
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l)),
    ).toEqual(added);
  });

  it('exits 2 on usage errors and 3 on bad input, without stack traces', async () => {
    const missing = await nerima(['augment', '--out', join(tmp, 'x.jsonl')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('missing required option --in');
    const gen = await nerima([
      'augment',
      '--in',
      input,
      '--out',
      join(tmp, 'x.jsonl'),
      '--generators',
      'swap,rhyme',
    ]);
    expect(gen.code).toBe(2);
    expect(gen.stderr).toContain('unknown generator "rhyme"');
    const noFile = await nerima(['augment', '--in', join(tmp, 'nope.jsonl'), '--out', join(tmp, 'x.jsonl')]);
    expect(noFile.code).toBe(3);
    expect(noFile.stderr).toContain('nope.jsonl: no such file or directory');
    const bad = join(tmp, 'bad.jsonl');
    await writeFile(
      bad,
      `${JSON.stringify({ id: 'x', text: '𠮷田', entities: [{ start: 0, end: 1, type: 'PERSON' }] })}\n`,
    );
    const badRow = await nerima(['augment', '--in', bad, '--out', join(tmp, 'x.jsonl')]);
    expect(badRow.code).toBe(3);
    expect(badRow.stderr).toMatch(/bad\.jsonl:1: entities\[0\]\.end/);
    const taken = join(tmp, 'taken.jsonl');
    await writeFile(taken, '');
    const exists = await nerima(['augment', '--in', input, '--out', taken]);
    expect(exists.code).toBe(2);
    expect(exists.stderr).toContain('already exists');
    for (const r of [missing, gen, noFile, badRow, exists])
      expect(r.stderr).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
  });
});
