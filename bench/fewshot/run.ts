/**
 * Few-shot novel-type benchmark on Stockmark (issue 4): folds A and B, 4-way 1-shot and 5-shot,
 * the same seeded test episodes (dev.jsonl only, the fold's test types) for every method; writes
 * bench/results/fewshot.json.
 *
 *   pnpm exec tsx --conditions=@nerima/source bench/fewshot/run.ts --episodes 500
 *
 * Options:
 *   --episodes N          test episodes per fold and setting (default 500)
 *   --train-episodes N    meta-training episodes per meta-learner (default 3000)
 *   --minutes X           meta-training budget per meta-learner and fold (also caps pre-training)
 *   --pretrain-epochs N   supervised pre-training passes of the fine-tuning / NNShot model (default 3)
 *   --folds A,B  --shots 1,5  --seed N (episode seed, default 1)
 *   --methods full,noControl,noMaml,noPrototypes,protoOnly,mamlOnly,protoMaml,finetune,nnshot,nnspan,lexicon
 *   --order 1|2           MAML order of the meta-learners (default 1)
 *   --encoder PATH        saved encoder (default models/encoder/encoder.bin when present, else a
 *                         randomly initialised encoder with vocabularies from train.jsonl)
 *   --model JSON          extra model options for the meta-learners (e.g. '{"innerSteps":5}')
 *   --no-gazetteer        no KB gazetteer features (default: on when ../shared/data/kb/entities.jsonl exists;
 *                         the encoder file has no gazetteer weights, so its projection is a fixed random one)
 *   --no-known            no known-type (train type) prototypes
 *   --nested              decode nested spans (off: Stockmark has none)
 *   --reuse               load runs/fewshot/<fold>/<method>/model.json (and supervised/model.json) when present
 *                         instead of training
 *   --tag NAME            keep trained models under runs/fewshot/NAME/ (default runs/fewshot/)
 *   --merge               keep the other methods' results already in the results file
 *   --augment M1,M2       also run each listed method as `<method>+augment`: its support set is
 *                         augmented (@nerima/augment: mention swap from the KB and the support's own
 *                         mentions, context change; structure + similarity filter) before it adapts
 *   --test-mentions M     keep (default, the protocol of bench/results/fewshot.json: they stay in,
 *                         unlabelled, so they are taught as non-entities) | drop: training sentences
 *                         that contain a mention of one of the fold's test types are left out of
 *                         every method's training data | mask: the meta-learners train on every sentence
 *                         with those mentions masked from the boundary loss (the baselines get the dropped set)
 *   --distant N           meta-learners also train on N silver sentences from ../shared/data/unlabeled
 *                         (rule types + KB names, meta-core distant/: types of the fold's test types
 *                         dropped, one-to-one training types merged, the rest new training types)
 *                         and on rule mentions added to the labelled training sentences
 *   --distant-rate R      share of unlabelled lines considered, seeded (default 0.05)
 *   --out PATH            results file (default bench/results/fewshot.json); --no-write to skip
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Episode, FewShotLearner, Sentence } from '../../packages/core/src/index.js';
import type { MetaModelOptions } from '../../packages/meta-core/src/index.js';
import { distantTrainingData } from './distant.js';
import { averageFolds, type Summary } from './fold-average.js';
import { aug, core, enc, evl, meta, tf } from './resolve.js';
import { dataRoot, gitCommit, kbPath, repoRoot } from './setup.js';

const { initBackend, readDataset, STOCKMARK_FOLDS, writeFileAtomic } = core;
const {
  createMamlProtoNet,
  loadMamlProtoNet,
  FineTuneLearner,
  NNShotLearner,
  NNSpanLearner,
  FeatureStore,
  VARIANTS,
  novelTypeEpisodes,
  foldTrainingSentences: trainingSentences,
} = meta;
const { runEpisodes, LexiconLearner } = evl;

const ALL_METHODS = [
  'full',
  'noControl',
  'noMaml',
  'noPrototypes',
  'protoOnly',
  'mamlOnly',
  'protoMaml',
  'finetune',
  'nnshot',
  'nnspan',
  'lexicon',
] as const;
type Method = (typeof ALL_METHODS)[number];
const META_METHODS = new Set<Method>([
  'full',
  'noControl',
  'noMaml',
  'noPrototypes',
  'protoOnly',
  'mamlOnly',
  'protoMaml',
]);
const LABELS: Record<Method, string> = {
  full: 'MAML-ProtoNet++ (MAML + prototypes + control network)',
  noControl: 'ablation: without control network',
  noMaml: 'ablation: without MAML (prototypes + control network)',
  noPrototypes: 'ablation: without prototypes (MAML + control network, linear head)',
  protoOnly: 'baseline: prototypes only (span ProtoNet)',
  mamlOnly: 'baseline: MAML only (linear head from zero)',
  protoMaml: 'MAML-ProtoNet++ with a Proto-MAML head (prototypes initialise a linear head adapted by MAML)',
  finetune: 'baseline: supervised span model fine-tuned on the support',
  nnshot: 'baseline: NNShot (nearest support character, supervised features)',
  nnspan:
    'baseline: nearest-neighbour spans (nearest support mention or non-mention span, supervised features)',
  lexicon: 'baseline: lexicon (exact string match of support mentions)',
};

function labelOf(method: string): string {
  const base = method.replace(/\+augment$/, '') as Method;
  const label = LABELS[base] ?? method;
  return method.endsWith('+augment') ? `${label}, support augmented (${AUGMENT_LABEL})` : label;
}

const AUGMENT_LABEL =
  'mention swap from the KB and the support mentions + context change, 4 candidates per sentence and generator, structure + similarity filter';

function testMentionsArg(v: string | undefined): 'drop' | 'keep' | 'mask' {
  if (v === undefined) return 'keep';
  if (v === 'drop' || v === 'keep' || v === 'mask') return v;
  throw new Error(`--test-mentions must be drop, keep or mask, got ${v}`);
}

function parseArgs(argv: string[]) {
  const get = (name: string): string | undefined => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const num = (name: string, dflt: number | undefined): number | undefined => {
    const v = get(name);
    if (v === undefined) return dflt;
    const x = Number(v);
    if (!Number.isFinite(x) || x <= 0) throw new Error(`--${name} must be a positive number, got ${v}`);
    return x;
  };
  const methods = (get('methods') ?? ALL_METHODS.join(',')).split(',') as Method[];
  for (const m of (get('augment') ?? '').split(',').filter(Boolean))
    if (!methods.includes(m as Method))
      throw new Error(`--augment: ${m} is not among --methods (${methods.join(', ')})`);
  for (const m of methods)
    if (!ALL_METHODS.includes(m))
      throw new Error(`--methods: unknown method ${m} (know ${ALL_METHODS.join(', ')})`);
  const folds = (get('folds') ?? 'A,B').split(',') as Array<'A' | 'B'>;
  for (const f of folds) if (f !== 'A' && f !== 'B') throw new Error(`--folds: unknown fold ${f} (A or B)`);
  const order = Number(get('order') ?? 1);
  if (order !== 1 && order !== 2) throw new Error(`--order must be 1 or 2, got ${order}`);
  return {
    episodes: num('episodes', 500) as number,
    trainEpisodes: num('train-episodes', 3000) as number,
    minutes: num('minutes', undefined),
    pretrainEpochs: num('pretrain-epochs', 3) as number,
    folds,
    shots: (get('shots') ?? '1,5').split(',').map(Number),
    seed: num('seed', 1) as number,
    methods,
    order: order as 1 | 2,
    encoder: get('encoder'),
    reuse: argv.includes('--reuse'),
    merge: argv.includes('--merge'),
    augment: (get('augment') ?? '').split(',').filter(Boolean) as Method[],
    tag: get('tag') ?? '',
    nested: argv.includes('--nested'),
    modelOptions: JSON.parse(get('model') ?? '{}') as MetaModelOptions,
    noKnown: argv.includes('--no-known'),
    testMentions: testMentionsArg(get('test-mentions')),
    noGazetteer: argv.includes('--no-gazetteer'),
    distant: get('distant') === undefined ? 0 : (num('distant', 0) as number),
    distantRate: num('distant-rate', 0.05) as number,
    out: get('out') ?? path.join(repoRoot, 'bench/results/fewshot.json'),
    write: !argv.includes('--no-write'),
  };
}

const args = parseArgs(process.argv.slice(2));
const command =
  `pnpm exec tsx --conditions=@nerima/source bench/fewshot/run.ts ${process.argv.slice(2).join(' ')}`.trim();
const log = (...xs: unknown[]) => console.log(`[${new Date().toISOString().slice(11, 19)}]`, ...xs);

const backend = await initBackend();
log('backend', backend);
const allTrain = (await readDataset(path.join(dataRoot, 'stockmark/train.jsonl'))).sentences;
const dev = (await readDataset(path.join(dataRoot, 'stockmark/dev.jsonl'))).sentences;

// Data-backed span cues (models/vectors, the KB): registered when there, used by models whose
// config names them (--model '{"spanCues":["vectors","kb"]}').
const vectorsPath = path.join(repoRoot, 'models/vectors/vectors.bin');
const cues = await meta.loadSpanCues({
  ...(existsSync(vectorsPath) ? { vectors: vectorsPath } : {}),
  ...(existsSync(kbPath) ? { kb: kbPath } : {}),
});
log('span cues', cues.map((c) => `${c.name} (${c.dim})`).join(', ') || 'none');
const encoderPath = args.encoder ?? path.join(repoRoot, 'models/encoder/encoder.bin');
const pretrainedEncoder = existsSync(encoderPath);
const useGazetteer = !args.noGazetteer && existsSync(kbPath);
const gazetteer = useGazetteer ? { kbPath } : false;
const encoder = pretrainedEncoder
  ? await enc.createEncoder({ from: encoderPath, gazetteer })
  : await enc.createEncoder({ texts: allTrain.map((s: Sentence) => s.text), gazetteer });
log(
  'encoder',
  pretrainedEncoder ? encoderPath : 'random init (no pre-trained file found)',
  'dim',
  encoder.dim,
);
const store = new FeatureStore(encoder, { capacity: 50_000 });
let t = performance.now();
await store.ensure(
  [...allTrain, ...dev].map((s) => s.text),
  (done, total) => {
    if (done % 640 === 0 || done === total) log(`encoding ${done}/${total}`);
  },
);
const encodeMs = performance.now() - t;
log(
  `encoded ${store.size} texts in ${(encodeMs / 1000).toFixed(0)} s, cache ${(store.bytes / 1e6).toFixed(0)} MB`,
);

type MetricName =
  | 'macroF1'
  | 'microF1'
  | 'startAccuracy'
  | 'endAccuracy'
  | 'spanAccuracy'
  | 'untypedF1'
  | 'adaptMs'
  | 'predictMs'
  | 'untypedPrecision'
  | 'untypedRecall'
  | 'typingAccuracy';
const METRICS: MetricName[] = [
  'macroF1',
  'microF1',
  'startAccuracy',
  'endAccuracy',
  'spanAccuracy',
  'untypedF1',
  'adaptMs',
  'predictMs',
  'untypedPrecision',
  'untypedRecall',
  'typingAccuracy',
];
// Pooled over the fold's episodes (no per-episode CI): untyped span precision / recall, and the
// share of the spans found with exact gold boundaries that also get the gold type.
const POOLED: ReadonlySet<MetricName> = new Set(['untypedPrecision', 'untypedRecall', 'typingAccuracy']);
function pooledMetrics(p: { micro: { tp: number }; untyped: { tp: number; fp: number; fn: number } }) {
  const u = p.untyped;
  const ratio = (a: number, b: number) => (b > 0 ? a / b : 0);
  return {
    untypedPrecision: { mean: ratio(u.tp, u.tp + u.fp), ci95: null },
    untypedRecall: { mean: ratio(u.tp, u.tp + u.fn), ci95: null },
    typingAccuracy: { mean: ratio(p.micro.tp, u.tp), ci95: null },
  };
}
type FoldResult = Record<MetricName, Summary> & { episodes: number }; // fold-average's, with our metrics
const results: Record<string, Record<string, Record<string, FoldResult>>> = {}; // setting → method → fold → result
const training: Record<string, Record<string, unknown>> = {};
// --merge: keep the methods and folds of an earlier results file that this run does not redo.
const earlierCommands: string[] = [];
if (args.merge && existsSync(args.out)) {
  const old = JSON.parse(await readFile(args.out, 'utf8'));
  earlierCommands.push(...(old.commands ?? [old.command]));
  for (const [setting, byMethod] of Object.entries(old.settings ?? {}) as Array<
    [string, Record<string, { folds: Record<string, FoldResult> }>]
  >) {
    for (const [method, r] of Object.entries(byMethod)) {
      results[setting] ??= {};
      results[setting][method] = { ...r.folds };
    }
  }
  Object.assign(training, old.training ?? {});
}
let peakRss = process.memoryUsage().rss;

const baseOptions: MetaModelOptions = { order: args.order, ...args.modelOptions };
// Stockmark has no nested or overlapping mentions: decode flat (overlaps resolved by score).
const decode = { allowNested: args.nested };

// --augment: the swap draws from the KB and (by default) the support's own mentions; no tagger
// filter stages, because every tagger we have was trained on the test types or does not know them.
const kbLexicon =
  args.augment.length > 0 && existsSync(kbPath) ? (await aug.loadKbLexicon(kbPath)).lexicon : undefined;
/** Counts of support sentences augmented and candidates generated / kept (kept in `training`). */
interface AugmentCounts {
  supports: number;
  sentences: number;
  generated: number;
  kept: number;
}
function augmented(inner: FewShotLearner, counts: AugmentCounts): FewShotLearner {
  const name = `${inner.name}+augment`;
  return aug.withAugmentation(inner, {
    name,
    generators: [
      aug.createMentionSwap({ lexicons: kbLexicon ? [kbLexicon] : [] }),
      aug.createContextChange(),
    ],
    perSentence: 4,
    seed: args.seed,
    filter: { confidence: false, consistency: false },
    onAugment: (r, support) => {
      counts.supports++;
      counts.sentences += support.length;
      counts.generated += r.report.generated;
      counts.kept += r.report.kept;
    },
  });
}

