import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createRng, initBackend } from '@nerima/core';
import { createEncoder, type NerimaEncoder } from '@nerima/encoder';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alignEncoder, tunedVariableNames } from './align.js';
import { createNameAligner, loadNameAligner } from './aligner.js';
import { parseKb } from './kb.js';

// A learnable toy KB: Japanese names are 2–3 kanji, English names their readings joined.
const READINGS: Record<string, string> = {
  山: 'yama',
  田: 'da',
  川: 'kawa',
  本: 'moto',
  木: 'ki',
  中: 'naka',
  村: 'mura',
  上: 'ue',
  林: 'hayashi',
  森: 'mori',
  石: 'ishi',
  藤: 'fuji',
  原: 'hara',
  大: 'oo',
  小: 'ko',
  野: 'no',
  松: 'matsu',
  島: 'shima',
  谷: 'tani',
  岡: 'oka',
};
const KANJI = Object.keys(READINGS);

function toyKb(n: number): string {
  const rng = createRng('toy-kb');
  const seen = new Set<string>();
  const rows: string[] = [];
  while (rows.length < n) {
    const len = 2 + rng.int(2);
    const chars = Array.from({ length: len }, () => rng.pick(KANJI));
    const ja = chars.join('');
    if (seen.has(ja)) continue;
    seen.add(ja);
    const en = chars.map((c) => READINGS[c]).join('');
    const type = rows.length % 2 === 0 ? 'PERSON' : 'LOCATION';
    rows.push(JSON.stringify({ ja, en: en[0]?.toUpperCase() + en.slice(1), type }));
  }
  return `${rows.join('\n')}\n`;
}

const small = {
  dim: 16,
  dropout: 0,
  char: { embDim: 16, classDim: 4, convFilters: 8 },
  word: false as const,
  context: 'none' as const,
};
const alignerOptions = { dim: 32, enEmbDim: 16, enHidden: 32, ngram: { buckets: 512 } };

