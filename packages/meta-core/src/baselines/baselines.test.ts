import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateDemoCorpus } from '@nerima/core';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { FeatureStore } from '../features.js';
import { novelTypeEpisodes } from '../protocol.js';
import { StandInEncoder, setupBackend } from '../test-helpers.js';
import { FineTuneLearner } from './finetune.js';
import { charLabels, NNShotLearner, NNSpanLearner, runsToEntities } from './nnshot.js';

beforeAll(setupBackend);

describe('NNShot labels', () => {
  it('labels characters with the outermost target mention and decodes runs', () => {
    const s = {
      id: 'a',
      text: '金沢大学と東京',
      entities: [
        { start: 0, end: 2, type: 'LOCATION' },
        { start: 0, end: 4, type: 'OTHER_ORG' },
        { start: 5, end: 7, type: 'LOCATION' },
      ],
    };
    const labels = charLabels(s, ['LOCATION', 'OTHER_ORG']);
    expect(Array.from(labels)).toEqual([1, 1, 1, 1, -1, 0, 0]);
    // Only LOCATION is a target: the nested 金沢 is then the mention.
    expect(Array.from(charLabels(s, ['LOCATION']))).toEqual([0, 0, -1, -1, -1, 0, 0]);
    expect(runsToEntities(s.text, labels, ['LOCATION', 'OTHER_ORG'])).toEqual([
      { start: 0, end: 4, type: 'OTHER_ORG', text: '金沢大学', score: 1 },
      { start: 5, end: 7, type: 'LOCATION', text: '東京', score: 1 },
    ]);
  });
});

describe('fine-tuning and NNShot baselines', () => {
  const corpus = generateDemoCorpus({ seed: 5, sentences: 240 });
  const encoder = new StandInEncoder(12);
  const store = new FeatureStore(encoder);
  const small = {
    projDim: 12,
    decoder: { startHidden: 12, endHidden: 12, biaffineRank: 2, widthDim: 4, spanDim: 12, maxWidth: 12 },
  };

  it('pre-train, adapt to new types, predict (fine-tuning, NNShot, nearest spans), and free every tensor', async () => {
    const ft = new FineTuneLearner({ encoder, store, fineTuneSteps: 3, ...small });
    const r = await ft.pretrain(corpus.train, {
      trainTypes: ['PERSON', 'LOCATION'],
      epochs: 2,
      batchSize: 16,
    });
    expect(r.steps).toBeGreaterThan(0);
    expect(r.lastLoss).toBeLessThan(r.firstLoss);
    const nn = new NNShotLearner(ft);
    const nnSpan = new NNSpanLearner(ft, { maxWidth: 8, negativesPerSentence: 10 });
    const episodes = novelTypeEpisodes(
      corpus.dev,
      { train: ['PERSON', 'LOCATION'], test: ['EVENT', 'PRODUCT'] },
      { k: 1, count: 2, seed: 3 },
    );
    for (const e of episodes) await store.ensure([...e.support, ...e.query].map((s) => s.text));
    const before = tf.memory().numTensors;
    for (const learner of [ft, nn, nnSpan]) {
      for (const e of episodes) {
        const tagger = await learner.adapt(e.support, e.types);
        const preds = await tagger.predict(e.query.map((s) => s.text));
        expect(preds.length).toBe(e.query.length);
        preds.forEach((list, i) => {
          for (const p of list) {
            expect(['EVENT', 'PRODUCT']).toContain(p.type);
            expect(p.text).toBe(e.query[i]?.text.slice(p.start, p.end));
          }
          // Flat decoding for the span-level baselines: no two predictions overlap.
          for (const a of list)
            for (const b of list) if (a !== b) expect(a.end <= b.start || b.end <= a.start).toBe(true);
        });
        tagger.dispose?.();
        expect(tf.memory().numTensors).toBe(before);
      }
    }
    // Save / load round trip of the pre-trained model: same predictions.
    const dir = await mkdtemp(join(tmpdir(), 'meta-ft-'));
    try {
      await ft.save(join(dir, 'ft.json'));
      const again = new FineTuneLearner({ encoder, store, fineTuneSteps: 3, ...small });
      await again.load(join(dir, 'ft.json'));
      const e = episodes[0];
      if (!e) throw new Error('no episode');
      const texts = e.query.map((s) => s.text);
      const [a, b] = [await ft.adapt(e.support, e.types), await again.adapt(e.support, e.types)];
      expect(await b.predict(texts)).toEqual(await a.predict(texts));
      a.dispose?.();
      b.dispose?.();
      again.dispose();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    ft.dispose();
  });
});