async function writeResults(final: boolean): Promise<void> {
  const settings: Record<string, unknown> = {};
  for (const [setting, byMethod] of Object.entries(results)) {
    const methods: Record<string, unknown> = {};
    for (const [method, byFold] of Object.entries(byMethod)) {
      methods[method] = { label: labelOf(method), ...averageFolds(byFold, METRICS) };
    }
    settings[setting] = methods;
  }
  const out = {
    benchmark: 'fewshot',
    description:
      'Novel-type few-shot NER on Stockmark Wikipedia NER: meta-train on train.jsonl restricted to the fold train types, test on seeded N-way K-shot episodes of the fold test types drawn from dev.jsonl only (core sampleEpisodes, Few-NERD greedy); the same episodes for every method. Averages are the mean of the fold means; ci95 is the 95% CI half-width over episodes (fold CIs combined in quadrature).',
    command,
    ...(earlierCommands.length ? { commands: [...earlierCommands, command] } : {}),
    commit: gitCommit(),
    date: new Date().toISOString(),
    backend: `${backend.name}${backend.simd ? ' (simd)' : ''}${backend.threads ? `, ${backend.threads} thread(s)` : ''}`,
    complete: final,
    encoder: {
      file: pretrainedEncoder ? path.relative(repoRoot, encoderPath) : null,
      pretrained: pretrainedEncoder,
      gazetteer: useGazetteer,
      dim: encoder.dim,
      frozen: true,
    },
    protocol: {
      folds: Object.fromEntries(args.folds.map((f) => [f, STOCKMARK_FOLDS[f]])),
      shots: args.shots,
      n: 4,
      episodesPerFoldAndSetting: args.episodes,
      episodeSeed: args.seed,
      testTypeMentionsInTraining:
        args.testMentions === 'drop'
          ? 'dropped: training sentences with a mention of a fold test type are left out of every method'
          : args.testMentions === 'mask'
            ? "masked: the meta-learners train on every training sentence, with the fold test types' mentions left out of the boundary loss (metaTrain otherTypes: mask); the baselines train on the dropped sentences"
            : 'kept, unlabelled (taught as non-entities)',
      metaTraining: {
        ...(args.distant > 0
          ? {
              distant: {
                sentences: args.distant,
                rate: args.distantRate,
                source: 'unlabeled/*.txt, rules + kb',
              },
            }
          : {}),
        episodes: args.trainEpisodes,
        minutesPerLearner: args.minutes ?? null,
        n: [2, 3, 4],
        k: [1, 5],
        order: args.order,
      },
    },
    encodeMs,
    peakRssBytes: peakRss,
    ...(args.augment.length
      ? { augmentation: { description: AUGMENT_LABEL, kb: kbLexicon !== undefined } }
      : {}),
    training,
    settings,
  };
  if (args.write) await writeFileAtomic(args.out, `${JSON.stringify(out, null, 2)}\n`);
}

