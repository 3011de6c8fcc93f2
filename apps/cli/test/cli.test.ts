/**
 * Drives the CLI as a child process from source (node --import tsx, @nerima/source condition), the
 * way `pnpm nerima` runs it, and checks exit codes, stdout/stderr and the files written.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectNoStack, nerima, repoRoot } from './run-cli.js';

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
    for (const c of [
      'pipeline',
      'validate',
      'demo-data',
      'augment',
      'align',
      'train',
      'meta-train',
      'adapt',
      'predict',
      'eval',
      'serve',
    ])
      expect(r.stdout).toMatch(new RegExp(`^  ${c} +\\S`, 'm'));
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
  it('runs every stage on the demo corpus with tiny budgets and writes a complete run folder', async () => {
    const out = join(tmp, 'runs', 'full');
    const r = await nerima([
      'pipeline',
      '--minutes',
      '0.2',
      '--episodes',
      '5',
      '--span-cues',
      'none',
      '--out',
      out,
    ]);
    expect(r.code).toBe(0);
    expectNoStack(r);
    expect(r.stdout).toContain(`report: ${join(out, 'report.md')}`);
    expect(r.stdout).toMatch(/^headline: maml-protonet\+\+ 4-way 5-shot macro F1 = [01]\.\d{4}$/m);
    expect(r.stderr).toContain('alignment: off by default on the demo data');
    expect(r.stderr).toMatch(/augment: 600 → \d+ training sentences/);
    expect((await readdir(out)).sort()).toEqual([
      'augment',
      'checkpoints',
      'config.json',
      'model',
      'report.json',
      'report.md',
      'report.svg',
    ]);
    expect((await readdir(join(out, 'model/meta'))).sort()).toEqual([
      'encoder.bin',
      'meta.json',
      'model.json',
    ]);
    // --span-cues none: no cue data in the folder (models.test.ts covers meta-train with vectors).
    const manifest = JSON.parse(await readFile(join(out, 'model/meta/meta.json'), 'utf8'));
    expect(manifest.cues).toBeUndefined();
    expect(existsSync(join(out, 'checkpoints/meta/checkpoint.json'))).toBe(true);
    const report = JSON.parse(await readFile(join(out, 'report.json'), 'utf8'));
    expect(report.runs.map((x: { method: string; setting: string }) => `${x.method} ${x.setting}`)).toEqual([
      'maml-protonet++ 4-way 5-shot',
      'maml-protonet++ 4-way 1-shot',
      'lexicon 4-way 5-shot',
      'lexicon 4-way 1-shot',
    ]);
    for (const run of report.runs) {
      expect(run.result.episodes).toHaveLength(5);
      const m = run.result.summary.macroF1.mean;
      expect(m).toBeGreaterThanOrEqual(0);
      expect(m).toBeLessThanOrEqual(1);
    }
    // Both methods saw the same episodes (paired comparison).
    type Ep = {
      seed: number;
      types: string[];
      supportSize: number;
      querySize: number;
      report: { gold: number };
    };
    const episodes = (i: number) =>
      report.runs[i].result.episodes.map((e: Ep) => [
        e.seed,
        e.types,
        e.supportSize,
        e.querySize,
        e.report.gold,
      ]);
    expect(episodes(0)).toEqual(episodes(2));
    expect(episodes(1)).toEqual(episodes(3));
    const config = JSON.parse(await readFile(join(out, 'config.json'), 'utf8'));
    expect(config).toMatchObject({
      command: 'pipeline',
      trainTypes: ['PERSON', 'CORPORATION', 'POLITICAL_ORG', 'FACILITY'],
      testTypes: ['LOCATION', 'OTHER_ORG', 'PRODUCT', 'EVENT'],
      methods: ['maml-protonet++', 'lexicon'],
      alignment: { on: false },
      metaTraining: { limitMinutes: 0.2 },
    });
    expect(config.metaTraining.episodes).toBeGreaterThan(0);
    expect(await readFile(join(out, 'report.svg'), 'utf8')).toMatch(
      /^<svg [^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/,
    );
    expect(await readdir(join(tmp, 'runs'))).toEqual(['full']); // no temporary folders left beside it
  });

  it('refuses a non-empty --out unless --force, leaving it untouched', async () => {
    const out = join(tmp, 'runs', 'second');
    const quick = ['pipeline', '--methods', 'lexicon', '--out', out, '--episodes', '5'];
    expect((await nerima([...quick, '--quiet'])).code).toBe(0);
    const before = await readFile(join(out, 'report.json'), 'utf8');
    const refused = await nerima([...quick, '--seed', '2']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('already exists and is not empty');
    expect(await readFile(join(out, 'report.json'), 'utf8')).toBe(before);

    const forced = await nerima([...quick, '--seed', '2', '--force', '--json']);
    expect(forced.code).toBe(0);
    const res = JSON.parse(forced.stdout);
    expect(res.out).toBe(out);
    expect(res.headline).toMatchObject({ method: 'lexicon', setting: '4-way 5-shot', episodes: 5 });
    expect(res.headline.macroF1).toBeGreaterThanOrEqual(0);
    expect(res.headline.macroF1).toBeLessThanOrEqual(1);
    expect(JSON.parse(await readFile(join(out, 'config.json'), 'utf8')).seed).toBe(2);
    expect((await readdir(join(tmp, 'runs'))).sort()).toEqual(['full', 'second']);
  });

  it('reads a dataset folder, with explicit train and test types', async () => {
    const out = join(tmp, 'runs', 'types');
    const r = await nerima([
      'pipeline',
      '--data',
      demoDir,
      '--methods',
      'lexicon',
      '--test-types',
      'PERSON,LOCATION,PRODUCT,EVENT,FACILITY',
      '--episodes',
      '5',
      '--out',
      out,
      '--json',
    ]);
    expect(r.code).toBe(0);
    const config = JSON.parse(await readFile(join(out, 'config.json'), 'utf8'));
    expect(config.testTypes).toEqual(['PERSON', 'LOCATION', 'PRODUCT', 'EVENT', 'FACILITY']);
    expect(config.settings.map((s: { name: string }) => s.name)).toEqual(['5-way 5-shot', '5-way 1-shot']);
    expect(config.data.heldOut).toBe(join(demoDir, 'test.jsonl'));
  });

  it('rejects bad type and stage options before doing any work', async () => {
    const [overlap, unknown, align] = await Promise.all([
      nerima([
        'pipeline',
        '--train-types',
        'PERSON,EVENT',
        '--test-types',
        'EVENT',
        '--out',
        join(tmp, 'n5'),
      ]),
      nerima(['pipeline', '--test-types', 'SHIP', '--out', join(tmp, 'n6')]),
      nerima(['pipeline', '--align', '--out', join(tmp, 'n7')], {
        env: { NERIMA_DATA: join(tmp, 'no-data') },
      }),
    ]);
    expect(overlap.code).toBe(2);
    expect(overlap.stderr).toContain('EVENT is both a train and a test type');
    expect(unknown.code).toBe(3);
    expect(unknown.stderr).toContain('unknown entity type(s) SHIP');
    expect(align.code).toBe(2);
    expect(align.stderr).toContain('--align needs a KB');
    for (const r of [overlap, unknown, align]) expectNoStack(r);
    for (const d of ['n5', 'n6', 'n7']) expect(existsSync(join(tmp, d))).toBe(false);
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
