/**
 * Supervised span tagger on Stockmark (all 8 types): train on train.jsonl, select and report on
 * dev.jsonl with @nerima/eval, write bench/results/span-supervised.json.
 *
 *   pnpm exec tsx --conditions=@nerima/source bench/span-supervised/train.ts --minutes 90
 *   ... --variant noPretrain | noWord | noGazetteer   (ablations, stored under "ablations")
 *
 * --data gsd trains on the GSD NE sample instead (every tenth sentence, lines 10, 20, ..., is its dev
 * split; needs --results or --no-write so that the Stockmark results file is never overwritten).
 *
 * Options: --minutes N (training budget), --epochs N, --batch-size N, --lr X, --encoder-lr X,
 * --encoder PATH (pre-trained encoder file; default models/encoder/encoder.bin when present),
 * --features combine|concat, --max-width N, --limit N (first N train sentences, smoke tests),
 * --no-pretrain / --no-word / --no-gazetteer (encoder switches, also implied by --variant),
 * --mention-replace P (mention replacement probability), --dropout X (decoder input),
 * --encoder-dropout X, --resume (continue runs/span-supervised/<run-name or variant>/checkpoint.bin), --run-name NAME,
 * --results PATH (results file to update instead of bench/results/span-supervised.json),
 * --no-write (no results file).
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Sentence } from '../../packages/core/src/index.js';
import type { NerimaEncoder } from '../../packages/encoder/src/index.js';
import type { FeatureMode } from '../../packages/span-decoder/src/index.js';
import { gitCommit } from '../git-commit.js';
import { core, enc, evl, span } from './resolve.js';

const { getBackendInfo, initBackend, readDataset, writeFileAtomic } = core;
const { createEncoder, loadEncoder } = enc;
const { evaluateSpans } = evl;
const { DEFAULT_DECODE_OPTIONS, DEFAULT_MAX_WIDTH, decode, trainSpanTagger } = span;

const repoRoot = path.resolve(import.meta.dirname, '../..');
const dataRoot = process.env['NERIMA_DATA'] ?? path.resolve(repoRoot, '../shared/data');
const defaultResultsPath = path.join(repoRoot, 'bench/results/span-supervised.json');

type Variant = 'main' | 'noPretrain' | 'noWord' | 'noGazetteer';

function parseArgs(argv: string[]) {
  const get = (name: string): string | undefined => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const num = (name: string, d: number): number => {
    const v = get(name);
    if (v === undefined) return d;
    const n = Number(v);
    if (!Number.isFinite(n)) throw new Error(`--${name}: expected a number, got ${v}`);
    return n;
  };
  const variant = (get('variant') ?? 'main') as Variant;
  if (!['main', 'noPretrain', 'noWord', 'noGazetteer'].includes(variant)) {
    throw new Error(`--variant: expected main | noPretrain | noWord | noGazetteer, got ${variant}`);
  }
  const data = get('data') ?? 'stockmark';
  if (data !== 'stockmark' && data !== 'gsd')
    throw new Error(`--data: expected stockmark | gsd, got ${data}`);
  if (data === 'gsd' && get('results') === undefined && !argv.includes('--no-write')) {
    throw new Error(
      '--data gsd: give --results PATH (or --no-write); the default file holds Stockmark results',
    );
  }
  return {
    data,
    variant,
    minutes: num('minutes', 60),
    epochs: num('epochs', 12),
    batchSize: num('batch-size', 16),
    lr: num('lr', 2e-3),
    encoderLr: get('encoder-lr') === undefined ? undefined : num('encoder-lr', 0),
    encoderPath: get('encoder') ?? path.join(repoRoot, 'models/encoder/encoder.bin'),
    features: (get('features') ?? 'concat') as FeatureMode,
    maxWidth: num('max-width', DEFAULT_MAX_WIDTH),
    limit: get('limit') === undefined ? undefined : num('limit', 0),
    patience: num('patience', 3),
    seed: num('seed', 1),
    runName: get('run-name'),
    noPretrain: variant === 'noPretrain' || argv.includes('--no-pretrain'),
    noWord: variant === 'noWord' || argv.includes('--no-word'),
    noGazetteer: variant === 'noGazetteer' || argv.includes('--no-gazetteer'),
    results: get('results'),
    mentionReplace: num('mention-replace', 0),
    dropout: num('dropout', 0.1),
    encoderDropout: get('encoder-dropout') === undefined ? undefined : num('encoder-dropout', 0.1),
    resume: argv.includes('--resume'),
    write: !argv.includes('--no-write'),
  };
}

/** Share of entities with width ≤ maxWidth (the recall any decoder with this maxWidth can reach). */
function recallCeiling(sentences: readonly Sentence[], maxWidth: number): number {
  let n = 0;
  let ok = 0;
  for (const s of sentences) {
    for (const e of s.entities) {
      n += 1;
      if (e.end - e.start <= maxWidth) ok += 1;
    }
  }
  return n === 0 ? 0 : ok / n;
}

