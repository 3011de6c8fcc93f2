/**
 * Pack test (slow, 1-3 min): builds and `pnpm pack`s every publishable package, installs the
 * tarballs into a scratch project outside the workspace (os.tmpdir()) with npm, and uses them the
 * way a user would: ESM import, CommonJS require (Node ≥ 20.19 requires our ESM-only builds), a
 * few-shot run end to end, the `nerima` bin, and TypeScript (module nodenext, .ts and .cts). Also runs publint on each tarball
 * and checks that a changeset naming only @nerima/eval bumps only eval. Needs the npm registry or
 * a warm npm cache for the third-party dependencies (installed with --prefer-offline). Included in
 * `pnpm test`; NERIMA_SKIP_PACK_TEST=1 skips the packing part.
 */
import { execFileSync } from 'node:child_process';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { publint } from 'publint';
import { formatMessage } from 'publint/utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const rootRequire = createRequire(join(repoRoot, 'package.json'));

/** Publishable packages: workspace folder and npm name. */
const PACKAGES = {
  core: { dir: 'packages/core', name: '@nerima/core' },
  eval: { dir: 'packages/eval', name: '@nerima/eval' },
  encoder: { dir: 'packages/encoder', name: '@nerima/encoder' },
  spanDecoder: { dir: 'packages/span-decoder', name: '@nerima/span-decoder' },
  metaCore: { dir: 'packages/meta-core', name: '@nerima/meta-core' },
  augment: { dir: 'packages/augment', name: '@nerima/augment' },
  xlingAlign: { dir: 'packages/xling-align', name: '@nerima/xling-align' },
  models: { dir: 'packages/models', name: '@nerima/models' },
  server: { dir: 'apps/server', name: '@nerima/server' },
  cli: { dir: 'apps/cli', name: '@nerima/cli' },
} as const;
type Key = keyof typeof PACKAGES;

/** The environment without the npm_* variables a `pnpm test` parent sets (they would steer npm). */
function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    const keep = ['npm_config_registry', 'npm_config_cache', 'npm_config_userconfig'].includes(
      k.toLowerCase(),
    );
    if (!k.toLowerCase().startsWith('npm_') || keep) env[k] = v;
  }
  env['NO_COLOR'] = '1';
  return env;
}

interface Run {
  status: number;
  stdout: string;
  stderr: string;
}

