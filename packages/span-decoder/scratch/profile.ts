import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import type { Tf } from '../../../bench/span-supervised/resolve.js';
import { core, enc, span } from '../../../bench/span-supervised/resolve.js';

const req = createRequire(new URL('../package.json', import.meta.url));
const tf = (await import(pathToFileURL(req.resolve('@tensorflow/tfjs-core')).href)) as Tf;
await core.initBackend({ backend: 'wasm' });
const train = (await core.readDataset('/work/shared/data/stockmark/train.jsonl')).sentences.slice(0, 400);
const features = (process.argv[2] ?? 'concat') as 'concat' | 'combine';
const encoder = await enc.createEncoder({
  texts: train.map((s) => s.text),
  gazetteer: { kbPath: '/work/shared/data/kb/entities.jsonl' },
});
const cfg = { ...span.defaultDecoderConfig(span.featureDim(encoder.dim, features), span.typesOf(train)) };
const decoder = new span.SpanDecoder(cfg, { seed: 1 });
const rng = core.createRng(1);
const bs = 16;
const batches = [];
for (let i = 0; i < 10; i++) batches.push(train.slice(i * bs, (i + 1) * bs));
const prepared = [];
let t = performance.now();
for (const b of batches) prepared.push(await encoder.prepare(b.map((s) => s.text)));
console.log(
  'prepare',
  ((performance.now() - t) / batches.length).toFixed(0),
  'ms/batch',
  prepared.map((p) => p.length).join(','),
);
const vars = [...encoder.variables().values(), ...decoder.variables().values()];
const decVars = [...decoder.variables().values()];
for (const mode of ['encFwd', 'encFwdBwd', 'decOnly', 'full', 'fullFwd']) {
  t = performance.now();
  for (const [i, p] of prepared.entries()) {
    const targets = span.buildTargets(
      batches[i]!.map((s) => s.entities),
      p.lengths,
      p.length,
      cfg,
      rng,
    );
    if (mode === 'encFwd') {
      tf.tidy(() => span.encodeFeatures(encoder, p, features, { training: true })).dataSync();
      continue;
    }
    if (mode === 'fullFwd') {
      const l = tf.tidy(
        () => decoder.loss(span.encodeFeatures(encoder, p, features, { training: true }), targets).total,
      );
      l.dataSync();
      l.dispose();
      continue;
    }
    if (mode === 'encFwdBwd') {
      const { value, grads } = tf.variableGrads(
        () => tf.sum(span.encodeFeatures(encoder, p, features, { training: true })) as any,
        [...encoder.variables().values()],
      );
      value.dataSync();
      tf.dispose([value, ...Object.values(grads)]);
      continue;
    }
    if (mode === 'decOnly') {
      const h = tf.tidy(() => span.encodeFeatures(encoder, p, features, { training: true }));
      h.dataSync();
      const t1 = performance.now();
      const { value, grads } = tf.variableGrads(() => decoder.loss(h, targets).total, decVars);
      value.dataSync();
      tf.dispose([value, h, ...Object.values(grads)]);
      continue;
    }
    const { value, grads } = tf.variableGrads(
      () => decoder.loss(span.encodeFeatures(encoder, p, features, { training: true }), targets).total,
      vars,
    );
    value.dataSync();
    tf.dispose([value, ...Object.values(grads)]);
  }
  console.log(mode, ((performance.now() - t) / prepared.length).toFixed(0), 'ms/batch');
}