async function buildEncoder(
  a: ReturnType<typeof parseArgs>,
  trainTexts: string[],
): Promise<{ encoder: NerimaEncoder; source: string }> {
  const kbPath = path.join(dataRoot, 'kb/entities.jsonl');
  const gazetteer = a.noGazetteer ? (false as const) : { kbPath };
  const pretrained = existsSync(a.encoderPath);
  if (pretrained) {
    const encoder = await loadEncoder(a.encoderPath, {
      weights: a.noPretrain ? 'random' : 'pretrained',
      gazetteer,
      ...(a.encoderDropout !== undefined ? { dropout: a.encoderDropout } : {}),
      ...(a.noWord ? { word: false as const } : {}),
    });
    const sha = createHash('sha256')
      .update(await readFile(a.encoderPath))
      .digest('hex')
      .slice(0, 16);
    return {
      encoder,
      source: `${path.relative(repoRoot, a.encoderPath)} (sha256 ${sha}, pre-training: ${JSON.stringify(encoder.config.meta ?? {})})${a.noPretrain ? ' config only, random weights' : ''}`,
    };
  }
  console.warn(`no pre-trained encoder at ${a.encoderPath}: training the encoder from scratch`);
  const encoder = await createEncoder({
    texts: trainTexts,
    gazetteer,
    ...(a.encoderDropout !== undefined ? { dropout: a.encoderDropout } : {}),
    ...(a.noWord ? { word: false as const } : {}),
  });
  return { encoder, source: 'from scratch (no pre-trained file)' };
}

/** Train and dev sentences: Stockmark's files, or the GSD sample with every tenth sentence as dev. */
async function loadData(
  data: 'stockmark' | 'gsd',
): Promise<{ trainAll: Sentence[]; dev: Sentence[]; dataName: string }> {
  if (data === 'gsd') {
    const all = (await readDataset(path.join(dataRoot, 'gsd_ne/sample.jsonl'))).sentences;
    return {
      trainAll: all.filter((_, i) => i % 10 !== 9),
      dev: all.filter((_, i) => i % 10 === 9),
      dataName: 'gsd_ne sample.jsonl (lines 10, 20, ... held out as dev)',
    };
  }
  return {
    trainAll: (await readDataset(path.join(dataRoot, 'stockmark/train.jsonl'))).sentences,
    dev: (await readDataset(path.join(dataRoot, 'stockmark/dev.jsonl'))).sentences,
    dataName: 'stockmark train.jsonl',
  };
}