/** Runs a command; throws with its output when it fails and `check` is true. */
function run(cmd: string, args: readonly string[], cwd: string, check = true): Run {
  try {
    const stdout = execFileSync(cmd, args, {
      cwd,
      env: cleanEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
      maxBuffer: 64 << 20,
      timeout: 300_000,
    }).toString();
    return { status: 0, stdout, stderr: '' };
  } catch (err) {
    const e = err as { status?: number; stdout?: Buffer; stderr?: Buffer };
    const r = {
      status: e.status ?? 1,
      stdout: e.stdout?.toString() ?? '',
      stderr: e.stderr?.toString() ?? '',
    };
    if (check) {
      throw new Error(`${cmd} ${args.join(' ')} (in ${cwd}) exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
    }
    return r;
  }
}

/** The file of a root devDependency's bin. */
async function binOf(pkg: string, bin: string): Promise<string> {
  const pkgJson = rootRequire.resolve(`${pkg}/package.json`);
  const meta = JSON.parse(await readFile(pkgJson, 'utf8')).bin as string | Record<string, string>;
  const rel = typeof meta === 'string' ? meta : meta[bin];
  if (!rel) throw new Error(`${pkg} has no bin ${bin}`);
  return join(dirname(pkgJson), rel);
}

let work: string;
let scratch: string;
let esmInt: number | undefined;
const tarballs = {} as Record<Key, string>;

/** Set NERIMA_SKIP_PACK_TEST=1 to skip the slow part (build, pack, npm install) in quick local runs. */
const skipPack = process.env['NERIMA_SKIP_PACK_TEST'] === '1';

describe.skipIf(skipPack)('packed @nerima/* packages in a scratch project', () => {
  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'nerima-pack-'));
    run('pnpm', [...Object.values(PACKAGES).flatMap((p) => ['--filter', p.name]), 'build'], repoRoot);
    const dest = join(work, 'tarballs');
    await mkdir(dest);
    for (const [key, p] of Object.entries(PACKAGES) as [Key, (typeof PACKAGES)[Key]][]) {
      const out = run('pnpm', ['pack', '--pack-destination', dest], join(repoRoot, p.dir)).stdout;
      const tgz = out
        .trim()
        .split('\n')
        .map((l) => l.trim())
        .reverse()
        .find((l) => l.endsWith('.tgz'));
      if (!tgz) throw new Error(`pnpm pack printed no tarball path for ${p.name}:\n${out}`);
      tarballs[key] = resolve(dest, tgz);
    }

    // A project outside the workspace. `overrides` make the packages' dependencies on each other
    // resolve to the local tarballs instead of the registry.
    scratch = join(work, 'scratch');
    await mkdir(scratch);
    const specs = Object.fromEntries(
      (Object.entries(PACKAGES) as [Key, (typeof PACKAGES)[Key]][]).map(([k, p]) => [
        p.name,
        `file:${tarballs[k]}`,
      ]),
    );
    await writeFile(
      join(scratch, 'package.json'),
      JSON.stringify(
        {
          name: 'nerima-pack-scratch',
          private: true,
          type: 'module',
          dependencies: specs,
          overrides: specs,
        },
        null,
        2,
      ),
    );
    run(
      'npm',
      ['install', '--ignore-scripts', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'],
      scratch,
    );
  }, 600_000);

  afterAll(async () => {
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('contain only dist, README and package.json', async () => {
    for (const key of Object.keys(PACKAGES) as Key[]) {
      const files = run('tar', ['-tzf', tarballs[key]], work).stdout.trim().split('\n');
      expect(files).toContain('package/package.json');
      expect(files).toContain('package/README.md');
      const stray = files.filter((f) => !/^package\/(dist\/.+|README\.md|package\.json)$/.test(f));
      expect(stray, key).toEqual([]);
      expect(
        files.some((f) => /\.test\.|\/src\//.test(f)),
        key,
      ).toBe(false);
    }
  });

  it('resolve @nerima/core to the local tarball, not the registry', async () => {
    const lock = JSON.parse(await readFile(join(scratch, 'package-lock.json'), 'utf8'));
    const resolved = Object.entries(lock.packages as Record<string, { resolved?: string }>)
      .filter(([path]) => path.endsWith('node_modules/@nerima/core'))
      .map(([, v]) => v.resolved ?? '');
    expect(resolved.length).toBeGreaterThan(0);
    for (const r of resolved) expect(r).toMatch(/^file:/);
  });

  it('work from an ES module', async () => {
    await writeFile(
      join(scratch, 'esm.mjs'),
      `import { createRng, generateDemoCorpus, sampleEpisodes } from '@nerima/core';
import { LexiconLearner, runEpisodes } from '@nerima/eval';
const corpus = generateDemoCorpus({ seed: 1 });
const episodes = sampleEpisodes(corpus.test, { n: 5, k: 5, count: 4, seed: 1 });
const result = await runEpisodes(new LexiconLearner(), episodes);
console.log(JSON.stringify({ int: createRng(1).int(1000), episodes: result.episodes.length, f1: result.summary.macroF1.mean }));
`,
    );
    const out = JSON.parse(run(process.execPath, ['esm.mjs'], scratch).stdout);
    expect(out.episodes).toBe(4);
    expect(out.f1).toBeGreaterThanOrEqual(0);
    expect(out.f1).toBeLessThanOrEqual(1);
    esmInt = out.int;
  });

  it('import every package as an ES module', async () => {
    const names = Object.values(PACKAGES)
      .map((p) => p.name)
      .filter((n) => n !== '@nerima/cli'); // the CLI package is a bin (checked below)
    await writeFile(
      join(scratch, 'all.mjs'),
      `const names = ${JSON.stringify(names)};
const out = {};
for (const n of names) out[n] = Object.keys(await import(n)).length;
console.log(JSON.stringify(out));
`,
    );
    const out = JSON.parse(run(process.execPath, ['all.mjs'], scratch).stdout) as Record<string, number>;
    for (const n of names) expect(out[n], n).toBeGreaterThan(0);
  });

  it('adapt MAML-ProtoNet++ to a few examples and tag text (wasm backend, kuromoji from the tarball)', async () => {
    // A from-scratch encoder (vocabularies from the demo corpus), an untrained meta-learner: this
    // checks that the packed code runs end to end (wasm files, kuromoji dictionary, tensors), not
    // its accuracy.
    await writeFile(
      join(scratch, 'fewshot.mjs'),
      `import { generateDemoCorpus, initBackend, sampleEpisodes } from '@nerima/core';
import { createEncoder } from '@nerima/encoder';
import { createMamlProtoNet } from '@nerima/meta-core';
const backend = await initBackend({ backend: 'wasm' });
const corpus = generateDemoCorpus({ seed: 1, sentences: 120 });
const encoder = await createEncoder({ texts: corpus.train.map((s) => s.text), dim: 32 });
const learner = await createMamlProtoNet({ encoder, decode: { allowNested: false } });
const [episode] = sampleEpisodes(corpus.test, { n: 2, k: 1, count: 1, seed: 1 });
const tagger = await learner.adapt(episode.support, episode.types);
const texts = episode.query.map((s) => s.text);
const predictions = await tagger.predict(texts);
const bad = predictions.flatMap((ps, i) => ps.filter((p) => p.start < 0 || p.end > texts[i].length || p.start >= p.end || texts[i].slice(p.start, p.end) !== p.text));
console.log(JSON.stringify({ backend: backend.name, dim: encoder.dim, types: tagger.types, texts: texts.length, predictions: predictions.length, bad: bad.length }));
`,
    );
    const out = JSON.parse(
      run(process.execPath, ['fewshot.mjs'], scratch).stdout.trim().split('\n').pop() ?? '{}',
    );
    expect(out).toMatchObject({ backend: 'wasm', dim: 32, bad: 0 });
    expect(out.types).toHaveLength(2);
    expect(out.predictions).toBe(out.texts);
  }, 300_000);

  it('tag with the shipped tagger from the tarball, same entities on onnxruntime-node and tfjs', async () => {
    await writeFile(
      join(scratch, 'shipped.mjs'),
      `import { loadTagger } from '@nerima/models';
const text = 'トヨタ自動車の豊田章男社長は名古屋市で記者会見を開いた。';
const out = {};
for (const runtime of ['onnx', 'tfjs']) {
  const tagger = await loadTagger('stockmark', { runtime });
  const [ents] = await tagger.predict([text]);
  out[runtime] = { runtime: tagger.runtime, dir: tagger.dir, ents: ents.map((e) => [e.start, e.end, e.type, e.text]) };
  tagger.dispose();
}
const pooled = await loadTagger('stockmark', { processes: 2 });
out.pool = { processes: pooled.processes, ents: (await pooled.predict([text]))[0].map((e) => [e.start, e.end, e.type, e.text]) };
pooled.dispose();
console.log(JSON.stringify(out));
`,
    );
    const out = JSON.parse(
      run(process.execPath, ['shipped.mjs'], scratch).stdout.trim().split('\n').pop() ?? '{}',
    );
    expect(out.onnx.runtime).toBe('onnxruntime-node');
    expect(out.tfjs.runtime).toBe('tfjs:wasm');
    // The weights came from the installed package, not from the repository.
    expect(out.onnx.dir).toContain(join('node_modules', '@nerima', 'models', 'dist', 'weights'));
    expect(out.onnx.ents).toEqual(out.tfjs.ents);
    // OnnxTaggerPool forks dist/pool-worker.js from the installed package.
    expect(out.pool).toEqual({ processes: 2, ents: out.onnx.ents });
    expect(out.onnx.ents).toContainEqual([0, 6, 'CORPORATION', 'トヨタ自動車']);
  }, 300_000);

  it('run the nerima bin', () => {
    const r = run(join(scratch, 'node_modules', '.bin', 'nerima'), ['--help'], scratch);
    expect(r.stdout).toMatch(/pipeline/);
  });

  it('work from CommonJS via require()', async () => {
    await writeFile(
      join(scratch, 'cjs.cjs'),
      `const core = require('@nerima/core');
const { LexiconLearner, evaluateSpans } = require('@nerima/eval');
const learner = new LexiconLearner();
console.log(JSON.stringify({
  int: core.createRng(1).int(1000),
  train: core.generateDemoCorpus({ seed: 1, sentences: 60 }).train.length,
  learner: learner.name,
  evaluateSpans: typeof evaluateSpans,
}));
`,
    );
    const r = run(process.execPath, ['cjs.cjs'], scratch);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ train: 40, learner: 'lexicon', evaluateSpans: 'function' });
    // Same build, same seed, same numbers from either module system.
    expect(out.int).toBe(esmInt);
  });

  it('type-check from TypeScript (.ts and .cts, module nodenext)', async () => {
    await writeFile(
      join(scratch, 'check.ts'),
      `import { type Rng, type Sentence, createRng, generateDemoCorpus } from '@nerima/core';
import { type ProtocolResult, LexiconLearner, runEpisodes } from '@nerima/eval';
const rng: Rng = createRng(1);
export const k: number = rng.int(10);
// @ts-expect-error int takes a number (fails if the types resolved to any)
rng.int('10');
export const train: Sentence[] = generateDemoCorpus({ seed: 1 }).train;
export async function go(): Promise<ProtocolResult> {
  return runEpisodes(new LexiconLearner(), []);
}
`,
    );
    await writeFile(
      join(scratch, 'check.cts'),
      `import { createRng } from '@nerima/core';
import evalPkg = require('@nerima/eval');
const n: number = createRng(2).int(5);
// @ts-expect-error name is a string (fails if the types resolved to any)
const bad: number = new evalPkg.LexiconLearner().name;
export = { n, bad };
`,
    );
    await writeFile(
      join(scratch, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          module: 'nodenext',
          moduleResolution: 'nodenext',
          target: 'es2022',
          strict: true,
          noEmit: true,
          skipLibCheck: false,
          types: [],
        },
        files: ['check.ts', 'check.cts'],
      }),
    );
    const tsc = join(dirname(rootRequire.resolve('typescript/package.json')), 'bin', 'tsc');
    const r = run(process.execPath, [tsc, '-p', 'tsconfig.json', '--pretty', 'false'], scratch, false);
    const errors = r.stdout.split('\n').filter((l) => /error TS\d+/.test(l));
    // skipLibCheck is off so our own .d.ts files are checked. @tensorflow/tfjs-core 4.22's
    // hash_util.d.ts names a global `Long` type it does not ship; that upstream error is tolerated.
    const ours = errors.filter(
      (l) => !/^node_modules\/@tensorflow\/tfjs-core\/dist\/hash_util\.d\.ts/.test(l),
    );
    expect(ours).toEqual([]);
    expect(r.stderr).toBe('');
    if (errors.length === 0) expect(r.status).toBe(0);
  });

  it('pass publint (strict: warnings count as errors)', async () => {
    for (const key of Object.keys(PACKAGES) as Key[]) {
      const buf = await readFile(tarballs[key]);
      const tarball = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer;
      const { messages, pkg } = await publint({ pack: { tarball }, level: 'warning', strict: true });
      expect(
        messages.map((m) => `${m.type} ${m.code}: ${formatMessage(m, pkg, { color: false })}`),
        key,
      ).toEqual([]);
    }
  });
});

describe('changesets', () => {
  it('a changeset naming only @nerima/eval bumps only eval', async () => {
    const copy = await mkdtemp(join(tmpdir(), 'nerima-changeset-'));
    try {
      // A copy of just what `changeset version` reads and writes; the real repo is not touched.
      await mkdir(join(copy, '.changeset'));
      await cp(join(repoRoot, '.changeset', 'config.json'), join(copy, '.changeset', 'config.json'));
      for (const f of ['package.json', 'pnpm-workspace.yaml']) await cp(join(repoRoot, f), join(copy, f));
      const before = new Map<string, string>();
      for (const group of ['packages', 'apps', 'tooling']) {
        for (const name of await readdir(join(repoRoot, group))) {
          const rel = join(group, name, 'package.json');
          let text: string;
          try {
            text = await readFile(join(repoRoot, rel), 'utf8');
          } catch {
            continue;
          }
          await mkdir(join(copy, group, name), { recursive: true });
          await writeFile(join(copy, rel), text);
          before.set(rel, text);
        }
      }
      await writeFile(
        join(copy, '.changeset', 'eval-only.md'),
        '---\n"@nerima/eval": patch\n---\n\nFix a metric.\n',
      );
      run(process.execPath, [await binOf('@changesets/cli', 'changeset'), 'version'], copy);

      const evalRel = join('packages', 'eval', 'package.json');
      const oldEval = JSON.parse(before.get(evalRel) ?? '{}');
      const newEval = JSON.parse(await readFile(join(copy, evalRel), 'utf8'));
      const [major, minor, patch] = String(oldEval.version).split('.').map(Number);
      expect(newEval.version).toBe(`${major}.${minor}.${(patch ?? 0) + 1}`);
      expect(await readFile(join(copy, 'packages', 'eval', 'CHANGELOG.md'), 'utf8')).toContain(
        'Fix a metric.',
      );
      for (const [rel, text] of before) {
        if (rel !== evalRel) expect(await readFile(join(copy, rel), 'utf8'), rel).toBe(text);
      }
      expect(await readdir(join(copy, '.changeset'))).toEqual(['config.json']);
    } finally {
      await rm(copy, { recursive: true, force: true });
    }
  });
});
