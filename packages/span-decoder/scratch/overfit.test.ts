import * as tf from '@tensorflow/tfjs-core';
import { it } from 'vitest';
import { TINY_TYPES, TinyCharEncoder, tinyDataset } from '../src/test-helpers.js';
import { trainSpanTagger } from '../src/trainer.js';
import { setup } from './setup.ts';

it('overfit', async () => {
  await setup();
  const data = tinyDataset();
  const enc = new TinyCharEncoder(
    data.map((s) => s.text),
    32,
    1,
  );
  const t0 = Date.now();
  const res = await trainSpanTagger({
    train: data,
    dev: data,
    encoder: enc,
    epochs: 60,
    batchSize: 4,
    lr: 1e-2,
    seed: 3,
    config: {
      types: TINY_TYPES,
      maxWidth: 8,
      startHidden: 32,
      endHidden: 32,
      spanDim: 32,
      widthDim: 8,
      biaffineRank: 8,
      dropout: 0,
    },
    earlyStoppingPatience: 100,
    schedule: { decay: 'constant', warmupSteps: 0 },
    onProgress: (p) => {
      if (p.kind === 'epoch' && p.epoch % 5 === 4)
        console.log(p.epoch, JSON.stringify(p.record?.trainLoss), p.record?.devMicroF1);
    },
  });
  console.log('best', res.bestEpoch, res.bestDevMicroF1, (Date.now() - t0) / 1000, 's');
  const preds = await res.tagger.predict(data.map((s) => s.text));
  for (const p of preds.slice(0, 3)) console.log(JSON.stringify(p));
  console.log(tf.memory().numTensors);
});
