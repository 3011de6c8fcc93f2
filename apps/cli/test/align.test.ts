/**
 * `nerima align` as a child process (from source, as `pnpm nerima` runs it): a short run from an
 * untrained encoder on a small KB, and the usage / data errors.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nerima } from './run-cli.js';

const SYLLABLES = ['山', '田', '川', '本', '木', '中', '村', '上', '林', '森', '石', '原'];
const READING = ['yama', 'da', 'kawa', 'moto', 'ki', 'naka', 'mura', 'ue', 'hayashi', 'mori', 'ishi', 'hara'];

/** 144 two-kanji names with readings; every third also has a "Chinese" name. */
function kbText(): string {
  const rows: string[] = [];
  SYLLABLES.forEach((a, i) => {
    SYLLABLES.forEach((b, j) => {
      const row: Record<string, string> = { ja: a + b, en: `${READING[i]}${READING[j]}`, type: 'LOCATION' };
      if ((i + j) % 3 === 0) row['zh'] = `${a}${b}市`;
      rows.push(JSON.stringify(row));
    });
  });
  return `${rows.join('\n')}\n`;
}

let tmp: string;
let kb: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'nerima-align-test-'));
  kb = join(tmp, 'kb.jsonl');
  await writeFile(kb, kbText());
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('nerima align', () => {
  it('trains briefly and writes the aligned encoder, the aligner and a report', async () => {
    const out = join(tmp, 'out');
    const r = await nerima([
      'align',
      '--kb',
      kb,
      '--encoder',
      'new',
      '--out',
      out,
      '--max-steps',
      '3',
      '--batch-size',
      '16',
      '--zh-batch-size',
      '8',
      '--eval-pool',
      '50',
      '--backend',
      'wasm',
      '--json',
    ]);
    expect(r.stderr).toContain('tfjs backend: wasm');
    expect(r.code).toBe(0);
    const printed = JSON.parse(r.stdout);
    expect(printed.training).toMatchObject({ steps: 3, stoppedBy: 'steps', tuned: ['char/emb', 'word/emb'] });
    expect(printed.kb.pairs).toEqual({ en: 144, zh: 48 });
    expect(printed.before.en.pool).toBe(printed.split.heldOut.en);
    expect(printed.after.en).toHaveProperty('jaTo.at10');
    expect(printed.command).toContain('nerima align --kb');
    for (const f of ['encoder.bin', 'aligner.bin', 'report.json'])
      expect(existsSync(join(out, f))).toBe(true);
    const saved = JSON.parse(await readFile(join(out, 'report.json'), 'utf8'));
    expect(saved.training.steps).toBe(3);
    expect(saved.backend).toBe('wasm');
  });

  it('prints a text summary and aligns a saved encoder folder', async () => {
    const first = join(tmp, 'first');
    expect(
      (await nerima(['align', '--kb', kb, '--encoder', 'new', '--out', first, '--max-steps', '1', '--quiet']))
        .code,
    ).toBe(0);
    const r = await nerima([
      'align',
      '--kb',
      kb,
      '--encoder',
      first,
      '--out',
      join(tmp, 'second'),
      '--max-steps',
      '2',
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/aligned .*first on 144 ja–en and 48 ja–zh pairs/);
    expect(r.stdout).toMatch(/en before +pool/);
    expect(r.stdout).toMatch(/zh after +pool/);
    expect(r.stderr).toMatch(/evaluating held-out pairs \(after\)/);
  });

  it('exits 3 naming file:line and field on a bad KB row', async () => {
    const bad = join(tmp, 'bad.jsonl');
    await writeFile(bad, '{"ja":"東京","en":"Tokyo"}\n{"ja":"大阪","en":7}\n');
    const r = await nerima(['align', '--kb', bad, '--encoder', 'new', '--out', join(tmp, 'x')]);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(`${bad}:2: field en: expected a string, got 7`);
    expect(r.stderr).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
  });

  it('exits 3 on a missing KB or encoder and 2 on usage errors', async () => {
    const missing = await nerima(['align', '--kb', join(tmp, 'nope.jsonl'), '--out', join(tmp, 'x')]);
    expect(missing.code).toBe(3);
    expect(missing.stderr).toContain('no such file');
    const noEncoder = await nerima([
      'align',
      '--kb',
      kb,
      '--encoder',
      join(tmp, 'no-encoder'),
      '--out',
      join(tmp, 'x'),
    ]);
    expect(noEncoder.code).toBe(3);
    expect(noEncoder.stderr).toContain('--encoder new');
    expect((await nerima(['align', '--out', join(tmp, 'x')])).code).toBe(2);
    const tune = await nerima(['align', '--kb', kb, '--out', join(tmp, 'x'), '--tune', 'all']);
    expect(tune.code).toBe(2);
    expect(tune.stderr).toContain('--tune must be one of embeddings, char, encoder');
    expect((await nerima(['align', '--kb', kb, '--out', join(tmp, 'x'), '--minutes', 'ten'])).code).toBe(2);
  });
});
