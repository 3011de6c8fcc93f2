import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Episode, Sentence } from '@nerima/core';
import { afterEach, describe, expect, it } from 'vitest';
import { LexiconLearner } from './baselines/lexicon.js';
import { type ProtocolResult, runEpisodes } from './protocol.js';
import { buildReport, renderMarkdown, renderSvg, writeReport } from './report.js';

const s = (text: string, entities: [string, number, number][]): Sentence => ({
  id: text,
  text,
  entities: entities.map(([type, start, end]) => ({ type, start, end })),
});

// Lexicon on these episodes: episode 0 finds 東京 (LOC) and misses 大阪 → LOC F1 2/3, PER F1 1,
// macro 5/6; episode 1 finds nothing of `A<&>B` → macro 0.
const episodes: Episode[] = [
  {
    types: ['LOC', 'PER'],
    support: [
      s('東京の山田', [
        ['LOC', 0, 2],
        ['PER', 3, 5],
      ]),
    ],
    query: [
      s('山田は東京と大阪', [
        ['PER', 0, 2],
        ['LOC', 3, 5],
        ['LOC', 6, 8],
      ]),
    ],
  },
  {
    types: ['A<&>B'],
    support: [s('xyz', [['A<&>B', 0, 1]])],
    query: [s('qqq', [['A<&>B', 0, 1]])],
  },
];

let result: ProtocolResult;
async function lexiconResult(): Promise<ProtocolResult> {
  result ??= await runEpisodes(new LexiconLearner(), episodes);
  return result;
}

/** Minimal well-formedness check: every tag closes in order; no raw `&` outside entities. */
function checkXml(text: string): void {
  const stack: string[] = [];
  for (const m of text.matchAll(/<(\/?)([a-zA-Z]+)[^>]*?(\/?)>/g)) {
    if (m[3] === '/') continue;
    if (m[1] === '/') expect(stack.pop()).toBe(m[2]);
    else stack.push(m[2]!);
  }
  expect(stack).toEqual([]);
  expect(text).not.toMatch(/&(?!amp;|lt;|gt;|quot;|apos;)/);
}

describe('buildReport', () => {
  it('rejects empty or malformed runs', async () => {
    expect(() => buildReport([])).toThrow(/no runs/);
    expect(() => buildReport([{ method: 'x', setting: 'y', result: {} as ProtocolResult }])).toThrow(
      /runs\[0\]\.result is not a ProtocolResult/,
    );
  });
});

describe('renderMarkdown', () => {
  it('tabulates method × setting with macro F1 ± CI, micro F1, boundary accuracy and per-type F1', async () => {
    const r = await lexiconResult();
    const report = buildReport(
      [
        { method: 'lexicon', setting: '2-way 1-shot', result: r },
        { method: 'a|b', setting: 'other', result: r },
      ],
      { title: 'Test run', createdAt: '2025-01-01T00:00:00.000Z', meta: { command: 'nerima eval' } },
    );
    const md = renderMarkdown(report);
    expect(md).toContain('# Test run');
    expect(md).toContain('- **command**: nerima eval');
    // macro F1 [5/6, 0]: mean 41.67, std 58.93, CI 12.7062·58.93/√2 = 12.7062·5/12 = 529.43 (two episodes: wide).
    // micro F1: episode 0 tp 2 fp 0 fn 1 → 0.8, episode 1 → 0; mean 40, CI 12.7062·56.57/√2 = 508.25.
    // start acc [2/3, 0] → 33.33; end acc the same.
    const row = md.split('\n').find((l) => l.startsWith('| lexicon | 2-way 1-shot |'))!;
    expect(row.split(' | ').slice(0, 7)).toEqual([
      '| lexicon',
      '2-way 1-shot',
      '2',
      '41.67 ± 529.43',
      '40.00 ± 508.25',
      '33.33',
      '33.33',
    ]);
    expect(md).toContain('| a\\|b | other |');
    // Per-type table: columns sorted; one episode per type, so no ± part.
    expect(md).toContain('| Method | Setting | A<&>B | LOC | PER |');
    expect(md).toContain('| lexicon | 2-way 1-shot | 0.00 | 66.67 | 100.00 |');
    // Pooled: gold 4, predicted 2, tp 2.
    expect(md).toContain('| lexicon | 2-way 1-shot | 4 | 2 | 100.00 | 50.00 | 66.67 | 66.67 |');
  });
});

