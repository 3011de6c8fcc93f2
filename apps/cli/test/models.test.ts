/**
 * The model commands as processes on a tiny slice of the demo corpus with tiny budgets: train,
 * meta-train (and --resume), adapt, predict, serve (over real HTTP on 127.0.0.1, stopped with
 * SIGTERM), and their bad inputs and exit codes. The models are barely trained: these tests check
 * the plumbing (files, formats, offsets, exit codes), not accuracy.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend, saveWeights } from '@nerima/core';
import { trainSubwordVectors, VECTORS_FORMAT, VECTORS_VERSION } from '@nerima/encoder';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectNoStack, nerima, startNerima } from './run-cli.js';

interface Row {
  id: string;
  text: string;
  entities: { start: number; end: number; type: string; text?: string }[];
}

let tmp: string;
let trainFile: string;
let vectorsFile: string;
let devFile: string;
let supportFile: string;
let metaRun: string;
let taggerRun: string;
let adaptedDir: string;

const FOLD_A_TEST = ['LOCATION', 'OTHER_ORG', 'PRODUCT', 'EVENT'];

async function readRows(file: string): Promise<Row[]> {
  return (await readFile(file, 'utf8'))
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l) as Row);
}

async function writeRows(file: string, rows: readonly Row[]): Promise<void> {
  await writeFile(file, rows.map((r) => JSON.stringify(r)).join('\n') + (rows.length ? '\n' : ''));
}

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'nerima-models-test-'));
  const demo = join(tmp, 'demo');
  expect((await nerima(['demo-data', '--out', demo, '--seed', '5', '-q'])).code).toBe(0);
  trainFile = join(tmp, 'train.jsonl');
  devFile = join(tmp, 'dev.jsonl');
  supportFile = join(tmp, 'support.jsonl');
  await writeRows(trainFile, (await readRows(join(demo, 'train.jsonl'))).slice(0, 60));
  await writeRows(devFile, (await readRows(join(demo, 'dev.jsonl'))).slice(0, 12));
  // A support set for fold A's test types: test sentences restricted to those types.
  const support = (await readRows(join(demo, 'test.jsonl')))
    .map((r) => ({ ...r, entities: r.entities.filter((e) => FOLD_A_TEST.includes(e.type)) }))
    .filter((r) => r.entities.length > 0)
    .slice(0, 8);
  await writeRows(supportFile, support);
  metaRun = join(tmp, 'meta');
  taggerRun = join(tmp, 'tagger');
  adaptedDir = join(tmp, 'adapted');
  // Tiny subword vectors for the vectors span cue (the real ones are built by `pnpm build:vectors`).
  await initBackend({ backend: 'cpu' });
  const words = (await readRows(trainFile)).map((r) => Array.from(r.text as string));
  const { vectors } = trainSubwordVectors(words, { dim: 8, buckets: 500, minCount: 1, epochs: 1 });
  const tensors = vectors.toTensors();
  vectorsFile = join(tmp, 'vectors.bin');
  await saveWeights(vectorsFile, tensors, {
    format: VECTORS_FORMAT,
    version: VECTORS_VERSION,
    config: vectors.config,
  });
  for (const t of Object.values(tensors)) t.dispose();
});

afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('train', () => {
  it('trains a span tagger and writes model/tagger and dev metrics', async () => {
    const r = await nerima([
      'train',
      '--train',
      trainFile,
      '--dev',
      devFile,
      '--epochs',
      '1',
      '--out',
      taggerRun,
      '--json',
    ]);
    expect(r.code).toBe(0);
    const res = JSON.parse(r.stdout);
    expect(res).toMatchObject({ out: taggerRun, model: join(taggerRun, 'model/tagger'), epochsDone: 1 });
    expect((await readdir(join(taggerRun, 'model/tagger'))).sort()).toEqual([
      'decoder.bin',
      'encoder.bin',
      'tagger.json',
    ]);
    expect(existsSync(join(taggerRun, 'checkpoints/tagger/checkpoint.bin'))).toBe(true);
    const report = JSON.parse(await readFile(join(taggerRun, 'report.json'), 'utf8'));
    expect(report.command).toBe('train');
    expect(report.dev.sentences).toBe(12);
    expect(report.dev.micro.f1).toBeGreaterThanOrEqual(0);
    expect(report.dev.micro.f1).toBeLessThanOrEqual(1);
    expect(report.history).toHaveLength(1);
    expect(report.devMicroF1).toBe(report.dev.micro.f1);
  });

  it('exits 2 without --dev and 3 for a missing training file', async () => {
    const [noDev, missing] = await Promise.all([
      nerima(['train', '--train', trainFile, '--out', join(tmp, 'never')]),
      nerima(['train', '--train', join(tmp, 'nope.jsonl'), '--dev', devFile, '--out', join(tmp, 'never')]),
    ]);
    expect(noDev.code).toBe(2);
    expect(noDev.stderr).toContain('missing required option --dev');
    expect(missing.code).toBe(3);
    expect(missing.stderr).toBe(`error: ${join(tmp, 'nope.jsonl')}: no such file or directory\n`);
    expect(existsSync(join(tmp, 'never'))).toBe(false);
  });
});

describe('meta-train', () => {
  const args = () => [
    'meta-train',
    '--data',
    trainFile,
    '--fold',
    'A',
    '--n',
    '2',
    '--k',
    '1,2',
    '--checkpoint-every',
    '2',
    '--vectors',
    vectorsFile,
  ];

  it('meta-trains, saves model/meta with checkpoints, and resumes to more episodes', async () => {
    const r = await nerima([...args(), '--episodes', '4', '--out', metaRun]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /^meta-trained maml-protonet\+\+ on PERSON, CORPORATION, POLITICAL_ORG, FACILITY: 4 episodes/,
    );
    expect((await readdir(join(metaRun, 'model/meta'))).sort()).toEqual([
      'encoder.bin',
      'meta.json',
      'model.json',
      'vectors.bin',
    ]);
    const meta = JSON.parse(await readFile(join(metaRun, 'model/meta/meta.json'), 'utf8'));
    expect(meta).toMatchObject({
      format: 'nerima-cli-meta',
      name: 'maml-protonet++',
      trainTypes: ['PERSON', 'CORPORATION', 'POLITICAL_ORG', 'FACILITY'],
      cues: { vectors: 'vectors.bin' },
    });
    // With cues the default types spans by the cue head (meta-core typeBy 'cues').
    const model = JSON.parse(await readFile(join(metaRun, 'model/meta/model.json'), 'utf8'));
    expect(model.config).toMatchObject({ spanCues: ['vectors'], typeBy: 'cues' });
    const ck = JSON.parse(await readFile(join(metaRun, 'checkpoints/meta/checkpoint.json'), 'utf8'));
    expect(ck.episode).toBe(4);

    // Without --resume or --force the finished run is kept.
    const refused = await nerima([...args(), '--episodes', '6', '--out', metaRun]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('already exists and is not empty');

    const resumed = await nerima([...args(), '--episodes', '6', '--out', metaRun, '--resume', '--json']);
    expect(resumed.code).toBe(0);
    expect(resumed.stderr).toContain('resuming meta-training after episode 4');
    const res = JSON.parse(resumed.stdout);
    expect(res.training).toMatchObject({ episodes: 6, resumedFrom: 4, episodesThisRun: 2 });
    const report = JSON.parse(await readFile(join(metaRun, 'report.json'), 'utf8'));
    expect(report.losses).toHaveLength(2);
    expect(await readdir(tmp)).not.toContain('.meta.partial');
  });

  it('rejects unknown span cues, the kb cue without --kb and a missing vectors file', async () => {
    const [bad, noKb, noVectors] = await Promise.all([
      nerima([...args(), '--span-cues', 'vectors,gloves', '--out', join(tmp, 'c1')]),
      nerima([...args(), '--span-cues', 'kb', '--out', join(tmp, 'c2')]),
      nerima([...args(), '--vectors', join(tmp, 'none.bin'), '--out', join(tmp, 'c3')]),
    ]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--span-cues: unknown cue(s) gloves');
    expect(noKb.code).toBe(2);
    expect(noKb.stderr).toContain('--span-cues kb needs --kb <file>');
    expect(noVectors.code).toBe(2);
    expect(noVectors.stderr).toContain('none.bin does not exist');
    for (const r of [bad, noKb, noVectors]) expectNoStack(r);
    for (const d of ['c1', 'c2', 'c3']) expect(existsSync(join(tmp, d))).toBe(false);
  });

  it('rejects unknown types, an impossible N and a bad variant', async () => {
    const [unknown, bigN, variant] = await Promise.all([
      nerima(['meta-train', '--data', trainFile, '--train-types', 'PERSON,SHIP', '--out', join(tmp, 'm1')]),
      nerima([...args(), '--n', '9', '--out', join(tmp, 'm2')]),
      nerima([...args(), '--variant', 'huge', '--out', join(tmp, 'm3')]),
    ]);
    expect(unknown.code).toBe(3);
    expect(unknown.stderr).toContain('unknown entity type(s) SHIP');
    expect(bigN.code).toBe(2);
    expect(bigN.stderr).toContain('episodes cannot have more types than the 4 train type(s)');
    expect(variant.code).toBe(2);
    expect(variant.stderr).toContain('--variant must be one of full, noControl');
    for (const r of [unknown, bigN, variant]) expectNoStack(r);
    for (const d of ['m1', 'm2', 'm3']) expect(existsSync(join(tmp, d))).toBe(false);
  });
});

describe('adapt', () => {
  it('adapts the meta model to new types and writes a standalone folder', async () => {
    const r = await nerima([
      'adapt',
      '--model',
      metaRun,
      '--support',
      supportFile,
      '--out',
      adaptedDir,
      '--json',
    ]);
    expect(r.code).toBe(0);
    const res = JSON.parse(r.stdout);
    expect(res.types).toEqual([...FOLD_A_TEST].sort().filter((t) => res.supportCounts[t] > 0));
    expect((await readdir(adaptedDir)).sort()).toEqual(['adapted.json', 'meta', 'support.jsonl']);
    expect((await readdir(join(adaptedDir, 'meta'))).sort()).toEqual([
      'encoder.bin',
      'meta.json',
      'model.json',
      'vectors.bin',
    ]);
    const manifest = JSON.parse(await readFile(join(adaptedDir, 'adapted.json'), 'utf8'));
    expect(manifest).toMatchObject({ format: 'nerima-cli-adapted', types: res.types, from: metaRun });
    expect(manifest.supportCheck.microF1).toBeGreaterThanOrEqual(0);
  });

  it('exits 3 on an empty support set, too few examples, unknown types and a model without meta', async () => {
    const empty = join(tmp, 'empty.jsonl');
    await writeFile(empty, '');
    const cases = [
      [['--support', empty], 'the support set is empty'],
      [['--support', supportFile, '--min-k', '50'], 'fewer than --min-k 50'],
      [
        ['--support', supportFile, '--types', 'PRODUCT,SHIP'],
        'unknown type(s) SHIP: the support set has no mention of them',
      ],
    ] as const;
    const [results, noMeta, noModel] = await Promise.all([
      Promise.all(
        cases.map(([extra]) => nerima(['adapt', '--model', metaRun, ...extra, '--out', join(tmp, 'a1')])),
      ),
      nerima(['adapt', '--model', taggerRun, '--support', supportFile, '--out', join(tmp, 'a1')]),
      nerima(['adapt', '--model', join(tmp, 'nothing'), '--support', supportFile, '--out', join(tmp, 'a1')]),
    ]);
    results.forEach((r, i) => {
      expect(r.code).toBe(3);
      expect(r.stderr).toContain(cases[i]?.[1]);
      expectNoStack(r);
    });
    expect(noMeta.code).toBe(3);
    expect(noMeta.stderr).toContain('has only a supervised tagger');
    expect(noModel.code).toBe(3);
    expect(noModel.stderr).toContain('no such folder');
    expect(existsSync(join(tmp, 'a1'))).toBe(false);
  });
});

describe('predict', () => {
  it('tags --text with an adapted model as JSONL with UTF-16 offsets', async () => {
    const text = '𠮷田さんは東京の新製品発表会に行った。';
    const r = await nerima(['predict', '--model', adaptedDir, '--text', text]);
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    const row = JSON.parse(lines[0] as string) as Row & { entities: { score: number }[] };
    expect(row.text).toBe(text);
    for (const e of row.entities) {
      expect(text.slice(e.start, e.end)).toBe(e.text);
      expect(FOLD_A_TEST).toContain(e.type);
      expect(e.score).toBeGreaterThan(0);
      expect(e.score).toBeLessThanOrEqual(1);
    }
  });

  it('highlights stdin line by line with a supervised tagger, keeping empty lines', async () => {
    const input = '山田太郎は東京に住む。\n\nアップルが新型のiPhoneを発表した。\n';
    const r = await nerima(['predict', '--model', taggerRun, '--format', 'text'], { input });
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines).toHaveLength(4); // three lines and the final newline
    expect(lines[1]).toBe('');
    // Removing the markup gives the input back.
    const plain = (s: string) => s.replace(/\]\{[A-Z_]+\}/g, '').replace(/\[/g, '');
    expect(lines.slice(0, 3).map(plain)).toEqual([
      '山田太郎は東京に住む。',
      '',
      'アップルが新型のiPhoneを発表した。',
    ]);
    expect(r.stdout).not.toContain('\x1b[');
  });

  it('adapts on the spot with --support, and explains what a meta-only run needs', async () => {
    const [r, none, format] = await Promise.all([
      nerima([
        'predict',
        '--model',
        metaRun,
        '--support',
        supportFile,
        '--text',
        '大阪で展示会が開かれた。',
        '--json',
      ]),
      nerima(['predict', '--model', metaRun, '--text', 'x']),
      nerima(['predict', '--model', metaRun, '--text', 'x', '--format', 'xml']),
    ]);
    expect(r.code).toBe(0);
    const res = JSON.parse(r.stdout);
    expect(res.results).toHaveLength(1);
    expect(res.results[0].text).toBe('大阪で展示会が開かれた。');
    expect(none.code).toBe(3);
    expect(none.stderr).toContain('needs examples of the types to find: pass --support <file>');
    expect(format.code).toBe(2);
    expect(format.stderr).toContain('--format must be jsonl or text');
  });
});

describe('eval', () => {
  it('evaluates the meta model of a run folder on novel-type episodes', async () => {
    const out = join(tmp, 'eval-meta');
    const r = await nerima([
      'eval',
      '--data',
      join(tmp, 'demo'),
      '--model',
      metaRun,
      '--fold',
      'A',
      '--k',
      '1',
      '--episodes',
      '3',
      '--out',
      out,
      '--json',
    ]);
    expect(r.code).toBe(0);
    expect(r.stderr).not.toContain('not a novel-type evaluation');
    expect(JSON.parse(r.stdout)).toMatchObject({
      method: 'maml-protonet++',
      setting: '4-way 1-shot',
      episodes: 3,
    });
    const report = JSON.parse(await readFile(join(out, 'report.json'), 'utf8'));
    expect(report.runs[0].result.episodes).toHaveLength(3);
  });
});

describe('serve', () => {
  it('serves a meta model with a supervised tagger over HTTP and stops cleanly on SIGTERM', async () => {
    const child = startNerima([
      'serve',
      '--model',
      metaRun,
      '--tagger',
      taggerRun,
      '--port',
      '0',
      '--db',
      ':memory:',
      '--quiet',
    ]);
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
    const url = await new Promise<string>((done, fail) => {
      const timer = setTimeout(
        () => fail(new Error(`no "listening" line in 60 s; stderr: ${stderr}`)),
        60_000,
      );
      child.stdout.on('data', (c: Buffer) => {
        stdout += c.toString();
        const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout);
        if (m) {
          clearTimeout(timer);
          done(m[1] as string);
        }
      });
      child.on('exit', () => fail(new Error(`server exited early: ${stderr}`)));
    });
    try {
      const health = (await (await fetch(`${url}/healthz`)).json()) as Record<string, unknown>;
      expect(health).toMatchObject({ status: 'ok', learner: 'maml-protonet++', defaultTagger: true });

      // The supervised tagger of the train run answers POST /v1/entities.
      const text = '山田さんは東京に住む。';
      const entities = await fetch(`${url}/v1/entities`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ text }),
      });
      expect(entities.status).toBe(200);
      for (const e of ((await entities.json()) as { entities: Row['entities'] }).entities) {
        expect(text.slice(e.start, e.end)).toBe(e.text);
      }

      const support = (await readRows(supportFile)).slice(0, 4);
      const created = await fetch(`${url}/v1/tasks`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ support: support.map((s) => ({ text: s.text, entities: s.entities })) }),
      });
      expect(created.status).toBe(201);
      const task = (await created.json()) as { taskId: string; types: string[] };
      expect(task.types.length).toBeGreaterThan(0);

      const tagged = await fetch(`${url}/v1/tasks/${task.taskId}/entities`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ text: '東京で新製品の発表会があった。' }),
      });
      expect(tagged.status).toBe(200);
      const body = (await tagged.json()) as { entities: { type: string }[] };
      expect(Array.isArray(body.entities)).toBe(true);
      for (const e of body.entities) expect(task.types).toContain(e.type);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  });

  it('exits 3 for a folder without a model', async () => {
    const r = await nerima(['serve', '--model', tmp, '--port', '0', '--db', ':memory:']);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('no model in this folder');
  });
});
