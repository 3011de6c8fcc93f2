/**
 * Costs (run after run.ts; merges into bench/results/fewshot.json):
 * - `orderTiming`: meta-training ms per episode and peak memory of the same learner (fold A train
 *   types, same episodes) with first- and second-order MAML;
 * - `adaptLatency`: `adapt()` wall time on fold A 4-way 5-shot supports, warm (features cached) and
 *   cold (a fresh feature cache: kuromoji + encoder run on the support texts, as for a new request).
 *
 *   pnpm exec tsx --conditions=@nerima/source bench/fewshot/costs.ts --episodes 40
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { core, meta } from './resolve.js';
import { dataRoot, loadRepoEncoder, repoRoot } from './setup.js';

const argv = process.argv.slice(2);
const i = argv.indexOf('--episodes');
const episodes = i >= 0 ? Number(argv[i + 1]) : 40;
const backend = await core.initBackend();
const train = (await core.readDataset(path.join(dataRoot, 'stockmark/train.jsonl'))).sentences;
const encoder = await loadRepoEncoder();
const store = new meta.FeatureStore(encoder);
const fold = core.STOCKMARK_FOLDS.A;
const out: Record<string, unknown> = {};
for (const order of [1, 2] as const) {
  const learner = await meta.createMamlProtoNet({ encoder, store, order, knownTypes: fold.train });
  const times: number[] = [];
  const r = await learner.metaTrain(train, {
    trainTypes: fold.train,
    n: [2, 3, 4],
    k: [1, 5],
    episodes,
    seed: 7,
    onProgress: (p) => times.push(p.ms),
  });
  const steady = times.slice(5);
  out[`order${order}`] = {
    msPerEpisode: steady.reduce((a, b) => a + b, 0) / steady.length,
    episodes: steady.length,
    peakTensorBytes: r.peakTensorBytes,
    peakRssBytes: r.peakRssBytes,
  };
  console.log(order, out[`order${order}`]);
  learner.dispose();
}
// Adaptation latency (first-order learner, trained briefly: latency does not depend on training).
const dev = (await core.readDataset(path.join(dataRoot, 'stockmark/dev.jsonl'))).sentences;
const learner = await meta.createMamlProtoNet({ encoder, store, knownTypes: fold.train });
await learner.metaTrain(train, { trainTypes: fold.train, n: [2, 3, 4], k: [1, 5], episodes: 5, seed: 7 });
const eps = meta.novelTypeEpisodes(dev, fold, { k: 5, count: 20, seed: 5005 });
const tmp = path.join(await mkdtemp(path.join(tmpdir(), 'meta-costs-')), 'model.json');
await learner.save(tmp);
const warm: number[] = [];
const cold: number[] = [];
const sizes: number[] = [];
for (const e of eps) {
  sizes.push(e.support.length);
  const coldStore = new meta.FeatureStore(encoder);
  const coldLearner = await meta.loadMamlProtoNet(tmp, { encoder, store: coldStore });
  let t = performance.now();
  (await coldLearner.adapt(e.support, e.types)).dispose?.();
  cold.push(performance.now() - t);
  coldLearner.dispose();
  await store.ensure(e.support.map((s) => s.text));
  t = performance.now();
  (await learner.adapt(e.support, e.types)).dispose?.();
  warm.push(performance.now() - t);
}
const avg = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const adaptLatency = {
  episodes: eps.length,
  meanSupportSentences: avg(sizes),
  warmMs: avg(warm),
  coldMs: avg(cold),
  testInnerSteps: learner.config.testInnerSteps,
};
console.log(adaptLatency);
const file = path.join(repoRoot, 'bench/results/fewshot.json');
const results = existsSync(file) ? JSON.parse(await readFile(file, 'utf8')) : {};
results.orderTiming = {
  command: `pnpm exec tsx --conditions=@nerima/source bench/fewshot/costs.ts ${argv.join(' ')}`.trim(),
  date: new Date().toISOString(),
  backend: backend.name,
  note: 'meta-training ms per episode (first 5 episodes excluded), fold A train types, N in {2,3,4}, K in {1,5}, 3 inner steps, same episodes for both orders',
  ...out,
};
results.adaptLatency = {
  command: results.orderTiming.command,
  date: results.orderTiming.date,
  backend: backend.name,
  note: 'adapt() wall time on fold A 4-way 5-shot dev supports (first-order learner, 3 inner steps); warm = features cached, cold = fresh cache (tokenise + encode the support)',
  ...adaptLatency,
};
await core.writeFileAtomic(file, `${JSON.stringify(results, null, 2)}\n`);