describe('renderSvg', () => {
  it('draws one bar per run for each type and for macro F1, with escaped labels and whiskers', async () => {
    const r = await lexiconResult();
    const svg = renderSvg(
      buildReport([
        { method: 'lexicon', setting: '1-shot', result: r },
        { method: 'lexicon', setting: '5-shot', result: r },
      ]),
    );
    checkXml(svg);
    // 3 types + macro, 2 runs → 8 bars; only macro F1 has n ≥ 2 → 2 whiskers.
    expect(svg.match(/<rect class="bar"/g)).toHaveLength(8);
    expect(svg.match(/class="whisker"/g)).toHaveLength(2);
    expect(svg).toContain('>A&lt;&amp;&gt;B</text>');
    expect(svg).toContain('lexicon — 5-shot</text>');
    // The macro bar of 41.67 is 0.4167 of the 280 px plot, from y = 344 (the zero line).
    const macroTip =
      /<rect class="bar" x="[\d.]+" y="([\d.]+)" width="[\d.]+" height="([\d.]+)"[^>]*><title>lexicon — 1-shot — macro F1: 41\.67/;
    const m = svg.match(macroTip)!;
    expect(Number(m[2])).toBeCloseTo(280 * (5 / 12), 0);
    expect(Number(m[1]) + Number(m[2])).toBeCloseTo(344, 0);
  });

  it('rotates long type labels and truncates very long ones', async () => {
    const long = await runEpisodes(new LexiconLearner(), [
      {
        types: ['VERY_LONG_ENTITY_TYPE_NAME_THAT_GOES_ON_AND_ON'],
        support: [],
        query: [s('x', [])],
      },
    ]);
    const svg = renderSvg(buildReport([{ method: 'm', setting: 's', result: long }]));
    checkXml(svg);
    expect(svg).toMatch(/transform="rotate\(-40 /);
    expect(svg).toContain('VERY_LONG_ENTITY_TYPE_N…');
    expect(svg).toContain('<title>VERY_LONG_ENTITY_TYPE_NAME_THAT_GOES_ON_AND_ON</title>');
  });
});

describe('writeReport', () => {
  let dir: string | undefined;
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('writes report.json, report.md and report.svg atomically, creating the folder', async () => {
    dir = await mkdtemp(join(tmpdir(), 'nerima-eval-'));
    const out = join(dir, 'runs', 'r1');
    const report = buildReport([{ method: 'lexicon', setting: '1-shot', result: await lexiconResult() }], {
      createdAt: '2025-01-01T00:00:00.000Z',
    });
    const paths = await writeReport(out, report);
    expect(paths).toEqual({
      json: join(out, 'report.json'),
      markdown: join(out, 'report.md'),
      svg: join(out, 'report.svg'),
    });
    expect((await readdir(out)).sort()).toEqual(['report.json', 'report.md', 'report.svg']);
    const json = JSON.parse(await readFile(paths.json, 'utf8'));
    expect(json.format).toBe('nerima-eval-report');
    expect(json.runs[0].result.episodes).toHaveLength(2);
    expect(json.runs[0].result.perType.LOC).toEqual({ n: 1, mean: 2 / 3, std: null, ci95: null });
    expect(await readFile(paths.markdown, 'utf8')).toBe(renderMarkdown(report));
    // Overwriting leaves no temporary files behind.
    await writeReport(out, report);
    expect((await readdir(out)).sort()).toEqual(['report.json', 'report.md', 'report.svg']);
  });
});
