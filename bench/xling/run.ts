/**
 * Cross-lingual alignment benchmark (issue 6): aligns the pre-trained encoder on the shared KB and
 * scores held-out pairs before and after, in the same run (same encoder, same pairs). Writes the
 * aligned model folder and bench/results/xling.json.
 *
 *   pnpm exec tsx --conditions=@nerima/source bench/xling/run.ts --minutes 10
 *
 * Options:
 *   --kb PATH          KB JSONL (default $NERIMA_DATA/kb/entities.jsonl, else ../shared/data/kb/entities.jsonl)
 *   --encoder PATH     encoder folder or file (default models/encoder); `new` for an untrained one
 *   --minutes X        training budget (default 10)   --max-steps N   step budget
 *   --seed N           (default 1)                    --eval-pool N   candidates per language (default 1000)
 *   --batch-size N     ja–en pairs per step (128)     --zh-batch-size N  ja–zh pairs per step (64)
 *   --tune SCOPE       embeddings | char | encoder (default embeddings)
 *   --model-out DIR    aligned encoder, aligner and report (default runs/xling)
 *   --ship DIR         also copy encoder.bin and report.json there (e.g. models/xling)
 *   --out PATH         results file (default bench/results/xling.json); --no-write to skip it
 *   --mlm-lines N      lines of unlabeled/wikinews_ja.txt for the masked-char check (default 1000; 0 = skip)
 *
 * The masked-char check scores the encoder's own pre-training head (tied to char/emb) before and
 * after alignment: how much of the pre-training the aligned tables keep.
 */
import { copyFile, mkdir, readFile, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { gitCommit } from '../git-commit.js';
import { load, repoRoot } from './resolve.js';

type Core = typeof import('../../packages/core/src/index.js');
type Enc = typeof import('../../packages/encoder/src/index.js');
type Xling = typeof import('../../packages/xling-align/src/index.js');
type Evaluation = import('../../packages/xling-align/src/index.js').PairEvaluation;
const { createRng, initBackend, readLines, writeJsonAtomic } = await load<Core>('@nerima/core');
const { alignFiles } = await load<Xling>('@nerima/xling-align');
const { loadEncoder, MlmHead, evaluateMlm } = await load<Enc>('@nerima/encoder');

const { values } = parseArgs({
  options: {
    kb: { type: 'string' },
    encoder: { type: 'string' },
    minutes: { type: 'string' },
    'max-steps': { type: 'string' },
    seed: { type: 'string' },
    'eval-pool': { type: 'string' },
    'batch-size': { type: 'string' },
    'zh-batch-size': { type: 'string' },
    tune: { type: 'string' },
    'model-out': { type: 'string' },
    ship: { type: 'string' },
    out: { type: 'string' },
    'no-write': { type: 'boolean' },
    'mlm-lines': { type: 'string' },
  },
});

const num = (name: string, fallback?: number): number | undefined => {
  const raw = values[name as keyof typeof values];
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n)) throw new Error(`--${name}: expected a number, got ${JSON.stringify(raw)}`);
  return n;
};

const dataRoot = process.env['NERIMA_DATA'] ?? path.resolve(repoRoot, '../shared/data');

/** A copy of `value` whose absolute paths under the repository become repository-relative. */
function relativePaths<T>(value: T): T {
  const prefix = `${path.resolve(repoRoot, '..')}${path.sep}`;
  return JSON.parse(
    JSON.stringify(value, (_k, v) =>
      typeof v === 'string' && v.startsWith(prefix) ? path.relative(repoRoot, v) : v,
    ),
  ) as T;
}
const kb = values.kb ?? path.join(dataRoot, 'kb/entities.jsonl');
const encoder = values.encoder ?? path.join(repoRoot, 'models/encoder');
const modelOut = values['model-out'] ?? path.join(repoRoot, 'runs/xling');
const command =
  `pnpm exec tsx --conditions=@nerima/source bench/xling/run.ts ${process.argv.slice(2).join(' ')}`.trim();
const log = (...xs: unknown[]) => console.log(`[${new Date().toISOString().slice(11, 19)}]`, ...xs);

const backend = await initBackend({ backend: 'wasm' });
log('backend', backend);
const maxSteps = num('max-steps');
const report = await alignFiles({
  kb,
  encoder,
  out: modelOut,
  minutes: num('minutes', 10) as number,
  ...(maxSteps !== undefined ? { maxSteps } : {}),
  seed: num('seed', 1) as number,
  evalPool: num('eval-pool', 1000) as number,
  batchSize: num('batch-size', 128) as number,
  zhBatchSize: num('zh-batch-size', 64) as number,
  tune: (values.tune ?? 'embeddings') as 'embeddings' | 'char' | 'encoder',
  command,
  onProgress: (p) => {
    if (p.phase !== 'train') log(p.phase);
    else
      log(
        `step ${p.step} | loss en ${p.lossEn.toFixed(3)} zh ${p.lossZh.toFixed(3)} | scale ${p.scale.toFixed(1)} | ${(p.elapsedMs / 1000).toFixed(0)}s`,
      );
  },
});

