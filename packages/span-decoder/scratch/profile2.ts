import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import type { Tf } from '../../../bench/span-supervised/resolve.js';
import { core, span } from '../../../bench/span-supervised/resolve.js';

const req = createRequire(new URL('../package.json', import.meta.url));
const tf = (await import(pathToFileURL(req.resolve('@tensorflow/tfjs-core')).href)) as Tf;
await core.initBackend({ backend: (process.argv[3] ?? 'wasm') as 'wasm' });
const train = (await core.readDataset('/work/shared/data/stockmark/train.jsonl')).sentences.slice(0, 400);
const D = Number(process.argv[2] ?? 128);
const cfg = { ...span.defaultDecoderConfig(D, span.typesOf(train)) };
const decoder = new span.SpanDecoder(cfg, { seed: 1 });
const rng = core.createRng(1);
const B = 16,
  T = 110;
const h = tf.randomNormal([B, T, D]) as any;
const sents = train.filter((s) => s.text.length <= T).slice(0, B);
const targets = span.buildTargets(
  sents.map((s) => s.entities),
  sents.map((s) => s.text.length),
  T,
  cfg,
  rng,
);
console.log('gold starts', targets.goldStarts.batch.length, 'type spans', targets.typeLabels.length);
const params = decoder.variables();
const dv = [...params.values()];
const parts: Record<string, () => any> = {
  start: () => span.weightedBce(span.startLogits(params, h, cfg), targets.startLabels, targets.startWeights),
  end: () =>
    span.weightedBce(
      span.endLogitsAt(params, h, targets.goldStarts, cfg),
      targets.endLabels,
      targets.endWeights,
    ),
  type: () =>
    span.softmaxCe(
      decoder.typeScorer.scores(span.spanRepresentations(params, h, targets.typeSpans, cfg), params),
      targets.typeLabels,
    ),
  all: () => decoder.loss(h, targets).total,
};
for (const [name, f] of Object.entries(parts)) {
  for (const bwd of [false, true]) {
    const run = () => {
      if (!bwd) {
        const v = tf.tidy(f);
        v.dataSync();
        v.dispose();
        return;
      }
      const { value, grads } = tf.variableGrads(
        f,
        dv.filter(() => true),
      );
      value.dataSync();
      tf.dispose([value, ...Object.values(grads)]);
    };
    try {
      run();
    } catch (e) {
      console.log(name, String(e).slice(0, 100));
      continue;
    }
    const t = performance.now();
    for (let i = 0; i < 5; i++) run();
    console.log(name, bwd ? 'fwd+bwd' : 'fwd', ((performance.now() - t) / 5).toFixed(1), 'ms');
  }
}
const prof = await tf.profile(() => {
  const { value, grads } = tf.variableGrads(parts.all!, dv);
  value.dataSync();
  tf.dispose([value, ...Object.values(grads)]);
});
const agg: Record<string, number> = {};
for (const k of prof.kernels) agg[k.name] = (agg[k.name] ?? 0) + (k.kernelTimeMs as number);
console.log(
  Object.entries(agg)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 15)
    .map(([k, v]) => `${k}:${v.toFixed(1)}`)
    .join(' '),
);
