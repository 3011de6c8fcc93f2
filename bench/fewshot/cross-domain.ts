/**
 * Cross-domain few-shot benchmark (issue 4's protocol): meta-train on all eight Stockmark types
 * (Wikipedia), then test on the types of other domains in ../shared/data: UD Japanese GSD with
 * Megagon NE labels (mixed web text, 22 OntoNotes-style types, 4-way episodes over random types)
 * and JMED-LLM medical-report NER (3 types, 3-way). The domain's type names get a prefix
 * (`gsd:PERSON`), so a type that shares a name with a Stockmark type is still a new type to the
 * learners (its definition differs). Types found in fewer than 20 sentences are left out (unlabelled):
 * they cannot fill a 5-shot support and query set; N is at most the number of types left. Writes bench/results/fewshot-cross-domain.json.
 *
 *   pnpm exec tsx --conditions=@nerima/source bench/fewshot/cross-domain.ts --episodes 100
 *
 * Options: --episodes N (per domain and setting, default 100), --shots 1,5, --minutes X
 * (meta-training / pre-training budget, default 8), --train-episodes N (default 1000), --reuse
 * (load runs/fewshot/cross/<method>/model.json when present), --out PATH, --methods full,finetune,nnspan,lexicon
 * (default all), --model JSON (extra MAML-ProtoNet++ options, e.g. '{"spanCues":["vectors","kb"],"typeBy":"cues"}';
 * named span cues are loaded from models/vectors/vectors.bin and ../shared/data/kb/entities.jsonl),
 * --tag NAME (models under runs/fewshot/cross/NAME/).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Episode, FewShotLearner, Sentence } from '../../packages/core/src/index.js';
import { core, evl, meta } from './resolve.js';
import { dataRoot, gitCommit, loadRepoEncoder, repoRoot } from './setup.js';

const argv = process.argv.slice(2);
const get = (name: string): string | undefined => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : undefined;
};
const episodesPer = Number(get('episodes') ?? 100);
const shots = (get('shots') ?? '1,5').split(',').map(Number);
const minutes = Number(get('minutes') ?? 8);
const trainEpisodes = Number(get('train-episodes') ?? 1000);
const reuse = argv.includes('--reuse');
const out = get('out') ?? path.join(repoRoot, 'bench/results/fewshot-cross-domain.json');
const methods = (get('methods') ?? 'full,finetune,nnspan,lexicon').split(',');
const modelOptions = JSON.parse(get('model') ?? '{}') as Record<string, unknown>;
const tag = get('tag') ?? '';
const log = (...xs: unknown[]) => console.log(`[${new Date().toISOString().slice(11, 19)}]`, ...xs);

const MIN_SENTENCES = 20;
const DOMAINS = [
  { name: 'gsd', file: 'gsd_ne/sample.jsonl', n: 4, about: 'UD Japanese GSD + Megagon NE (mixed web text)' },
  { name: 'jmed', file: 'jmed_mrner/sample.jsonl', n: 3, about: 'JMED-LLM medical reports (silver spans)' },
] as const;

const backend = await core.initBackend();
const train = (await core.readDataset(path.join(dataRoot, 'stockmark/train.jsonl'))).sentences;
const encoder = await loadRepoEncoder();
const store = new meta.FeatureStore(encoder, { capacity: 50_000 });
const decode = { allowNested: false };
const allTypes = [...core.STOCKMARK_TYPES];

/** The domain's sentences with prefixed type names. */
async function domainSentences(name: string, file: string): Promise<Sentence[]> {
  const { sentences } = await core.readDataset(path.join(dataRoot, file));
  return sentences.map((s: Sentence) => ({
    ...s,
    entities: s.entities.map((e) => ({ ...e, type: `${name}:${e.type}` })),
  }));
}

// Learners: MAML-ProtoNet++ meta-trained on all Stockmark types; the supervised span model behind
// the fine-tuning and nearest-neighbour-span baselines; the lexicon baseline.
const dir = (m: string) => path.join(repoRoot, 'runs/fewshot/cross', tag, m);
const cueNames = (modelOptions['spanCues'] as string[] | undefined) ?? [];
if (cueNames.length > 0)
  await meta.loadSpanCues({
    ...(cueNames.includes('vectors') ? { vectors: path.join(repoRoot, 'models/vectors/vectors.bin') } : {}),
    ...(cueNames.includes('kb') ? { kb: path.join(dataRoot, 'kb/entities.jsonl') } : {}),
  });
