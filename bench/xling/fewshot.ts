/**
 * Effect of cross-lingual alignment on few-shot NER (issue 6): the meta-core novel-type protocol on
 * Stockmark (meta-train MAML-ProtoNet++ on the fold's train types, test on the same seeded 4-way
 * K-shot episodes of its test types from dev.jsonl) with the pre-trained encoder and with the
 * aligned one; everything else identical (seeds, episodes, budgets). Adds a `fewshot` section to
 * bench/results/xling.json (run bench/xling/run.ts first).
 *
 *   pnpm exec tsx --conditions=@nerima/source bench/xling/fewshot.ts --episodes 100 --train-episodes 800 --minutes 4
 *
 * Options: --base PATH (default models/encoder/encoder.bin), --aligned PATH (default
 * models/xling/encoder.bin), --folds A,B (default A), --shots 5 (comma list), --episodes N (test
 * episodes per fold and setting, default 100), --train-episodes N (default 800), --minutes X
 * (meta-training budget per encoder and fold, default 4), --seed N, --out PATH.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadFrom, repoRoot } from './resolve.js';

type Core = typeof import('../../packages/core/src/index.js');
type Enc = typeof import('../../packages/encoder/src/index.js');
type Evl = typeof import('../../packages/eval/src/index.js');
type Meta = typeof import('../../packages/meta-core/src/index.js');
const { initBackend, readDataset, STOCKMARK_FOLDS, writeJsonAtomic } = await loadFrom<Core>(
  'meta-core',
  '@nerima/core',
);
const { loadEncoder } = await loadFrom<Enc>('meta-core', '@nerima/encoder');
const { runEpisodes } = await loadFrom<Evl>('eval', '@nerima/eval');
const { createMamlProtoNet, FeatureStore, novelTypeEpisodes } = await loadFrom<Meta>(
  'meta-core',
  '@nerima/meta-core',
);

const { values } = parseArgs({
  options: {
    base: { type: 'string' },
    aligned: { type: 'string' },
    folds: { type: 'string' },
    shots: { type: 'string' },
    episodes: { type: 'string' },
    'train-episodes': { type: 'string' },
    minutes: { type: 'string' },
    seed: { type: 'string' },
    out: { type: 'string' },
  },
});
const numeric = (v: string | undefined, fallback: number) => (v === undefined ? fallback : Number(v));
const base = values.base ?? path.join(repoRoot, 'models/encoder/encoder.bin');
const aligned = values.aligned ?? path.join(repoRoot, 'models/xling/encoder.bin');
const folds = (values.folds ?? 'A').split(',') as Array<'A' | 'B'>;
const shots = (values.shots ?? '5').split(',').map(Number);
const episodesPerSetting = numeric(values.episodes, 100);
const trainEpisodes = numeric(values['train-episodes'], 800);
const minutes = numeric(values.minutes, 4);
const seed = numeric(values.seed, 1);
const out = values.out ?? path.join(repoRoot, 'bench/results/xling.json');
const command =
  `pnpm exec tsx --conditions=@nerima/source bench/xling/fewshot.ts ${process.argv.slice(2).join(' ')}`.trim();
const log = (...xs: unknown[]) => console.log(`[${new Date().toISOString().slice(11, 19)}]`, ...xs);

const backend = await initBackend({ backend: 'wasm' });
const dataRoot = process.env['NERIMA_DATA'] ?? path.resolve(repoRoot, '../shared/data');
const train = (await readDataset(path.join(dataRoot, 'stockmark/train.jsonl'))).sentences;
const dev = (await readDataset(path.join(dataRoot, 'stockmark/dev.jsonl'))).sentences;

type Row = {
  macroF1: number;
  macroF1ci95: number | null;
  microF1: number;
  untypedF1: number;
  episodes: number;
};
const results: Record<string, Record<string, Record<string, Row>>> = {}; // encoder → fold → setting
const training: Record<string, Record<string, unknown>> = {};
/** Per-episode macro F1, `encoder/fold/k` → episodes in order (the same episodes for both encoders). */
const perEpisode: Record<string, number[]> = {};
for (const [label, file] of [
  ['pretrained', base],
  ['aligned', aligned],
] as const) {
  if (!existsSync(file)) throw new Error(`${label} encoder ${file} not found`);
  const encoder = await loadEncoder(file);
  const store = new FeatureStore(encoder, { capacity: 50_000 });
  await store.ensure([...train, ...dev].map((s) => s.text));
  log(`${label}: encoded ${store.size} texts`);
  results[label] = {};
  training[label] = {};
  for (const foldName of folds) {
    const fold = STOCKMARK_FOLDS[foldName];
    const learner = await createMamlProtoNet({
      encoder,
      store,
      name: 'full',
      knownTypes: [...fold.train],
      decode: { allowNested: false },
    });
    const r = await learner.metaTrain(train, {
      trainTypes: fold.train,
      n: [2, 3, 4],
      k: [1, 5],
      episodes: trainEpisodes,
      minutes,
      seed: 1000 + seed,
      checkpointDir: path.join(repoRoot, 'runs/xling-fewshot', label, foldName),
      resume: false,
    });
    training[label][foldName] = {
      episodes: r.episodes,
      stoppedBy: r.stoppedBy,
      firstLoss: r.firstLoss,
      lastLoss: r.lastLoss,
    };
    log(
      `${label}/${foldName}: ${r.episodes} meta-training episodes, loss ${r.firstLoss.toFixed(3)} → ${r.lastLoss.toFixed(3)}`,
    );
    const byFold: Record<string, Row> = {};
    for (const k of shots) {
      const episodes = novelTypeEpisodes(dev, fold, { k, count: episodesPerSetting, seed: seed * 1000 + k });
      const run = await runEpisodes(learner, episodes);
      const s = run.summary;
      perEpisode[`${label}/${foldName}/${k}`] = run.episodes.map((e) => e.metrics.macroF1);
      byFold[`4-way ${k}-shot`] = {
        macroF1: s.macroF1.mean,
        macroF1ci95: s.macroF1.ci95,
        microF1: s.microF1.mean,
        untypedF1: s.untypedF1.mean,
        episodes: episodes.length,
      };
      log(
        `${label}/${foldName} 4-way ${k}-shot: macroF1 ${s.macroF1.mean.toFixed(4)} ± ${(s.macroF1.ci95 ?? 0).toFixed(4)}`,
      );
    }
    results[label][foldName] = byFold;
    learner.dispose();
  }
  encoder.dispose();
}

