/**
 * The ONNX export against the tfjs tagger it came from: same candidate spans and the same
 * probabilities (to float32 rounding) for each encoder configuration the export supports.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createEncoder } from '@nerima/encoder';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultDecoderConfig } from '../config.js';
import type { TextSpanScores } from '../decode.js';
import { SpanDecoder } from '../decoder.js';
import type { FeatureMode } from '../features.js';
import { SpanTagger } from '../tagger.js';
import { setupTestBackend, TINY_TYPES, tinyDataset } from '../test-helpers.js';
import { exportTagger, onnxUnsupportedReason } from './export.js';
import { loadOnnxRuntime, OnnxSpanTagger } from './onnx-tagger.js';

const texts = tinyDataset().map((s) => s.text);
// Lengths 0 to ~40, a surrogate pair, full-width and half-width forms, an unknown character.
const queries = [
  ...texts,
  '',
  '𠮷野家の社長はＴＯＫＹＯで働く。',
  'ｿﾆｰとパナソニックが提携した。'.repeat(2),
  '鈴木',
  '蠢',
];
const tol = 2e-4;

let dir: string;
let kbPath: string;
beforeAll(async () => {
  await setupTestBackend();
  dir = await mkdtemp(path.join(tmpdir(), 'nerima-onnx-'));
  kbPath = path.join(dir, 'kb.jsonl');
  const kb = [
    { ja: '東京大学', type: 'ORGANIZATION' },
    { ja: '東京', type: 'LOCATION' },
    { ja: 'トヨタ自動車', type: 'CORPORATION' },
    { ja: '山田太郎', type: 'PERSON' },
  ];
  await writeFile(kbPath, `${kb.map((e) => JSON.stringify(e)).join('\n')}\n`);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

interface Variant {
  name: string;
  word: boolean;
  gazetteer: boolean;
  context: 'conv' | 'none';
  features: FeatureMode;
}

const VARIANTS: Variant[] = [
  {
    name: 'chars + gazetteer, conv context, concat',
    word: false,
    gazetteer: true,
    context: 'conv',
    features: 'concat',
  },
  {
    name: 'chars + words (kuromoji), conv context, combine',
    word: true,
    gazetteer: false,
    context: 'conv',
    features: 'combine',
  },
  {
    name: 'chars only, no context layer, concat',
    word: false,
    gazetteer: false,
    context: 'none',
    features: 'concat',
  },
];

async function makeTagger(v: Variant): Promise<SpanTagger> {
  const dim = 16;
  const encoder = await createEncoder({
    dim,
    seed: 3,
    word: v.word ? { embDim: 8, posDim: 4 } : false,
    ...(v.gazetteer ? { gazetteer: { kbPath } } : {}),
    context: v.context,
    char: { embDim: 8, classDim: 4, convFilters: 8 },
    conv: { width: 3, dilations: [1, 2] },
    texts,
  });
  const inputDim = v.features === 'concat' ? 3 * dim : dim;
  const decoder = new SpanDecoder(
    {
      ...defaultDecoderConfig(inputDim, TINY_TYPES),
      maxWidth: 6,
      startHidden: 16,
      endHidden: 16,
      spanDim: 16,
      widthDim: 4,
      biaffineRank: 4,
    },
    { seed: 7 },
  );
  // Thresholds 0: every start, every end within maxWidth, every type — the whole cascade runs.
  return new SpanTagger(encoder, decoder, {
    features: v.features,
    batchSize: 4,
    decode: { startThreshold: 0, endThreshold: 0, maxCandidatesPerText: 1000 },
  });
}

function maxDiff(a: readonly number[] | Float32Array, b: readonly number[] | Float32Array): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs((a[i] as number) - (b[i] as number)));
  return d;
}

function compare(tfjs: TextSpanScores[], onnx: TextSpanScores[]): void {
  expect(onnx.length).toBe(tfjs.length);
  for (let i = 0; i < tfjs.length; i++) {
    const a = tfjs[i] as TextSpanScores;
    const b = onnx[i] as TextSpanScores;
    expect(b.text).toBe(a.text);
    expect(b.startProbs.length).toBe(a.startProbs.length);
    expect(maxDiff(a.startProbs, b.startProbs), a.text).toBeLessThan(tol);
    expect(b.candidates.map((c) => [c.start, c.end])).toEqual(a.candidates.map((c) => [c.start, c.end]));
    a.candidates.forEach((c, j) => {
      const o = b.candidates[j] as (typeof b.candidates)[number];
      expect(Math.abs(o.startProb - c.startProb)).toBeLessThan(tol);
      expect(Math.abs(o.endProb - c.endProb)).toBeLessThan(tol);
      expect(maxDiff(c.typeProbs, o.typeProbs)).toBeLessThan(tol);
    });
  }
}

describe('OnnxSpanTagger', () => {
  for (const v of VARIANTS) {
    it(`scores like the tfjs tagger: ${v.name}`, async () => {
      const tagger = await makeTagger(v);
      expect(onnxUnsupportedReason(tagger)).toBeNull();
      const tfjsScores = await tagger.score(queries);
      const onnx = await OnnxSpanTagger.create(tagger, { runtime: await loadOnnxRuntime(), threads: 1 });
      const onnxScores = await onnx.score(queries);
      compare(tfjsScores, onnxScores);
      // Some candidates at all, and the empty text has none.
      expect(onnxScores.reduce((s, x) => s + x.candidates.length, 0)).toBeGreaterThan(50);
      expect(onnxScores[texts.length]?.candidates).toEqual([]);
      // Decoded entities with real thresholds match too.
      const decodeAt = { startThreshold: 0.5, endThreshold: 0.3, typeThreshold: 0.2 };
      tagger.decodeOptions = { ...tagger.decodeOptions, ...decodeAt };
      const [a, b] = [await tagger.predict(queries), await onnx.predict(queries)];
      const key = (ps: typeof a) => ps.map((p) => p.map((e) => [e.start, e.end, e.type, e.text]));
      expect(key(b)).toEqual(key(a));
      expect(a.flat().length).toBeGreaterThan(0);
      a.flat().forEach((e, j) => {
        expect(Math.abs((b.flat()[j]?.score ?? -1) - e.score)).toBeLessThan(tol);
      });
      onnx.dispose();
      onnx.dispose(); // twice is safe
      await expect(onnx.predict(['x'])).rejects.toThrow(/after dispose/);
    });
  }

  it('leaves no tfjs tensors behind: export and ONNX predictions allocate none', async () => {
    const tagger = await makeTagger(VARIANTS[0] as Variant);
    const before = tf.memory().numTensors;
    const exported = exportTagger(tagger);
    expect(exported.model.byteLength).toBeGreaterThan(1000);
    const onnx = await OnnxSpanTagger.create(tagger, { runtime: await loadOnnxRuntime(), threads: 1 });
    for (let i = 0; i < 20; i++) await onnx.predict(queries);
    expect(tf.memory().numTensors).toBe(before);
    onnx.dispose(); // disposes the source tagger's variables too
    expect(tf.memory().numTensors).toBeLessThan(before);
  });

  it('refuses what it cannot export, saying why', async () => {
    const encoder = await createEncoder({ dim: 16, word: false, context: 'transformer', texts });
    const decoder = new SpanDecoder({ ...defaultDecoderConfig(16, TINY_TYPES), maxWidth: 4 }, { seed: 1 });
    const tagger = new SpanTagger(encoder, decoder);
    expect(onnxUnsupportedReason(tagger)).toMatch(/transformer/);
    expect(() => exportTagger(tagger)).toThrow(/exportTagger: transformer/);
    tagger.dispose();
  });
});
