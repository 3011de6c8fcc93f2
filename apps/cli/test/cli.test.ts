/**
 * Drives the CLI as a child process from source (node --import tsx, @nerima/source condition), the
 * way `pnpm nerima` runs it, and checks exit codes, stdout/stderr and the files written.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const mainTs = join(repoRoot, 'apps/cli/src/main.ts');

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

function nerima(args: readonly string[]): Promise<Result> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', '--conditions=@nerima/source', mainTs, ...args],
      { cwd: repoRoot, env: { ...process.env, NO_COLOR: '1' }, timeout: 120_000, maxBuffer: 64 << 20 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        done({ code, stdout, stderr });
      },
    );
  });
}

/** No JavaScript stack frames leak into user-facing errors. */
function expectNoStack(r: Result): void {
  expect(r.stderr).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
}

let tmp: string;
let demoDir: string;

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'nerima-cli-test-'));
  demoDir = join(tmp, 'demo');
  const r = await nerima(['demo-data', '--out', demoDir, '--seed', '3']);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
});

afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('help and usage', () => {
  it('lists every command, the exit codes and examples', async () => {
    const r = await nerima(['--help']);
    expect(r.code).toBe(0);
    for (const c of ['pipeline', 'validate', 'demo-data', 'eval']) expect(r.stdout).toContain(`  ${c}`);
    expect(r.stdout).toMatch(/3 {2}bad input data/);
    expect(r.stdout).toContain('nerima validate ');
  });

  it('shows a command help with its options and examples', async () => {
    const r = await nerima(['pipeline', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Usage: nerima pipeline [options]');
    expect(r.stdout).toContain('--force');
    expect(r.stdout).toContain('Examples:');
    expect((await nerima(['help', 'eval'])).stdout).toContain('Usage: nerima eval [options]');
  });

  it('prints the package version', async () => {
    const pkg = JSON.parse(await readFile(join(repoRoot, 'apps/cli/package.json'), 'utf8'));
    const r = await nerima(['--version']);
    expect(r).toMatchObject({ code: 0, stdout: `${pkg.version}\n` });
  });

  it('exits 2 on usage errors with a one-line hint', async () => {
    const none = await nerima([]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('error: no command given');

    const typo = await nerima(['valdate', 'x.jsonl']);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toBe(
      'error: unknown command "valdate" (did you mean "validate"?); run "nerima --help" for the list\n',
    );

    const opt = await nerima(['pipeline', '--episode', '3']);
    expect(opt.code).toBe(2);
    expect(opt.stderr).toContain('unknown option --episode for "nerima pipeline" (did you mean "episodes"?)');

    const missing = await nerima(['validate']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('missing argument <file>');

    const badInt = await nerima(['eval', '--data', 'x', '--k', 'five']);
    expect(badInt.code).toBe(2);
    expect(badInt.stderr).toContain('--k must be an integer, got "five"');
    for (const r of [none, typo, opt, missing, badInt]) expectNoStack(r);
  });
});

describe('demo-data', () => {
  it('writes train/dev/test JSONL and types.json', async () => {
    expect((await readdir(demoDir)).sort()).toEqual(['dev.jsonl', 'test.jsonl', 'train.jsonl', 'types.json']);
    const lines = (await readFile(join(demoDir, 'train.jsonl'), 'utf8')).trimEnd().split('\n');
    expect(lines).toHaveLength(600);
    const first = JSON.parse(lines[0] as string);
    expect(first.id).toBe('demo-train-000');
    const types = JSON.parse(await readFile(join(demoDir, 'types.json'), 'utf8'));
    expect(Object.keys(types)).toHaveLength(8);
    expect(types.PERSON.ja).toBe('人名');
  });

  it('is deterministic per seed and refuses to overwrite without --force', async () => {
    const before = await readFile(join(demoDir, 'test.jsonl'), 'utf8');
    const again = await nerima(['demo-data', '--out', demoDir, '--seed', '4']);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('pass --force to overwrite');
    expect(await readFile(join(demoDir, 'test.jsonl'), 'utf8')).toBe(before);

    const other = join(tmp, 'demo-again');
    expect((await nerima(['demo-data', '--out', other, '--seed', '3', '--quiet'])).code).toBe(0);
    expect(await readFile(join(other, 'test.jsonl'), 'utf8')).toBe(before);
    expect((await nerima(['demo-data', '--out', other, '--seed', '4', '--force'])).code).toBe(0);
    expect(await readFile(join(other, 'test.jsonl'), 'utf8')).not.toBe(before);
  });
});

describe('validate', () => {
  it('prints counts per type for a valid file', async () => {
    const r = await nerima(['validate', join(demoDir, 'test.jsonl'), '--types', join(demoDir, 'types.json')]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('ok (jsonl)');
    expect(r.stdout).toMatch(/sentences 150 /);
    for (const t of ['PERSON', 'CORPORATION', 'LOCATION', 'EVENT'])
      expect(r.stdout).toMatch(new RegExp(`^  ${t} +\\d+ +\\d+$`, 'm'));
  });

  it('gives machine-readable counts with --json', async () => {
    const r = await nerima(['validate', join(demoDir, 'dev.jsonl'), '--json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ valid: true, format: 'jsonl', skippedRows: 0 });
    expect(out.stats.sentences).toBe(150);
    const total = Object.values(out.stats.perType as Record<string, number>).reduce((a, b) => a + b, 0);
    expect(total).toBe(out.stats.entities);
  });

  it('exits 3 and names file:line for a corrupted file', async () => {
    const good = (await readFile(join(demoDir, 'dev.jsonl'), 'utf8')).split('\n').slice(0, 4);
    const bad = join(tmp, 'bad.jsonl');
    // line 3: truncated JSON; line 5: an entity past the end of its text; line 6: unknown type.
    const row = { id: 'x1', text: '東京に行く', entities: [{ start: 0, end: 9, type: 'LOCATION' }] };
    const row2 = {
      id: 'x2',
      text: '東京に行く',
      entities: [{ start: 0, end: 2, type: 'CITY', text: '東京' }],
    };
    await writeFile(
      bad,
      [
        good[0],
        good[1],
        '{"id": "oops", "text": ',
        good[2],
        JSON.stringify(row),
        JSON.stringify(row2),
        '',
      ].join('\n'),
    );
    const r = await nerima(['validate', bad, '--types', join(demoDir, 'types.json')]);
    expect(r.code).toBe(3);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`${bad}:3: `);
    expect(r.stderr).toMatch(new RegExp(`${bad}:5: entities\\[0\\]\\.end`));
    expect(r.stderr).toMatch(new RegExp(`${bad}:6: entities\\[0\\]\\.type "CITY"`));
    expect(r.stderr).toContain('3 error(s) in 3 row(s)');
    expectNoStack(r);

    const lenient = await nerima(['validate', bad, '--lenient', '--json']);
    expect(lenient.code).toBe(0);
    expect(JSON.parse(lenient.stdout)).toMatchObject({
      valid: false,
      skippedRows: 2,
      stats: { sentences: 4 },
    });
  });

  it('exits 3 for a missing file, with the stack only under --debug', async () => {
    const missing = join(tmp, 'nope.jsonl');
    const r = await nerima(['validate', missing]);
    expect(r).toMatchObject({
      code: 3,
      stdout: '',
      stderr: `error: ${missing}: no such file or directory\n`,
    });
    const debug = await nerima(['validate', missing, '--debug']);
    expect(debug.code).toBe(3);
    expect(debug.stderr).toMatch(/^\s+at /m);
  });
});

describe('eval', () => {
  it('runs the episode protocol and writes the run folder', async () => {
    const out = join(tmp, 'eval-run');
    const r = await nerima([
      'eval',
      '--data',
      join(demoDir, 'test.jsonl'),
      '--k',
      '1',
      '--episodes',
      '10',
      '--out',
      out,
      '--json',
    ]);
    expect(r.code).toBe(0);
    const res = JSON.parse(r.stdout);
    expect(res).toMatchObject({ method: 'lexicon', setting: '5-way 1-shot', episodes: 10, out });
    expect(res.macroF1.mean).toBeGreaterThanOrEqual(0);
    expect(res.macroF1.mean).toBeLessThanOrEqual(1);
    expect((await readdir(out)).sort()).toEqual(['config.json', 'report.json', 'report.md', 'report.svg']);
  });

  it('exits 3 when a type has too few examples for K', async () => {
    const r = await nerima([
      'eval',
      '--data',
      join(demoDir, 'test.jsonl'),
      '--k',
      '40',
      '--out',
      join(tmp, 'never'),
    ]);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(`${join(demoDir, 'test.jsonl')}: 5-way 40-shot needs at least 80 mentions`);
    expect(r.stderr.trim().split('\n')).toHaveLength(2); // the info line and the error
    expect(existsSync(join(tmp, 'never'))).toBe(false);
    expectNoStack(r);
  });

  it('exits 3 on an unknown type and on a missing --data', async () => {
    const unknown = await nerima([
      'eval',
      '--data',
      demoDir,
      '--test-types',
      'PERSON,SHIP',
      '--out',
      join(tmp, 'n2'),
    ]);
    expect(unknown.code).toBe(3);
    expect(unknown.stderr).toContain('unknown entity type(s) SHIP');
    const missing = await nerima(['eval', '--data', join(tmp, 'missing-dir'), '--out', join(tmp, 'n3')]);
    expect(missing.code).toBe(3);
    expect(missing.stderr).toContain('no such file or directory');
  });
});

describe('pipeline', () => {
  it('runs on the in-memory demo corpus and writes a complete run folder', async () => {
    const out = join(tmp, 'runs', 'first');
    const r = await nerima(['pipeline', '--out', out]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`report: ${join(out, 'report.md')}`);
    expect(r.stdout).toMatch(/headline: lexicon 5-way 5-shot macro F1 = 0\.\d{4}/);
    expect((await readdir(out)).sort()).toEqual(['config.json', 'report.json', 'report.md', 'report.svg']);
    // No temporary folders are left beside the run.
    expect(await readdir(join(tmp, 'runs'))).toEqual(['first']);

    const config = JSON.parse(await readFile(join(out, 'config.json'), 'utf8'));
    expect(config).toMatchObject({
      command: 'pipeline',
      seed: 1,
      episodesPerSetting: 100,
      methods: ['lexicon'],
    });
    const report = JSON.parse(await readFile(join(out, 'report.json'), 'utf8'));
    expect(report.runs.map((x: { setting: string }) => x.setting)).toEqual(['5-way 5-shot', '5-way 1-shot']);
    for (const run of report.runs) {
      expect(run.result.episodes).toHaveLength(100);
      for (const key of ['macroF1', 'microF1', 'macroPrecision', 'macroRecall']) {
        const m = run.result.summary[key].mean;
        expect(m).toBeGreaterThanOrEqual(0);
        expect(m).toBeLessThanOrEqual(1);
      }
    }
    expect(await readFile(join(out, 'report.svg'), 'utf8')).toMatch(
      /^<svg [^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/,
    );
  });

  it('refuses a non-empty --out unless --force, leaving it untouched', async () => {
    const out = join(tmp, 'runs', 'second');
    expect((await nerima(['pipeline', '--out', out, '--episodes', '5', '--quiet'])).code).toBe(0);
    const before = await readFile(join(out, 'report.json'), 'utf8');
    const refused = await nerima(['pipeline', '--out', out, '--episodes', '5', '--seed', '2']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('already exists and is not empty');
    expect(await readFile(join(out, 'report.json'), 'utf8')).toBe(before);

    const forced = await nerima([
      'pipeline',
      '--out',
      out,
      '--episodes',
      '5',
      '--seed',
      '2',
      '--force',
      '--json',
    ]);
    expect(forced.code).toBe(0);
    const res = JSON.parse(forced.stdout);
    expect(res.out).toBe(out);
    expect(res.headline.macroF1).toBeGreaterThanOrEqual(0);
    expect(res.headline.macroF1).toBeLessThanOrEqual(1);
    expect(JSON.parse(await readFile(join(out, 'config.json'), 'utf8')).seed).toBe(2);
    expect((await readdir(join(tmp, 'runs'))).sort()).toEqual(['first', 'second']);
  });

  it('reads a dataset folder and a Stockmark fold', async () => {
    const out = join(tmp, 'runs', 'fold');
    const r = await nerima([
      'pipeline',
      '--data',
      demoDir,
      '--fold',
      'A',
      '--episodes',
      '5',
      '--out',
      out,
      '--json',
    ]);
    expect(r.code).toBe(0);
    const config = JSON.parse(await readFile(join(out, 'config.json'), 'utf8'));
    expect(config.testTypes).toEqual(['LOCATION', 'OTHER_ORG', 'PRODUCT', 'EVENT']);
    expect(config.settings.map((s: { name: string }) => s.name)).toEqual(['4-way 5-shot', '4-way 1-shot']);
    expect(config.data.heldOut).toBe(join(demoDir, 'test.jsonl'));
  });

  it('reports a bad data file as one line with exit 3 and a JSON error with --json', async () => {
    const bad = join(tmp, 'bad-pipeline.jsonl');
    await writeFile(bad, '{"id":"a","text":"abc","entities":[]}\nnot json\n');
    const r = await nerima(['pipeline', '--data', bad, '--out', join(tmp, 'n4'), '--json']);
    expect(r.code).toBe(3);
    expect(r.stderr).toBe(
      `error: ${bad}:2: invalid JSON (Unexpected token 'o', "not json" is not valid JSON); each line must be one complete JSON object\n`,
    );
    expect(JSON.parse(r.stdout).error).toMatchObject({ exitCode: 3 });
  });
});