/** Aligned minus pre-trained macro F1 on the same episodes: mean, 95% CI half-width, wins/losses. */
const paired: Record<string, unknown> = {};
for (const foldName of folds) {
  for (const k of shots) {
    const a = perEpisode[`aligned/${foldName}/${k}`] ?? [];
    const b = perEpisode[`pretrained/${foldName}/${k}`] ?? [];
    const d = a.map((x, i) => x - (b[i] ?? 0));
    const mean = d.reduce((x, y) => x + y, 0) / Math.max(1, d.length);
    const sd = Math.sqrt(d.reduce((x, y) => x + (y - mean) ** 2, 0) / Math.max(1, d.length - 1));
    paired[`${foldName} 4-way ${k}-shot`] = {
      meanDifference: mean,
      ci95: (1.96 * sd) / Math.sqrt(Math.max(1, d.length)),
      alignedBetter: d.filter((x) => x > 0).length,
      alignedWorse: d.filter((x) => x < 0).length,
      episodes: d.length,
    };
    log(
      `${foldName} ${k}-shot paired difference (aligned − pretrained):`,
      JSON.stringify(paired[`${foldName} 4-way ${k}-shot`]),
    );
  }
}

const previous = existsSync(out) ? JSON.parse(readFileSync(out, 'utf8')) : {};
previous.fewshot = {
  command,
  date: new Date().toISOString(),
  backend: backend.name,
  protocol:
    'meta-core novel-type protocol on Stockmark: MAML-ProtoNet++ (full) meta-trained on the fold train types of train.jsonl, ' +
    'tested on the same seeded 4-way K-shot episodes of the fold test types from dev.jsonl; frozen encoder features. ' +
    'Only the encoder differs between the two rows.',
  encoders: { pretrained: path.relative(repoRoot, base), aligned: path.relative(repoRoot, aligned) },
  metaTraining: { episodes: trainEpisodes, minutesPerEncoderAndFold: minutes, seed: 1000 + seed },
  training,
  results,
  pairedMacroF1: paired,
};
await writeJsonAtomic(out, previous);
log('wrote', out);
