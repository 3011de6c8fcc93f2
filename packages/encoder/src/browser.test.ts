import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEncoder, loadEncoderFromBytes, Morphology } from './browser.js';
import { initBackend } from './deps.js';
import { saveEncoder } from './index.js';

const TEXTS = ['東京都に住む山田太郎さん', '𠮷野家で牛丼を食べた。'];
const small = {
  dim: 16,
  char: { embDim: 8, classDim: 4, convFilters: 4 },
  word: { embDim: 4, posDim: 4, biesDim: 4 },
};

let dir: string;
beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
  dir = await mkdtemp(path.join(tmpdir(), 'nerima-enc-browser-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('browser entry', () => {
  it('loadEncoderFromBytes gives the encoder saveEncoder wrote, outputs equal', async () => {
    const enc = await createEncoder({ ...small, texts: TEXTS });
    const file = path.join(dir, 'enc.bin');
    await saveEncoder(enc, file, { dtype: 'float32' });
    const back = await loadEncoderFromBytes(new Uint8Array(await readFile(file)), {}, 'enc.bin');
    const batch = await enc.prepare(TEXTS);
    const diff = tf.tidy(
      () =>
        tf
          .max(tf.abs(tf.sub(enc.combine(enc.encode(batch)), back.combine(back.encode(batch)))))
          .dataSync()[0],
    );
    expect(diff).toBeLessThan(1e-6);
    expect(back.config.word).not.toBe(false);
    enc.dispose();
    back.dispose();
  });

  it('names the bytes in errors', async () => {
    await expect(loadEncoderFromBytes(new Uint8Array([1, 2, 3]), {}, 'model/encoder.bin')).rejects.toThrow(
      /model\/encoder\.bin/,
    );
  });

  it('Morphology finds the installed dictionary on Node.js without a dictPath', async () => {
    const m = await Morphology.create();
    expect(m.tokenize('山田さん').map((t) => t.surface)).toEqual(['山田', 'さん']);
  });
});