/** Masked-char accuracy of an encoder file with its saved pre-training head (null without one). */
async function mlmAccuracy(file: string, lines: readonly string[]) {
  const e = await loadEncoder(file);
  try {
    if (![...e.extras.keys()].some((k) => k.startsWith('mlm/'))) return null;
    const head = new MlmHead(e, createRng(1));
    const r = await evaluateMlm(e, head, lines);
    return { lines: r.lines, targets: r.targets, loss: round(r.loss), accuracy: round(r.accuracy) };
  } finally {
    e.dispose();
  }
}

const mlmLines = num('mlm-lines', 1000) as number;
let mlm: Record<string, unknown> | null = null;
if (mlmLines > 0 && encoder !== 'new') {
  const lines: string[] = [];
  for await (const { text } of readLines(path.join(dataRoot, 'unlabeled/wikinews_ja.txt'))) {
    const t = text.trim();
    if (t) lines.push(t.slice(0, 128));
    if (lines.length >= mlmLines) break;
  }
  const encoderFile = (await stat(encoder)).isDirectory() ? path.join(encoder, 'encoder.bin') : encoder;
  mlm = {
    data: `first ${lines.length} lines of unlabeled/wikinews_ja.txt (cut to 128 chars; may overlap pre-training data)`,
    before: await mlmAccuracy(encoderFile, lines),
    after: await mlmAccuracy(report.files.encoder, lines),
  };
  log('masked-char check', JSON.stringify(mlm));
}

const metrics = (e: Evaluation | undefined) =>
  e && {
    pool: e.pool,
    trueCosine: round(e.trueCosine),
    randomCosine: round(e.randomCosine),
    [`ja_to_${e.lang}`]: { at1: round(e.jaTo.at1), at10: round(e.jaTo.at10), mrr: round(e.jaTo.mrr) },
    [`${e.lang}_to_ja`]: { at1: round(e.toJa.at1), at10: round(e.toJa.at10), mrr: round(e.toJa.mrr) },
  };
function round(x: number): number {
  return Math.round(x * 10000) / 10000;
}

const t = report.training;
const result = {
  command,
  commit: gitCommit(),
  date: new Date().toISOString(),
  backend,
  machine: { node: process.version, cpus: os.cpus().length, loadAverage1m: round(os.loadavg()[0] ?? 0) },
  notes:
    'Held-out pairs: Japanese names hashed out of training (5%; 14% of those with a Chinese name), so no Japanese ' +
    'name is both trained and evaluated. "before" = the same encoder with the untrained (seeded) heads, scored on ' +
    'the same pools in the same run. Retrieval: each Japanese name against all counterparts of the pool (pool ' +
    'size below), and back. Homographs in the KB count as right answers. The machine is shared (see ' +
    'loadAverage1m): steps per minute vary between runs.',
  kb: {
    path: path.relative(repoRoot, kb),
    pairs: report.kb.pairs,
    dropped: report.kb.dropped,
    identicalZhKept: report.kb.identicalZh,
    homographs: report.kb.homographs,
  },
  encoder: path.relative(repoRoot, encoder) || encoder,
  split: report.split,
  oov: report.oov && {
    ja: {
      chars: report.oov.ja.chars,
      oovChars: report.oov.ja.oovChars,
      namesWithOov: report.oov.ja.namesWithOov,
    },
    zh: {
      chars: report.oov.zh.chars,
      oovChars: report.oov.zh.oovChars,
      namesWithOov: report.oov.zh.namesWithOov,
      namesAllOov: report.oov.zh.namesAllOov,
      topOov: report.oov.zh.topOov.slice(0, 10),
    },
  },
  training: {
    minutes: t.minutes,
    seconds: Math.round(t.seconds),
    steps: t.steps,
    stoppedBy: t.stoppedBy,
    pairsTrained: t.pairsSeen,
    firstLoss: t.firstLoss,
    lastLoss: t.lastLoss,
    finalScale: round(t.finalScale),
    tuned: t.tuned,
    drift: Object.fromEntries(Object.entries(t.drift).map(([k, v]) => [k, round(v)])),
    options: t.options,
  },
  maskedCharCheck: mlm,
  metrics: {
    before: { en: metrics(report.before?.en), zh: metrics(report.before?.zh) },
    after: { en: metrics(report.after?.en), zh: metrics(report.after?.zh) },
  },
  files: relativePaths(report.files),
};
log(JSON.stringify(result.metrics, null, 1));
if (!values['no-write']) {
  const out = values.out ?? path.join(repoRoot, 'bench/results/xling.json');
  await writeJsonAtomic(out, result);
  log('wrote', out);
}
if (values.ship) {
  await mkdir(values.ship, { recursive: true });
  await copyFile(report.files.encoder, path.join(values.ship, 'encoder.bin'));
  // The shipped report names files relative to the repository (no machine-specific paths).
  const shipped = relativePaths(JSON.parse(await readFile(report.files.report, 'utf8')));
  await writeJsonAtomic(path.join(values.ship, 'report.json'), shipped);
  log('shipped encoder.bin and report.json to', values.ship);
}
