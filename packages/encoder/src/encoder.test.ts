import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend, saveWeights } from './deps.js';
import { createEncoder, FEATURE_LEVELS, loadEncoder, saveEncoder } from './index.js';

const TEXTS = ['東京都に住む山田太郎さん', '𠮷野家で牛丼を食べた。', 'ＡＢＣ株式会社のｶﾀｶﾅ'];
const small = {
  dim: 32,
  char: { embDim: 16, classDim: 4, convFilters: 8 },
  word: { embDim: 8, posDim: 4, biesDim: 4 },
  transformer: { layers: 1, heads: 4, ffnDim: 32, maxPositions: 64 },
} as const;

function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!);
}

let dir: string;
beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
  dir = await mkdtemp(path.join(tmpdir(), 'nerima-enc-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('encoder', () => {
  it('prepares and encodes with the documented shapes and masks', async () => {
    const enc = await createEncoder({ ...small, texts: TEXTS });
    const batch = await enc.prepare(['東京', '山田太郎さん']);
    expect(batch.length).toBe(6);
    expect(batch.lengths).toEqual([2, 6]);
    const shapes = tf.tidy(() => {
      const f = enc.encode(batch);
      const mask = f.mask.arraySync();
      return {
        c: f.char.shape,
        w: f.word.shape,
        x: f.context.shape,
        m: f.mask.shape,
        mask,
        comb: enc.combine(f).shape,
      };
    });
    expect(shapes.c).toEqual([2, 6, 32]);
    expect(shapes.w).toEqual([2, 6, 32]);
    expect(shapes.x).toEqual([2, 6, 32]);
    expect(shapes.comb).toEqual([2, 6, 32]);
    expect(shapes.mask).toEqual([
      [1, 1, 0, 0, 0, 0],
      [1, 1, 1, 1, 1, 1],
    ]);
    enc.dispose();
  });

  it('zeroes padded positions and keeps real positions independent of padding', async () => {
    const enc = await createEncoder({ ...small, texts: TEXTS });
    const alone = await enc.prepare(['東京']);
    const padded = await enc.prepare(['東京', '山田太郎さんは京都に住む']);
    const [a, b, pad] = tf.tidy(() => {
      const fa = enc.encode(alone).context;
      const fb = enc.encode(padded).context;
      return [
        fa.arraySync()[0]!,
        tf.slice(fb, [0, 0, 0], [1, 2, 32]).arraySync()[0]!,
        tf.sum(tf.abs(tf.slice(fb, [0, 2, 0], [1, 10, 32]))).dataSync()[0]!,
      ];
    });
    for (let t = 0; t < 2; t++) for (let d = 0; d < 32; d++) expect(b[t]![d]!).toBeCloseTo(a[t]![d]!, 4);
    expect(pad).toBe(0);
    enc.dispose();
  });

  it('keeps tf.memory().numTensors flat over 100 encode calls in tidy', async () => {
    const enc = await createEncoder({ ...small, texts: TEXTS });
    const batch = await enc.prepare(TEXTS);
    tf.dispose(tf.tidy(() => enc.combine(enc.encode(batch, { training: true }))));
    const before = tf.memory().numTensors;
    for (let i = 0; i < 100; i++) {
      tf.tidy(() => {
        enc.combine(enc.encode(batch, { training: i % 2 === 0 }));
      });
    }
    expect(tf.memory().numTensors).toBe(before);
    enc.dispose();
  });

  it('combine weights the levels', async () => {
    const enc = await createEncoder({ ...small, texts: TEXTS });
    const batch = await enc.prepare(['京都']);
    const diff = tf.tidy(() => {
      const f = enc.encode(batch);
      const onlyWord = enc.combine(f, tf.tensor1d([0, 1, 0]));
      const uniform = enc.combine(f);
      const mean = tf.div(tf.addN(FEATURE_LEVELS.map((l) => f[l])), 3);
      return [maxAbsDiff(onlyWord, f.word), maxAbsDiff(uniform, mean)];
    });
    expect(diff[0]).toBeLessThan(1e-6);
    expect(diff[1]).toBeLessThan(1e-6);
    enc.dispose();
  });

  it('gives a non-zero gradient to every variable (cpu)', async () => {
    const enc = await createEncoder({ ...small, texts: TEXTS, dropout: 0 });
    const batch = await enc.prepare(TEXTS);
    const vars = enc.variables();
    const target = tf.randomNormal([3, batch.length, 32], 0, 1, 'float32', 7);
    const { grads, value } = tf.variableGrads(
      () => tf.tidy(() => tf.mean(tf.square(tf.sub(enc.combine(enc.encode(batch)), target))) as tf.Scalar),
      [...vars.values()],
    );
    value.dispose();
    for (const [name, v] of vars) {
      const g = grads[v.name];
      expect(g, name).toBeDefined();
      expect(
        tf.tidy(() => tf.sum(tf.abs(g!)).dataSync()[0]),
        name,
      ).toBeGreaterThan(0);
    }
    tf.dispose(grads);
    target.dispose();
    enc.dispose();
  });

  it('round-trips through saveEncoder / loadEncoder with equal outputs', async () => {
    const enc = await createEncoder({ ...small, texts: TEXTS });
    const file = path.join(dir, 'enc.bin');
    await saveEncoder(enc, file, { dtype: 'float32' });
    const back = await loadEncoder(file);
    const batch = await enc.prepare(TEXTS);
    const maxDiff = tf.tidy(() => {
      const a = enc.combine(enc.encode(batch));
      const b = back.combine(back.encode(batch));
      return maxAbsDiff(a, b);
    });
    expect(maxDiff).toBeLessThan(1e-6);
    expect([...back.variables().keys()]).toEqual([...enc.variables().keys()]);
    enc.dispose();
    back.dispose();
  });

  it('gives a non-zero gradient to every variable of the transformer context', async () => {
    const enc = await createEncoder({ ...small, texts: TEXTS, dropout: 0, context: 'transformer' });
    const batch = await enc.prepare(TEXTS);
    const vars = enc.variables();
    expect([...vars.keys()].some((k) => k.startsWith('ctx/l0/qkv'))).toBe(true);
    const { grads, value } = tf.variableGrads(
      () => tf.tidy(() => tf.sum(tf.square(tf.sub(enc.encode(batch).context, 0.3))) as tf.Scalar),
      [...vars.values()],
    );
    value.dispose();
    for (const [name, v] of vars)
      expect(
        tf.tidy(() => tf.sum(tf.abs(grads[v.name]!)).dataSync()[0]),
        name,
      ).toBeGreaterThan(0);
    tf.dispose(grads);
    enc.dispose();
  });

  it('switches: word false gives a zero word level; context none sums char and word', async () => {
    const noWord = await createEncoder({ ...small, texts: TEXTS, word: false });
    expect([...noWord.variables().keys()].some((k) => k.startsWith('word/'))).toBe(false);
    const batch = await noWord.prepare(['京都']);
    expect(batch.inputs['wordIds']).toBeUndefined();
    const wordAbs = tf.tidy(() => tf.sum(tf.abs(noWord.encode(batch).word)).dataSync()[0]);
    expect(wordAbs).toBe(0);
    noWord.dispose();
    const none = await createEncoder({ ...small, texts: TEXTS, context: 'none' });
    const b2 = await none.prepare(['京都']);
    const d = tf.tidy(() => {
      const f = none.encode(b2);
      return maxAbsDiff(f.context, tf.add(f.char, f.word));
    });
    expect(d).toBeLessThan(1e-6);
    none.dispose();
  });

  it('gazetteer models need a KB to load; a pretrained model can add one with fresh weights', async () => {
    const kb = path.join(dir, 'kb.jsonl');
    await writeFile(kb, `${JSON.stringify({ ja: '山田太郎', en: 'Yamada Taro', type: 'PERSON' })}\n`);
    const gaz = await createEncoder({ ...small, texts: TEXTS, gazetteer: { kbPath: kb } });
    expect(gaz.variables().has('word/gaz/w')).toBe(true);
    const b = await gaz.prepare(['山田太郎さん']);
    expect((b.inputs['gazetteer'] as Float32Array).some((x) => x === 1)).toBe(true);
    const file = path.join(dir, 'gaz.bin');
    await saveEncoder(gaz, file);
    await expect(loadEncoder(file)).rejects.toThrow(/gazetteer features; pass gazetteer: \{ kbPath/);
    const without = await loadEncoder(file, { gazetteer: false });
    expect(without.variables().has('word/gaz/w')).toBe(false);
    without.dispose();
    const withKb = await createEncoder({ from: file, gazetteer: { kbPath: kb } });
    expect(withKb.config.gazetteer).toBe(true);
    withKb.dispose();
    gaz.dispose();

    const plain = await createEncoder({ ...small, texts: TEXTS });
    const plainFile = path.join(dir, 'plain.bin');
    await saveEncoder(plain, plainFile);
    const added = await createEncoder({ from: plainFile, gazetteer: { kbPath: kb } });
    expect(added.variables().has('word/gaz/w')).toBe(true);
    added.dispose();
    plain.dispose();
  });

  it('loads with random weights (same vocabularies and names, different values)', async () => {
    const enc = await createEncoder({ ...small, texts: TEXTS, seed: 3 });
    const file = path.join(dir, 'rand.bin');
    await saveEncoder(enc, file, { dtype: 'float32' });
    const rand = await createEncoder({ from: file, weights: 'random', seed: 4 });
    expect([...rand.variables().keys()]).toEqual([...enc.variables().keys()]);
    expect(rand.charVocab.tokens).toEqual(enc.charVocab.tokens);
    const d = maxAbsDiff(rand.variables().get('char/emb')!, enc.variables().get('char/emb')!);
    expect(d).toBeGreaterThan(0);
    rand.dispose();
    enc.dispose();
  });

  it('rejects a wrong format version and a wrong tensor shape with clear messages', async () => {
    const enc = await createEncoder({ ...small, texts: TEXTS });
    const tensors = new Map([...enc.params.entries()].map(([k, v]) => [k, v as tf.Tensor]));
    const v99 = path.join(dir, 'v99.bin');
    await saveWeights(v99, tensors, { format: 'nerima-encoder', version: 99, config: enc.config });
    await expect(loadEncoder(v99)).rejects.toThrow(/nerima-encoder v99, expected nerima-encoder v1/);
    const bad = path.join(dir, 'bad-shape.bin');
    const wrong = tf.zeros([3, small.char.embDim]);
    tensors.set('char/emb', wrong);
    await saveWeights(bad, tensors, { format: 'nerima-encoder', version: 1, config: enc.config });
    await expect(loadEncoder(bad)).rejects.toThrow(/char\/emb: shape \[3,16\] does not match/);
    wrong.dispose();
    enc.dispose();
  });
});

const shipped = path.resolve(__dirname, '../../../models/encoder/encoder.bin');
describe.skipIf(!existsSync(shipped))('the shipped pre-trained model', () => {
  it('loads without a KB and encodes', async () => {
    const enc = await createEncoder({ from: shipped });
    expect(enc.config.gazetteer).toBe(false);
    expect(enc.dim).toBe(128);
    const pre = enc.config.meta?.['pretrain'] as { steps: number } | undefined;
    expect(pre?.steps).toBeGreaterThan(0);
    const batch = await enc.prepare(['東京都に住む山田太郎さん', '𠮷野家']);
    const shape = tf.tidy(() => enc.combine(enc.encode(batch)).shape);
    expect(shape).toEqual([2, 12, 128]);
    enc.dispose();
  });
});
