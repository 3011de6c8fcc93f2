/**
 * Cost of first- vs second-order MAML: meta-training milliseconds per episode and peak tensor bytes
 * of the same learner (fold A train types, same episodes) with `order: 1` and `order: 2`. Merges the
 * numbers into bench/results/fewshot.json under `orderTiming` (run it after run.ts).
 *
 *   pnpm exec tsx --conditions=@nerima/source bench/fewshot/order.ts --episodes 40
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { core, enc, meta } from './resolve.js';

const argv = process.argv.slice(2);
const i = argv.indexOf('--episodes');
const episodes = i >= 0 ? Number(argv[i + 1]) : 40;
const repoRoot = path.resolve(import.meta.dirname, '../..');
const dataRoot = process.env['NERIMA_DATA'] ?? path.resolve(repoRoot, '../shared/data');
const backend = await core.initBackend();
const train = (await core.readDataset(path.join(dataRoot, 'stockmark/train.jsonl'))).sentences;
const kbPath = path.join(dataRoot, 'kb/entities.jsonl');
const encoder = await enc.createEncoder({
  from: path.join(repoRoot, 'models/encoder/encoder.bin'),
  gazetteer: existsSync(kbPath) ? { kbPath } : false,
});
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
const file = path.join(repoRoot, 'bench/results/fewshot.json');
const results = existsSync(file) ? JSON.parse(await readFile(file, 'utf8')) : {};
results.orderTiming = {
  command: `pnpm exec tsx --conditions=@nerima/source bench/fewshot/order.ts ${argv.join(' ')}`.trim(),
  date: new Date().toISOString(),
  backend: backend.name,
  note: 'meta-training ms per episode (first 5 episodes excluded), fold A train types, N in {2,3,4}, K in {1,5}, 3 inner steps, same episodes for both orders',
  ...out,
};
await core.writeFileAtomic(file, `${JSON.stringify(results, null, 2)}\n`);
