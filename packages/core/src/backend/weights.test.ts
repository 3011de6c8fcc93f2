import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Tensor } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from './init.js';
import { randn } from './test-helpers.js';
import {
  deserializeWeights,
  loadWeights,
  readWeightsHeader,
  saveWeights,
  serializeWeights,
  WEIGHTS_MAGIC,
} from './weights.js';

let dir: string;

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
  dir = await mkdtemp(join(tmpdir(), 'nerima-weights-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const meta = { format: 'nerima-encoder', version: 2, config: { dim: 4, name: 'tiny', layers: [1, 2] } };

function sample(): Map<string, Tensor> {
  return new Map<string, Tensor>([
    ['emb/w', tf.tensor2d(randn('emb', 12), [3, 4])],
    ['bias', tf.tensor1d([0.5, -1.25, 3e-3])],
    ['scalar', tf.scalar(7.5)],
    ['ids', tf.tensor1d([1, -2, 3], 'int32')],
    ['mask', tf.tensor1d([1, 0, 1], 'bool')],
    ['empty', tf.zeros([0, 4])],
  ]);
}

describe('weights files', () => {
  it('round-trips float32 exactly, with int32 and bool, config and metadata', async () => {
    const tensors = sample();
    const path = join(dir, 'a.nrw');
    await saveWeights(path, tensors, meta);
    const loaded = await loadWeights<typeof meta.config>(path, { format: 'nerima-encoder', version: 2 });
    expect(loaded.config).toEqual(meta.config);
    expect(loaded.format).toBe('nerima-encoder');
    expect(loaded.version).toBe(2);
    expect([...loaded.tensors.keys()]).toEqual([...tensors.keys()]);
    for (const [name, t] of tensors) {
      const got = loaded.tensors.get(name) as Tensor;
      expect(got.shape, name).toEqual(t.shape);
      expect(got.dtype, name).toBe(t.dtype);
      expect(Array.from(got.dataSync()), name).toEqual(Array.from(t.dataSync()));
    }
    tf.dispose([...tensors.values(), ...loaded.tensors.values()]);
  });

  it('accepts a plain object of tensors and writes the magic bytes first', async () => {
    const w = tf.tensor1d([1, 2]);
    const bytes = await serializeWeights({ w }, meta);
    expect(new TextDecoder().decode(bytes.subarray(0, 8))).toBe(WEIGHTS_MAGIC);
    const { header } = readWeightsHeader(bytes);
    expect(header.tensors).toEqual([{ name: 'w', shape: [2], dtype: 'float32', offset: 0, byteLength: 8 }]);
    w.dispose();
  });

  it('stores float16 on request (half the bytes) within 1e-3 relative error; ints stay exact', async () => {
    const values = randn('half', 2000, 3);
    const big = tf.tensor1d(values);
    const ids = tf.tensor1d([70000, -3], 'int32');
    const f32 = await serializeWeights({ big, ids }, meta);
    const f16 = await serializeWeights({ big, ids }, { ...meta, dtype: 'float16' });
    expect(f16.byteLength).toBeLessThan(f32.byteLength * 0.6);
    const loaded = deserializeWeights(f16, { format: 'nerima-encoder', version: 2 });
    const back = (loaded.tensors.get('big') as Tensor).dataSync();
    expect((loaded.tensors.get('big') as Tensor).dtype).toBe('float32');
    values.forEach((v, i) => {
      expect(Math.abs((back[i] as number) - v)).toBeLessThanOrEqual(1e-3 * Math.abs(v));
    });
    expect(Array.from((loaded.tensors.get('ids') as Tensor).dataSync())).toEqual([70000, -3]);
    tf.dispose([big, ids, ...loaded.tensors.values()]);
  });

  it('writes atomically: no temporary file is left next to the target, and it replaces an old file', async () => {
    const path = join(dir, 'atomic.nrw');
    await writeFile(path, 'old');
    const w = tf.tensor1d([1]);
    await saveWeights(path, { w }, meta);
    expect((await readdir(dir)).filter((f) => f.includes('atomic'))).toEqual(['atomic.nrw']);
    expect(new TextDecoder().decode((await readFile(path)).subarray(0, 8))).toBe(WEIGHTS_MAGIC);
    w.dispose();
  });
});

describe('weights errors name the file and what differs', () => {
  let path: string;
  beforeAll(async () => {
    path = join(dir, 'enc.nrw');
    const w = tf.tensor2d(randn('w', 6), [2, 3]);
    await saveWeights(path, { 'layer0/w': w, 'layer0/b': tf.zeros([3]) }, { ...meta, version: 1 });
    w.dispose();
  });

  it('wrong magic', async () => {
    const bad = join(dir, 'bad.nrw');
    await writeFile(bad, 'PK\u0003\u0004 this is a zip file, not weights');
    await expect(loadWeights(bad, { format: 'nerima-encoder', version: 1 })).rejects.toThrow(
      `${bad} is not a nerima weights file (it does not start with the bytes 'NERIMAWT')`,
    );
  });

  it('wrong version or format', async () => {
    await expect(loadWeights(path, { format: 'nerima-encoder', version: 2 })).rejects.toThrow(
      `${path} has format nerima-encoder v1, expected nerima-encoder v2`,
    );
    await expect(loadWeights(path, { format: 'nerima-crf', version: 1 })).rejects.toThrow(
      `${path} has format nerima-encoder v1, expected nerima-crf v1`,
    );
  });

  it('missing tensor', async () => {
    await expect(
      loadWeights(path, { format: 'nerima-encoder', version: 1, shapes: { 'layer1/w': [3, 3] } }),
    ).rejects.toThrow(
      `${path}: tensor 'layer1/w' (shape [3, 3]) is missing; the file has 2 tensors: layer0/w, layer0/b`,
    );
  });

  it('shape mismatch names the tensor and both shapes', async () => {
    await expect(
      loadWeights(path, { format: 'nerima-encoder', version: 1, shapes: { 'layer0/w': [3, 2] } }),
    ).rejects.toThrow(`${path}: tensor 'layer0/w' has shape [2, 3], expected [3, 2]`);
  });

  it('matching shapes load', async () => {
    const { tensors } = await loadWeights(path, {
      format: 'nerima-encoder',
      version: 1,
      shapes: { 'layer0/w': [2, 3], 'layer0/b': [3] },
    });
    expect(tensors.size).toBe(2);
    tf.dispose([...tensors.values()]);
  });

  it('truncated file', async () => {
    const bytes = await readFile(path);
    const cut = join(dir, 'cut.nrw');
    await writeFile(cut, bytes.subarray(0, bytes.byteLength - 5));
    await expect(loadWeights(cut, { format: 'nerima-encoder', version: 1 })).rejects.toThrow(
      `${cut}: tensor 'layer0/b' lies past the end of the file`,
    );
  });

  it('unreadable path', async () => {
    await expect(loadWeights(join(dir, 'nope.nrw'), { format: 'x', version: 1 })).rejects.toThrow(
      /loadWeights: cannot read .*nope\.nrw: ENOENT/,
    );
  });
});