const training: Record<string, unknown> = {};
const fullPath = path.join(dir('full'), 'model.json');
let full: Awaited<ReturnType<typeof meta.createMamlProtoNet>>;
if (reuse && existsSync(fullPath)) {
  full = await meta.loadMamlProtoNet(fullPath, { encoder, store, name: 'full', decode });
  training['full'] = { reused: path.relative(repoRoot, fullPath) };
} else {
  full = await meta.createMamlProtoNet({
    encoder,
    store,
    name: 'full',
    knownTypes: allTypes,
    decode,
    ...meta.VARIANTS.full,
    ...modelOptions,
  });
  const r = await full.metaTrain(train, {
    trainTypes: allTypes,
    n: [2, 3, 4],
    k: [1, 5],
    episodes: trainEpisodes,
    minutes,
    seed: 1001,
    checkpointDir: dir('full'),
    checkpointEvery: 200,
    onProgress: (p) => {
      if (p.episode % 100 === 0) log(`full ep ${p.episode} loss ${p.loss.toFixed(3)}`);
    },
  });
  await full.save(fullPath);
  training['full'] = r;
}
const supervisedPath = path.join(dir('supervised'), 'model.json');
const finetune = new meta.FineTuneLearner({ encoder, store, name: 'finetune', decode });
const needsSupervised = methods.includes('finetune') || methods.includes('nnspan');
if (!needsSupervised) {
  // Only the listed methods run; the supervised model is not needed.
} else if (reuse && existsSync(supervisedPath)) {
  await finetune.load(supervisedPath);
  training['supervised'] = { reused: path.relative(repoRoot, supervisedPath) };
} else {
  training['supervised'] = await finetune.pretrain(train, {
    trainTypes: allTypes,
    epochs: 3,
    minutes,
    seed: 2001,
  });
  await finetune.save(supervisedPath);
}
const learners = (
  [
    ['full', full],
    ['finetune', finetune],
    ['nnspan', new meta.NNSpanLearner(finetune, {}, 'nnspan')],
    ['lexicon', new evl.LexiconLearner()],
  ] as Array<[string, FewShotLearner]>
).filter(([name]) => methods.includes(name));

interface Summary {
  mean: number;
  ci95: number | null;
}
const METRICS = ['macroF1', 'microF1', 'untypedF1', 'startAccuracy', 'endAccuracy', 'adaptMs'] as const;
const results: Record<
  string,
  Record<string, Record<string, Record<string, Summary> & { episodes: number }>>
> = {};
const domainsInfo: Record<string, unknown> = {};
for (const d of DOMAINS) {
  const file = path.join(dataRoot, d.file);
  if (!existsSync(file)) {
    log(`${d.name}: ${file} not found, skipped`);
    continue;
  }
  const all = await domainSentences(d.name, d.file);
  // Types in at least MIN_SENTENCES sentences: rarer ones cannot fill 5-shot support + query sets.
  const sentencesWith = new Map<string, number>();
  for (const s of all) {
    for (const t of new Set(s.entities.map((e) => e.type)))
      sentencesWith.set(t, (sentencesWith.get(t) ?? 0) + 1);
  }
  const types = [...sentencesWith]
    .filter(([, c]) => c >= MIN_SENTENCES)
    .map(([t]) => t)
    .sort();
  const keep = new Set(types);
  const sentences = all.map((s) => ({ ...s, entities: s.entities.filter((e) => keep.has(e.type)) }));
  const n = Math.min(d.n, types.length);
  domainsInfo[d.name] = {
    file: d.file,
    about: d.about,
    sentences: sentences.length,
    types,
    rareTypesLeftOut: [...sentencesWith]
      .filter(([, c]) => c < MIN_SENTENCES)
      .map(([t, c]) => `${t} (${c} sentences)`),
    n,
  };
  const byDomain: (typeof results)[string] = {};
  results[d.name] = byDomain;
  for (const k of shots) {
    const setting = `${n}-way ${k}-shot`;
    const episodes: Episode[] = meta.novelTypeEpisodes(
      sentences,
      { train: allTypes, test: types },
      { n, k, count: episodesPer, seed: 1000 + k },
    );
    const bySetting: Record<string, Record<string, Summary> & { episodes: number }> = {};
    byDomain[setting] = bySetting;
    for (const [name, learner] of learners) {
      const t = performance.now();
      const r = await evl.runEpisodes(learner, episodes);
      const s = r.summary as unknown as Record<string, Summary>;
      bySetting[name] = {
        ...Object.fromEntries(METRICS.map((m) => [m, { mean: s[m]?.mean ?? 0, ci95: s[m]?.ci95 ?? null }])),
        episodes: episodes.length,
      } as Record<string, Summary> & { episodes: number };
      log(
        `${d.name} ${setting} ${name}: macroF1 ${(s['macroF1']?.mean ?? 0).toFixed(3)} ± ${(s['macroF1']?.ci95 ?? 0).toFixed(3)} untyped ${(s['untypedF1']?.mean ?? 0).toFixed(3)} (${((performance.now() - t) / 1000).toFixed(0)} s)`,
      );
    }
  }
}

await core.writeFileAtomic(
  out,
  `${JSON.stringify(
    {
      benchmark: 'fewshot-cross-domain',
      description:
        'Meta-train on all 8 Stockmark Wikipedia types (train.jsonl); test on seeded N-way K-shot episodes of another domain (support and query from that domain, types prefixed with the domain name); the same episodes for every method. ci95: 95% CI half-width over episodes.',
      command:
        `pnpm exec tsx --conditions=@nerima/source bench/fewshot/cross-domain.ts ${argv.join(' ')}`.trim(),
      commit: gitCommit(),
      date: new Date().toISOString(),
      backend: `${backend.name}${backend.simd ? ' (simd)' : ''}`,
      encoder: 'models/encoder/encoder.bin (frozen), KB gazetteer',
      metaTraining: {
        episodes: trainEpisodes,
        minutes,
        n: [2, 3, 4],
        k: [1, 5],
        trainTypes: allTypes,
        modelOptions,
      },
      training,
      domains: domainsInfo,
      results,
    },
    null,
    2,
  )}\n`,
);
log(`wrote ${path.relative(repoRoot, out)}`);
