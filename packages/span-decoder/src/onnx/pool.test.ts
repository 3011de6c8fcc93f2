import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createEncoder } from '@nerima/encoder';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultDecoderConfig } from '../config.js';
import { SpanDecoder } from '../decoder.js';
import { loadSpanTagger, SpanTagger } from '../tagger.js';
import { setupTestBackend, TINY_TYPES, tinyDataset } from '../test-helpers.js';
import { OnnxSpanTagger } from './onnx-tagger.js';
import { OnnxTaggerPool } from './pool.js';

const texts = tinyDataset().map((s) => s.text);
let dir: string;
let folder: string;
beforeAll(async () => {
  await setupTestBackend();
  dir = await mkdtemp(path.join(tmpdir(), 'nerima-pool-'));
  folder = path.join(dir, 'tagger');
  const encoder = await createEncoder({
    dim: 16,
    word: false,
    char: { embDim: 8, classDim: 4, convFilters: 8 },
    conv: { width: 3, dilations: [1, 2] },
    texts,
  });
  const decoder = new SpanDecoder(
    { ...defaultDecoderConfig(48, TINY_TYPES), maxWidth: 6, startHidden: 16, endHidden: 16, spanDim: 16 },
    { seed: 2 },
  );
  const tagger = new SpanTagger(encoder, decoder, {
    features: 'concat',
    decode: { startThreshold: 0.45, endThreshold: 0.3, typeThreshold: 0.2 },
  });
  await tagger.save(folder);
  tagger.dispose();
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('OnnxTaggerPool', () => {
  it('returns what one in-process OnnxSpanTagger returns, in input order, across batches', async () => {
    const pool = await OnnxTaggerPool.create({ from: folder, processes: 2, batchSize: 3 });
    const one = await OnnxSpanTagger.create(await loadSpanTagger({ from: folder, batchSize: 3 }), {
      threads: 1,
    });
    expect(pool.size).toBe(2);
    expect(pool.types).toEqual(TINY_TYPES);
    const many = [...texts, '', '𠮷野家', ...texts.map((t) => t.slice(2)), ...texts];
    const [a, b] = await Promise.all([pool.predict(many), pool.predict(texts.slice(0, 2))]);
    expect(a).toEqual(await one.predict(many));
    expect(b).toEqual(await one.predict(texts.slice(0, 2)));
    expect(a.flat().length).toBeGreaterThan(0);
    pool.dispose();
    pool.dispose(); // twice is safe
    await expect(pool.predict(['x'])).rejects.toThrow(/after dispose/);
    one.dispose();
  });

  it('fails to start with a message naming the folder', async () => {
    const missing = path.join(dir, 'nope');
    await expect(OnnxTaggerPool.create({ from: missing, processes: 1 })).rejects.toThrow(missing);
    await expect(OnnxTaggerPool.create({ from: folder, processes: 0 })).rejects.toThrow(/positive integer/);
  });
});