let dir: string;
beforeAll(async () => {
  await initBackend({ backend: 'wasm' });
  dir = await mkdtemp(path.join(tmpdir(), 'xling-align-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function toyEncoder(kbText: string): Promise<NerimaEncoder> {
  const kb = parseKb(kbText, 'toy.jsonl');
  return createEncoder({ ...small, texts: kb.pairs.en.map((p) => p.ja) });
}

describe('alignEncoder', () => {
  it('separates true from random pairs on held-out names, updating only the shared tables', async () => {
    const text = toyKb(500);
    const kb = parseKb(text, 'toy.jsonl');
    const encoder = await toyEncoder(text);
    const vars = encoder.variables();
    const charEmb = tf.clone(vars.get('char/emb') as tf.Variable);
    const proj = tf.clone(vars.get('char/proj/w') as tf.Variable);
    const tensorsBefore = tf.memory().numTensors;
    const progress: number[] = [];
    const report = await alignEncoder(encoder, kb, {
      maxSteps: 150,
      minutes: 5,
      batchSize: 32,
      zhBatchSize: 0,
      learningRate: 1e-2,
      encoderLearningRate: 1e-2,
      warmupSteps: 5,
      split: { fraction: 0.2 },
      evalPool: 100,
      aligner: alignerOptions,
      logEvery: 50,
      onProgress: (p) => {
        if (p.phase === 'train') progress.push(p.step);
      },
    });
    // nothing leaks: the aligner was created and disposed inside
    expect(tf.memory().numTensors).toBe(tensorsBefore);
    expect(progress).toEqual([50, 100, 150]);
    expect(report.training).toMatchObject({ steps: 150, stoppedBy: 'steps', tuned: ['char/emb'] });
    expect(report.training.pairsSeen.en).toBe(150 * 32);
    expect(report.split.heldOut.en).toBeGreaterThan(60);
    const before = report.before?.en;
    const after = report.after?.en;
    if (!before || !after) throw new Error('no evaluation');
    expect(after.pool).toBe(Math.min(100, report.split.heldOut.en));
    const gapBefore = before.trueCosine - before.randomCosine;
    const gapAfter = after.trueCosine - after.randomCosine;
    expect(Math.abs(gapBefore)).toBeLessThan(0.15);
    expect(gapAfter).toBeGreaterThan(gapBefore + 0.3);
    expect(after.jaTo.at10).toBeGreaterThan(before.jaTo.at10 + 0.2);
    expect(report.training.lastLoss.en).toBeLessThan(report.training.firstLoss.en);
    // the shared char table moved, the frozen projection did not
    expect(report.training.drift['char/emb']).toBeGreaterThan(0);
    expect(
      tf.tidy(() => tf.max(tf.abs(tf.sub(vars.get('char/emb') as tf.Variable, charEmb))).dataSync()[0]),
    ).toBeGreaterThan(0);
    expect(
      tf.tidy(() => tf.max(tf.abs(tf.sub(vars.get('char/proj/w') as tf.Variable, proj))).dataSync()[0]),
    ).toBe(0);
    expect(report.oov?.ja.oovChars).toBe(0);
    tf.dispose([charEmb, proj]);
    encoder.dispose();
  });

  it('is deterministic for a seed and a step budget', async () => {
    const text = toyKb(120);
    const kb = parseKb(text, 'toy.jsonl');
    const run = async () => {
      const encoder = await toyEncoder(text);
      const r = await alignEncoder(encoder, kb, {
        maxSteps: 5,
        batchSize: 16,
        split: { fraction: 0.2 },
        evalPool: 30,
        aligner: alignerOptions,
        seed: 3,
      });
      const emb = (await encoder.variables().get('char/emb')?.data()) as Float32Array;
      encoder.dispose();
      return { after: r.after, loss: r.training.lastLoss, emb: Array.from(emb.slice(0, 50)) };
    };
    expect(await run()).toEqual(await run());
  });

  it('names the scopes of tuned variables', async () => {
    const encoder = await createEncoder({
      ...small,
      word: { embDim: 4, posDim: 4, biesDim: 4 },
      texts: ['東京'],
    });
    expect(tunedVariableNames(encoder, 'embeddings')).toEqual(['char/emb', 'word/emb']);
    expect(tunedVariableNames(encoder, 'char')).toContain('char/conv2/w');
    expect(tunedVariableNames(encoder, 'char')).not.toContain('word/proj/w');
    expect(tunedVariableNames(encoder, 'encoder')).toHaveLength(encoder.variables().size);
    encoder.dispose();
  });
});

describe('NameAligner', () => {
  it('embeds unit vectors, in input order, and round-trips through its file', async () => {
    const encoder = await toyEncoder(toyKb(50));
    const base = tf.memory().numTensors;
    const aligner = createNameAligner(encoder, alignerOptions);
    const names = ['山田', '松本', '大島谷', '林'];
    const tensors = tf.memory().numTensors;
    const v = await aligner.embedNames(names, 'ja', 3);
    expect(tf.memory().numTensors).toBe(tensors);
    expect(v).toHaveLength(4 * 32);
    for (let i = 0; i < 4; i++) {
      const row = v.slice(i * 32, i * 32 + 32);
      expect(Math.hypot(...row)).toBeCloseTo(1, 5);
    }
    // batching and length-sorting do not change a name's vector
    const one = await aligner.embedNames(['大島谷'], 'ja');
    for (let k = 0; k < 32; k++) expect(one[k]).toBeCloseTo(v[2 * 32 + k] as number, 5);
    const file = path.join(dir, 'aligner.bin');
    await aligner.save(file, { dtype: 'float32' });
    const loaded = await loadNameAligner(file, encoder);
    expect(Array.from(await loaded.embedNames(['Yamada', 'Ko'], 'en'))).toEqual(
      Array.from(await aligner.embedNames(['Yamada', 'Ko'], 'en')),
    );
    expect(loaded.config).toEqual(aligner.config);
    loaded.dispose();
    aligner.dispose();
    expect(tf.memory().numTensors).toBe(base);
    encoder.dispose();
  });
});
