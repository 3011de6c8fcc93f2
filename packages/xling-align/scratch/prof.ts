import { createRng, initBackend } from '@nerima/core';
import { createEncoder } from '@nerima/encoder';
import * as tf from '@tensorflow/tfjs-core';
import { createNameAligner, infoNce, readKb } from '../src/index.js';

await initBackend({ backend: 'wasm' });
const kb = await readKb('/work/shared/data/kb/entities.jsonl');
const names = [...new Set([...kb.pairs.en.map((p) => p.ja), ...kb.pairs.zh.flatMap((p) => [p.ja, p.text])])];
const encoder = await createEncoder({ texts: names, seed: 1 });
const aligner = createNameAligner(encoder, {
  levels: (process.argv[2] ?? 'char,word,context').split(',') as never,
});
const rng = createRng(1);
const pairs = rng.shuffle([...kb.pairs.en]);
const opt = tf.train.adam(1e-3);
const vars = [
  encoder.variables().get('char/emb')!,
  encoder.variables().get('word/emb')!,
  ...aligner.variables().values(),
];
const T: Record<string, number> = {};
const tick = (k: string, t0: number) => {
  T[k] = (T[k] ?? 0) + Date.now() - t0;
};
for (let s = 0; s < 20; s++) {
  const b = pairs.slice(s * 128, s * 128 + 128);
  let t0 = Date.now();
  const ja = await aligner.prepare(
    b.map((p) => p.ja),
    'ja',
  );
  const en = await aligner.prepare(
    b.map((p) => p.text),
    'en',
  );
  tick('prepare', t0);
  t0 = Date.now();
  const fwd = tf.tidy(() => {
    const a = aligner.embed(ja);
    return a.dataSync()[0];
  });
  tick('fwd-ja', t0);
  t0 = Date.now();
  tf.tidy(() => {
    const a = aligner.embed(en);
    return a.dataSync()[0];
  });
  tick('fwd-en', t0);
  t0 = Date.now();
  const { value, grads } = tf.variableGrads(
    () => infoNce(aligner.embed(ja), aligner.embed(en), aligner.scale()),
    vars,
  );
  await value.data();
  tick('grad', t0);
  t0 = Date.now();
  opt.applyGradients(vars.map((v) => ({ name: v.name, tensor: grads[v.name]! })));
  await vars[2]!.data();
  tick('adam', t0);
  tf.dispose(grads);
  value.dispose();
  void fwd;
}
console.log(T, ((ja) => ja)(0));