async function main(): Promise<void> {
  const a = parseArgs(process.argv.slice(2));
  await initBackend({ backend: 'wasm' });
  const { trainAll, dev, dataName } = await loadData(a.data);
  const train = a.limit ? trainAll.slice(0, a.limit) : trainAll;
  const ceilingTrainDev = recallCeiling([...trainAll, ...dev], a.maxWidth);
  const ceilingDev = recallCeiling(dev, a.maxWidth);
  console.log(
    `train ${train.length} dev ${dev.length}; maxWidth ${a.maxWidth}: recall ceiling train+dev ${(ceilingTrainDev * 100).toFixed(2)}% dev ${(ceilingDev * 100).toFixed(2)}%`,
  );

  const { encoder, source } = await buildEncoder(
    a,
    train.map((s) => s.text),
  );
  const outDir = path.join(repoRoot, 'runs/span-supervised', a.runName ?? a.variant);
  const t0 = Date.now();
  const result = await trainSpanTagger({
    train,
    dev,
    encoder,
    features: a.features,
    config: { maxWidth: a.maxWidth, dropout: a.dropout },
    mentionReplace: a.mentionReplace,
    outDir,
    seed: a.seed,
    epochs: a.epochs,
    batchSize: a.batchSize,
    lr: a.lr,
    ...(a.encoderLr !== undefined ? { encoderLr: a.encoderLr } : {}),
    schedule: { warmupFraction: 0.05, decay: 'linear' },
    earlyStoppingPatience: a.patience,
    tuneThresholds: true,
    timeBudgetMinutes: a.minutes,
    resume: a.resume,
    meta: { data: dataName, variant: a.variant, encoder: source },
    onProgress: (p) => {
      if (p.kind === 'step') {
        const l = p.loss!;
        console.log(
          `epoch ${p.epoch} step ${p.step}/${p.totalSteps} lr ${p.lr.toExponential(2)} loss ${l.total.toFixed(4)} (start ${l.start.toFixed(4)} end ${l.end.toFixed(4)} type ${l.type.toFixed(4)}) ${((Date.now() - t0) / 1000).toFixed(0)}s`,
        );
      } else {
        const r = p.record!;
        console.log(
          `== epoch ${r.epoch}: train ${r.trainSeconds.toFixed(0)}s loss ${r.trainLoss.total.toFixed(4)} dev micro F1 ${r.devMicroF1.toFixed(4)} macro ${r.devMacroF1.toFixed(4)}${r.improved ? ' (best)' : ''}`,
        );
      }
    },
  });
  const tagger = result.tagger;
  // Dev with the thresholds chosen on dev (with the epoch) and with the fixed defaults.
  const devScores = await tagger.score(
    dev.map((s) => s.text),
    { startThreshold: 0.05, endThreshold: 0.05, maxCandidatesPerText: 256 },
  );
  const gold = dev.map((s) => s.entities);
  const report = evaluateSpans(
    gold,
    devScores.map((s) => decode(s, tagger.decodeOptions)),
    { types: tagger.types },
  );
  const fixedOptions = { ...DEFAULT_DECODE_OPTIONS, allowNested: tagger.decodeOptions.allowNested };
  const fixedReport = evaluateSpans(
    gold,
    devScores.map((s) => decode(s, fixedOptions)),
    { types: tagger.types },
  );
  const perType = Object.fromEntries(
    Object.entries(report.perType).map(([t, r]) => [
      t,
      { precision: r.precision, recall: r.recall, f1: r.f1, support: r.support },
    ]),
  );
  const trainSecondsPerEpoch =
    result.history.length > 0
      ? result.history.reduce((s, h) => s + h.trainSeconds, 0) / result.history.length
      : null;
  const entry = {
    dev: {
      microF1: report.micro.f1,
      microPrecision: report.micro.precision,
      microRecall: report.micro.recall,
      macroF1: report.macro.f1,
      startAcc: report.boundary.start,
      endAcc: report.boundary.end,
      spanAcc: report.boundary.span,
      untypedF1: report.untyped.f1,
      perType,
    },
    thresholdsSelectedOn: 'dev (grid search after every epoch, together with the epoch)',
    devFixedThresholds: {
      microF1: fixedReport.micro.f1,
      macroF1: fixedReport.macro.f1,
      decode: fixedOptions,
    },
    command:
      `pnpm exec tsx --conditions=@nerima/source bench/span-supervised/train.ts ${process.argv.slice(2).join(' ')}`.trim(),
    commit: gitCommit(),
    date: new Date().toISOString(),
    backend: getBackendInfo(),
    machine: 'shared 2-core VM (other jobs running), Node ' + process.version,
    encoder: source,
    data: a.data,
    features: a.features,
    encoderSwitches: { pretrained: !a.noPretrain, word: !a.noWord, gazetteer: !a.noGazetteer },
    maxWidth: a.maxWidth,
    recallCeiling: ceilingTrainDev,
    recallCeilingDev: ceilingDev,
    decode: tagger.decodeOptions,
    trainSentences: train.length,
    devSentences: dev.length,
    epochs: result.epochsDone,
    bestEpoch: result.bestEpoch,
    stoppedEarly: result.stoppedEarly,
    timedOut: result.timedOut,
    minutesBudget: a.minutes,
    batchSize: a.batchSize,
    lr: a.lr,
    encoderLr: a.encoderLr ?? a.lr,
    mentionReplace: a.mentionReplace,
    dropout: a.dropout,
    encoderDropout: encoder.config.dropout,
    trainSecondsPerEpoch,
    wallSeconds: (Date.now() - t0) / 1000,
    history: result.history,
  };
  console.log(JSON.stringify(entry.dev, null, 2));
  console.log(
    `train s/epoch ${trainSecondsPerEpoch?.toFixed(0)}; dev micro F1 ${report.micro.f1.toFixed(4)} (fixed thresholds ${fixedReport.micro.f1.toFixed(4)})`,
  );
  const resultsPath = a.results ? path.resolve(repoRoot, a.results) : defaultResultsPath;
  if (a.write && !a.limit) {
    let results: Record<string, unknown> = {};
    if (existsSync(resultsPath)) results = JSON.parse(await readFile(resultsPath, 'utf8'));
    if (a.variant === 'main') {
      const { ablations, experiments } = results;
      results = { ...entry, ...(ablations ? { ablations } : {}), ...(experiments ? { experiments } : {}) };
    } else {
      results['ablations'] = { ...(results['ablations'] as object), [a.variant]: entry };
    }
    await writeFileAtomic(resultsPath, `${JSON.stringify(results, null, 2)}\n`);
    console.log(`wrote ${path.relative(repoRoot, resultsPath)}`);
  }
  tagger.dispose();
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
