import { initBackend } from '@nerima/core';
import { createEncoder, loadEncoder } from '@nerima/encoder';
import * as tf from '@tensorflow/tfjs-core';
import { alignEncoder, readKb } from '../src/index.js';

const info = await initBackend({ backend: 'wasm' });
console.log(info);
let t0 = Date.now();
const kb = await readKb('/work/shared/data/kb/entities.jsonl');
console.log('read kb', Date.now() - t0, 'ms');
t0 = Date.now();
const names = [...new Set([...kb.pairs.en.map((p) => p.ja), ...kb.pairs.zh.flatMap((p) => [p.ja, p.text])])];
const encoder = process.env.NEW ? await createEncoder({ texts: names, seed: 1 }) : await loadEncoder('models/encoder/encoder.bin');
console.log(
  'encoder',
  Date.now() - t0,
  'ms',
  encoder.charVocab.size,
  [...encoder.variables()].map(([n, v]) => `${n}:${v.shape}`).join(' '),
);
const steps = Number(process.argv[2] ?? 30);
const before = tf.memory().numTensors;
const report = await alignEncoder(encoder, kb, {
  maxSteps: steps,
  minutes: 5,
  evalPool: Number(process.argv[3] ?? 300),
  logEvery: 20,
  ...(process.env.OPTS ? JSON.parse(process.env.OPTS) : {}),
  onProgress: (p) => console.log(JSON.stringify(p)),
});
const brief = (e: any) => e && ({ pool: e.pool, cos: [e.trueCosine.toFixed(3), e.randomCosine.toFixed(3)], jaTo: [e.jaTo.at1.toFixed(3), e.jaTo.at10.toFixed(3)], toJa: [e.toJa.at1.toFixed(3), e.toJa.at10.toFixed(3)] });
console.log(JSON.stringify({ before: { en: brief(report.before?.en), zh: brief(report.before?.zh) }, after: { en: brief(report.after?.en), zh: brief(report.after?.zh) }, training: { ...report.training, options: undefined } }));
console.log(JSON.stringify({ oovJa: { ...report.oov?.ja, topOov: report.oov?.ja.topOov.slice(0, 10) }, oovZh: { ...report.oov?.zh, topOov: report.oov?.zh.topOov.slice(0, 10) } }));
console.log('tensors', before, tf.memory().numTensors);
