import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENCODER_VERSION } from './config.js';
import { corpusBatches } from './corpus.js';
import { createEncoder } from './create.js';
import { createRng, initBackend, loadWeights } from './deps.js';
import { MlmHead, maskBatch } from './mlm.js';
import { CHECKPOINT_FORMAT, pretrain } from './pretrain.js';
import { MASK_ID, NUM_SPECIAL } from './vocab.js';

const LINES = [
  '東京都に住む山田太郎さんは京都大学の学生です。',
  '京都府京都市にある寺院。',
  '大阪府の人口は約880万人である。',
  '山田花子は東京の会社に勤めている。',
  '東大寺は奈良県奈良市にある寺院である。',
  '株式会社ＡＢＣは1990年に設立された。',
  '𠮷野家で牛丼を食べた。',
  'ｶﾀｶﾅの文も含む。',
];
const tiny = {
  dim: 16,
  char: { embDim: 8, classDim: 4, convFilters: 4 },
  word: { embDim: 8, posDim: 4, biesDim: 4 },
  transformer: { layers: 1, heads: 2, ffnDim: 16, maxPositions: 64 },
};

let dir: string;
beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
  dir = await mkdtemp(path.join(tmpdir(), 'nerima-pre-'));
  await mkdir(path.join(dir, 'data'));
  const many = Array.from({ length: 12 }, (_, i) => LINES.map((l) => `${l}${i % 3 === 0 ? '' : i}`)).flat();
  await writeFile(path.join(dir, 'data', 'a.txt'), `${many.slice(0, 50).join('\n')}\n`);
  await writeFile(path.join(dir, 'data', 'b.txt'), `${many.slice(50).join('\n')}\n`);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('maskBatch', () => {
  it('masks ~15% of in-vocabulary characters and the word/POS ids of their words', async () => {
    const enc = await createEncoder({ ...tiny, texts: LINES });
    const prepared = await enc.prepare(LINES);
    const m = maskBatch(prepared, enc.charVocab.size, createRng(3), 0.5);
    expect(m.positions.length).toBeGreaterThan(0);
    const T = prepared.length;
    const charIds = m.batch.inputs['charIds'] as Int32Array;
    const wordIds = m.batch.inputs['wordIds'] as Int32Array;
    const orig = prepared.inputs['charIds'] as Int32Array;
    let changed = 0;
    for (let k = 0; k < m.positions.length; k++) {
      const i = m.positions[k]!;
      expect(m.targets[k]).toBe(orig[i]);
      expect(m.targets[k]!).toBeGreaterThanOrEqual(NUM_SPECIAL);
      expect(wordIds[i]).toBe(MASK_ID);
      if (charIds[i] !== orig[i]) changed++;
    }
    expect(changed / m.positions.length).toBeGreaterThan(0.6);
    // positions outside targets keep their char ids
    const set = new Set(m.positions);
    for (let i = 0; i < orig.length; i++) {
      const prevIsTarget =
        set.has(i - 1) && (LINES[Math.floor(i / T)]!.charCodeAt((i % T) - 1) & 0xfc00) === 0xd800;
      if (!set.has(i) && !prevIsTarget) expect(charIds[i]).toBe(orig[i]);
    }
    // the input batch is not modified
    expect(prepared.inputs['charIds']).toBe(orig);
    enc.dispose();
  });
});

describe('MlmHead', () => {
  it('decreases the masked-char loss over a few Adam steps (fixed seed)', async () => {
    const enc = await createEncoder({ ...tiny, texts: LINES, dropout: 0 });
    const head = new MlmHead(enc, createRng(1));
    const prepared = await enc.prepare(LINES);
    const masked = maskBatch(prepared, head.vocabSize, createRng(5), 0.3);
    const opt = tf.train.adam(0.01);
    const vars = [...enc.variables().values(), ...head.variables()];
    const losses: number[] = [];
    for (let s = 0; s < 15; s++) {
      const l = opt.minimize(() => head.loss(masked, true).loss, true, vars)!;
      losses.push(l.dataSync()[0]!);
      l.dispose();
    }
    expect(losses.at(-1)!).toBeLessThan(losses[0]! * 0.8);
    opt.dispose();
    enc.dispose();
  });
});

describe('corpusBatches', () => {
  it('is deterministic and resumes at a batch index', async () => {
    const opts = {
      paths: [path.join(dir, 'data')],
      seed: 4,
      batchSize: 5,
      maxLength: 20,
      windowLines: 16,
      heldOutEvery: 0,
    };
    const first: string[][] = [];
    for await (const b of corpusBatches(opts)) {
      first.push(b.texts);
      if (first.length === 30) break;
    }
    const resumed: string[][] = [];
    for await (const b of corpusBatches(opts, 7)) {
      resumed.push(b.texts);
      if (resumed.length === 23) break;
    }
    expect(resumed).toEqual(first.slice(7));
    expect(first.flat().every((t) => t.length <= 20)).toBe(true);
  });
});

describe('pretrain', () => {
  it('resumes from its checkpoint at the same step, batch and weights', async () => {
    const common = {
      data: [path.join(dir, 'data')],
      encoder: tiny,
      batchSize: 8,
      maxLength: 40,
      evalLines: 0,
      logEvery: 2,
      checkpointEvery: 100,
      seed: 9,
      dtype: 'float32' as const,
      log: () => {},
    };
    const straight = await pretrain({
      ...common,
      out: path.join(dir, 'straight'),
      checkpoint: path.join(dir, 'straight', 'checkpoint.bin'),
      maxSteps: 5,
    });
    const ckpt = path.join(dir, 'resumed', 'checkpoint.bin');
    const partA = await pretrain({
      ...common,
      out: path.join(dir, 'resumed'),
      checkpoint: ckpt,
      maxSteps: 3,
    });
    expect(partA.steps).toBe(3);
    const partB = await pretrain({
      ...common,
      out: path.join(dir, 'resumed'),
      checkpoint: ckpt,
      maxSteps: 5,
    });
    expect(partB.steps).toBe(5);
    expect(partB.batches).toBe(straight.batches);
    const a = await loadWeights(path.join(dir, 'straight', 'checkpoint.bin'), {
      format: CHECKPOINT_FORMAT,
      version: ENCODER_VERSION,
    });
    const b = await loadWeights(path.join(dir, 'resumed', 'checkpoint.bin'), {
      format: CHECKPOINT_FORMAT,
      version: ENCODER_VERSION,
    });
    for (const [name, t] of a.tensors) {
      const u = b.tensors.get(name)!;
      expect(u, name).toBeDefined();
      const d = tf.tidy(() => tf.max(tf.abs(tf.sub(t, u))).dataSync()[0]!);
      expect(d, name).toBeLessThan(1e-5);
    }
    tf.dispose([...a.tensors.values(), ...b.tensors.values()]);
  });
});