for (const foldName of args.folds) {
  const fold = STOCKMARK_FOLDS[foldName];
  training[foldName] ??= {};
  const train = trainingSentences(allTrain, fold, args.testMentions === 'keep' ? 'keep' : 'drop');
  training[foldName].trainingSentences = train.length;
  // --distant: the meta-learners' training data and types (the baselines keep `train`);
  // --test-mentions mask: every sentence, the test types' mentions masked from the loss.
  let metaTrainData: Sentence[] = args.testMentions === 'mask' ? [...allTrain] : train;
  if (args.testMentions === 'mask') training[foldName].metaTrainingSentences = metaTrainData.length;
  let metaTrainTypes: string[] = [...fold.train];
  if (args.distant > 0) {
    if (args.testMentions === 'mask') throw new Error('--distant does not combine with --test-mentions mask');
    const d = await distantTrainingData(train, fold, {
      dataRoot,
      kbPath,
      limit: args.distant,
      rate: args.distantRate,
      seed: args.seed,
    });
    metaTrainData = d.sentences;
    metaTrainTypes = d.trainTypes;
    training[foldName].distant = { ...d.report, trainTypes: d.trainTypes, sentences: d.sentences.length };
    log(`${foldName}: distant`, JSON.stringify(training[foldName].distant));
    await store.ensure(metaTrainData.map((s) => s.text));
  }
  const learners: Array<{ method: string; learner: FewShotLearner; dispose: () => void }> = [];
  let finetune: InstanceType<typeof FineTuneLearner> | null = null;
  for (const method of args.methods) {
    if (META_METHODS.has(method)) {
      const dir = path.join(repoRoot, 'runs/fewshot', args.tag, foldName, method);
      const modelPath = path.join(dir, 'model.json');
      let learner: Awaited<ReturnType<typeof createMamlProtoNet>>;
      if (args.reuse && existsSync(modelPath)) {
        learner = await loadMamlProtoNet(modelPath, { encoder, store, name: method, decode });
        log(`${foldName}/${method}: loaded ${path.relative(repoRoot, modelPath)}`);
        training[foldName][method] = { reused: path.relative(repoRoot, modelPath) };
      } else {
        learner = await createMamlProtoNet({
          encoder,
          store,
          name: method,
          knownTypes: args.noKnown ? [] : metaTrainTypes,
          decode,
          ...baseOptions,
          ...VARIANTS[method as keyof typeof VARIANTS],
        });
        t = performance.now();
        const r = await learner.metaTrain(metaTrainData, {
          trainTypes: metaTrainTypes,
          n: [2, 3, 4],
          k: [1, 5],
          episodes: args.trainEpisodes,
          minutes: args.minutes,
          seed: 1000 + args.seed,
          checkpointDir: dir,
          checkpointEvery: 200,
          otherTypes: args.testMentions === 'mask' ? 'mask' : 'negative',
          onProgress: (p) => {
            if (p.episode % 100 === 0) {
              log(
                `${foldName}/${method} ep ${p.episode} loss ${p.loss.toFixed(3)} inner ${p.innerLosses.map((x) => x.toFixed(2)).join('→')} lr ${p.control.lrs.map((x) => x.toFixed(3)).join(',')} scale ${p.control.scale.toFixed(2)} levels ${p.control.levelWeights.map((x) => x.toFixed(2)).join(',')} ${p.ms.toFixed(0)}ms`,
              );
            }
          },
        });
        await learner.save(modelPath);
        peakRss = Math.max(peakRss, r.peakRssBytes);
        training[foldName][method] = {
          episodes: r.episodes,
          skipped: r.skipped,
          stoppedBy: r.stoppedBy,
          firstLoss: r.firstLoss,
          lastLoss: r.lastLoss,
          minutes: r.elapsedMs / 60_000,
          msPerEpisode: r.elapsedMs / Math.max(1, r.episodes - r.resumedFrom),
          peakRssBytes: r.peakRssBytes,
          peakTensorBytes: r.peakTensorBytes,
          config: learner.config,
        };
        log(
          `${foldName}/${method}: ${r.episodes} episodes in ${(r.elapsedMs / 60_000).toFixed(1)} min, loss ${r.firstLoss.toFixed(3)} → ${r.lastLoss.toFixed(3)}`,
        );
      }
      learners.push({ method, learner, dispose: () => learner.dispose() });
    } else if (method === 'finetune' || method === 'nnshot' || method === 'nnspan') {
      const supervisedPath = path.join(
        repoRoot,
        'runs/fewshot',
        args.tag,
        foldName,
        'supervised',
        'model.json',
      );
      if (!finetune && args.reuse && existsSync(supervisedPath)) {
        finetune = new FineTuneLearner({ encoder, store, name: 'finetune', decode });
        await finetune.load(supervisedPath);
        training[foldName]['supervised'] = { reused: path.relative(repoRoot, supervisedPath) };
        log(`${foldName}/supervised: loaded ${path.relative(repoRoot, supervisedPath)}`);
      }
      if (!finetune) {
        finetune = new FineTuneLearner({ encoder, store, name: 'finetune', decode });
        t = performance.now();
        const r = await finetune.pretrain(train, {
          trainTypes: fold.train,
          epochs: args.pretrainEpochs,
          minutes: args.minutes,
          seed: 2000 + args.seed,
          onProgress: (p) => {
            if (p.step % 100 === 0)
              log(`${foldName}/supervised step ${p.step} epoch ${p.epoch} loss ${p.loss.toFixed(3)}`);
          },
        });
        peakRss = Math.max(peakRss, process.memoryUsage().rss);
        training[foldName]['supervised'] = { ...r, minutes: r.elapsedMs / 60_000 };
        await finetune.save(supervisedPath);
        log(
          `${foldName}/supervised: ${r.steps} steps, loss ${r.firstLoss.toFixed(3)} → ${r.lastLoss.toFixed(3)}`,
        );
      }
      const ft = finetune;
      const learner =
        method === 'finetune'
          ? ft
          : method === 'nnshot'
            ? new NNShotLearner(ft, 'nnshot')
            : new NNSpanLearner(ft, {}, 'nnspan');
      learners.push({ method, learner, dispose: () => {} });
    } else {
      learners.push({ method, learner: new LexiconLearner(), dispose: () => {} });
    }
  }

  for (const method of args.augment) {
    const inner = learners.find((l) => l.method === method);
    if (!inner) continue;
    const counts: AugmentCounts = { supports: 0, sentences: 0, generated: 0, kept: 0 };
    training[foldName][`${method}+augment`] = { augmentation: counts };
    learners.push({
      method: `${method}+augment`,
      learner: augmented(inner.learner, counts),
      dispose: () => {},
    });
  }

  for (const k of args.shots) {
    const setting = `4-way ${k}-shot`;
    results[setting] ??= {};
    const episodes: Episode[] = novelTypeEpisodes(dev, fold, {
      k,
      count: args.episodes,
      seed: args.seed * 1000 + k,
    });
    for (const { method, learner } of learners) {
      t = performance.now();
      const before = tf.memory().numTensors;
      const r = await runEpisodes(learner, episodes);
      const leaked = tf.memory().numTensors - before;
      const s = r.summary;
      const fr = {
        ...Object.fromEntries(
          METRICS.filter((m) => !POOLED.has(m)).map((m) => {
            const x = s[m as keyof typeof s];
            return [m, { mean: x.mean, ci95: x.ci95 }];
          }),
        ),
        ...pooledMetrics(r.pooled),
      } as Record<MetricName, Summary>;
      results[setting][method] ??= {};
      results[setting][method][foldName] = { ...fr, episodes: episodes.length };
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
      log(
        `${foldName} ${setting} ${method}: macroF1 ${fr.macroF1.mean.toFixed(3)} ± ${(fr.macroF1.ci95 ?? 0).toFixed(3)} microF1 ${fr.microF1.mean.toFixed(3)} untyped ${fr.untypedF1.mean.toFixed(3)} (P ${fr.untypedPrecision.mean.toFixed(3)} R ${fr.untypedRecall.mean.toFixed(3)}) typing ${fr.typingAccuracy.mean.toFixed(3)} start ${fr.startAccuracy.mean.toFixed(3)} end ${fr.endAccuracy.mean.toFixed(3)} adapt ${fr.adaptMs.mean.toFixed(0)}ms (${((performance.now() - t) / 1000).toFixed(0)} s${leaked ? `, ${leaked} tensors leaked` : ''})`,
      );
      await writeResults(false);
    }
  }
  for (const l of learners) l.dispose();
  finetune?.dispose();
}
await writeResults(true);
log(args.write ? `wrote ${path.relative(repoRoot, args.out)}` : 'done (--no-write: no results file)');
