import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createEncoder } from '@nerima/encoder';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultDecoderConfig, type SpanDecoderConfig } from './config.js';
import { SpanDecoder } from './decoder.js';
import { createTagger, SpanTagger } from './tagger.js';
import { setupTestBackend, TINY_TYPES, TinyCharEncoder, tinyDataset } from './test-helpers.js';
import { evaluateTagger, trainSpanTagger } from './trainer.js';

const data = tinyDataset();
const texts = data.map((s) => s.text);
const small: Partial<SpanDecoderConfig> = {
  types: TINY_TYPES,
  maxWidth: 8,
  startHidden: 32,
  endHidden: 32,
  spanDim: 32,
  widthDim: 8,
  biaffineRank: 8,
};

let dir: string;
beforeAll(async () => {
  await setupTestBackend();
  dir = await mkdtemp(path.join(tmpdir(), 'nerima-span-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('trainSpanTagger', () => {
  it('over-fits the tiny set (nested entities included) to F1 = 1.0', async () => {
    const res = await trainSpanTagger({
      train: data,
      dev: data,
      encoder: new TinyCharEncoder(texts, 32, 1),
      epochs: 60,
      batchSize: 4,
      lr: 1e-2,
      seed: 3,
      config: { ...small, dropout: 0 },
      earlyStoppingPatience: 100,
      schedule: { decay: 'constant', warmupSteps: 0 },
    });
    expect(res.bestDevMicroF1).toBe(1);
    const { report, predictions } = await evaluateTagger(res.tagger, data);
    expect(report.micro.f1).toBe(1);
    // The nested pair 東京 ⊂ 東京大学 comes out as two entities.
    expect(predictions[0]?.map((p) => [p.start, p.end, p.type, p.text])).toEqual([
      [0, 4, 'PERSON', '山田太郎'],
      [5, 7, 'LOC', '東京'],
      [5, 9, 'ORG', '東京大学'],
    ]);
    expect(predictions[6]).toEqual([]);
    res.tagger.dispose();
  });

  it('resumes an interrupted run to the identical result', async () => {
    const common = {
      train: data.slice(0, 6),
      dev: data.slice(6),
      epochs: 2,
      batchSize: 2,
      lr: 5e-3,
      seed: 11,
      config: { ...small, dropout: 0.2 },
      schedule: { warmupSteps: 2, decay: 'cosine' as const },
    };
    const straight = await trainSpanTagger({
      ...common,
      encoder: new TinyCharEncoder(texts, 16, 2),
      outDir: path.join(dir, 'a'),
      earlyStoppingPatience: 5,
    });
    const first = await trainSpanTagger({
      ...common,
      encoder: new TinyCharEncoder(texts, 16, 2),
      outDir: path.join(dir, 'b'),
      earlyStoppingPatience: 5,
      maxEpochsThisRun: 1,
    });
    expect(first.epochsDone).toBe(1);
    first.tagger.dispose();
    const resumed = await trainSpanTagger({
      ...common,
      encoder: new TinyCharEncoder(texts, 16, 2),
      outDir: path.join(dir, 'b'),
      earlyStoppingPatience: 5,
      resume: true,
    });
    expect(resumed.epochsDone).toBe(2);
    expect(resumed.history.map((h) => h.devMicroF1)).toEqual(straight.history.map((h) => h.devMicroF1));
    expect(resumed.history.map((h) => h.trainLoss)).toEqual(straight.history.map((h) => h.trainLoss));
    // The training state after epoch 2 (last checkpoint) and the returned (best) weights are bit-identical.
    const dump = (t: SpanTagger) => {
      const out: Record<string, number[]> = {};
      for (const [n, v] of t.decoder.variables()) out[`dec/${n}`] = Array.from(v.dataSync());
      for (const [n, v] of t.encoder.variables()) out[`enc/${n}`] = Array.from(v.dataSync());
      return out;
    };
    expect(dump(resumed.tagger)).toEqual(dump(straight.tagger));
    expect(resumed.bestEpoch).toBe(straight.bestEpoch);
    straight.tagger.dispose();
    resumed.tagger.dispose();
  });

  it('refuses to resume a checkpoint written with other settings', async () => {
    await expect(
      trainSpanTagger({
        train: data.slice(0, 6),
        dev: data.slice(6),
        encoder: new TinyCharEncoder(texts, 16, 2),
        outDir: path.join(dir, 'b'),
        epochs: 3,
        batchSize: 2,
        config: { ...small },
        resume: true,
      }),
    ).rejects.toThrow(/other settings/);
  });
});

describe('SpanTagger', () => {
  it('keeps the tensor count flat across 1,000 predict calls', async () => {
    const encoder = new TinyCharEncoder(texts, 8, 4);
    const decoder = new SpanDecoder(
      { ...defaultDecoderConfig(8, TINY_TYPES), ...small, startHidden: 8, endHidden: 8, spanDim: 8 },
      { seed: 1 },
    );
    // Thresholds 0 so that every stage (starts, ends, types) runs on every call.
    const tagger = new SpanTagger(encoder, decoder, {
      decode: { startThreshold: 0, endThreshold: 0, maxCandidatesPerText: 8 },
    });
    const inputs = ['東京大学', '山田', ''];
    await tagger.predict(inputs);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 1000; i++) await tagger.predict(inputs);
    expect(tf.memory().numTensors).toBe(before);
    tagger.dispose();
    tagger.dispose(); // twice is safe
  });

  it('saves and loads (createTagger({ from })) with identical predictions', async () => {
    const encoder = await createEncoder({
      dim: 16,
      word: false,
      context: 'conv',
      char: { embDim: 8, classDim: 4, convFilters: 8 },
      conv: { width: 3, dilations: [1] },
      texts,
    });
    const decoder = new SpanDecoder({ ...defaultDecoderConfig(16, TINY_TYPES), ...small }, { seed: 5 });
    const tagger = new SpanTagger(encoder, decoder, { decode: { startThreshold: 0.45, endThreshold: 0.4 } });
    const folder = path.join(dir, 'tagger');
    await tagger.save(folder);
    const loaded = await createTagger({ from: folder });
    expect(loaded.types).toEqual(TINY_TYPES);
    expect(loaded.decodeOptions.startThreshold).toBe(0.45);
    const a = await tagger.score(texts);
    const b = await loaded.score(texts);
    expect(b.map((s) => s.candidates)).toEqual(a.map((s) => s.candidates));
    expect(a.some((s) => s.candidates.length > 0)).toBe(true);
    expect(await loaded.predict(texts)).toEqual(await tagger.predict(texts));
    tagger.dispose();
    loaded.dispose();
  });
});
