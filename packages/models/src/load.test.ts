import { existsSync } from 'node:fs';
import { mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readDataset } from '@nerima/core';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LoadedTagger, loadTagger } from './load.js';
import { candidateDirs, MODELS_ENV, resolveTaggerDir, SHIPPED_TAGGERS } from './registry.js';

const repo = fileURLToPath(new URL('../../../', import.meta.url));
const devPath = path.join(repo, '../shared/data/stockmark/dev.jsonl');
const EXAMPLE = 'トヨタ自動車の豊田章男社長は名古屋市で記者会見を開いた。';
const key = (ps: { start: number; end: number; type: string; text: string }[][]) =>
  ps.map((p) => p.map((e) => `${e.start}-${e.end}:${e.type}:${e.text}`));

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(path.join(tmpdir(), 'nerima-models-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('loadTagger (shipped stockmark)', () => {
  let onnx: LoadedTagger;
  let tfjs: LoadedTagger;
  beforeAll(async () => {
    onnx = await loadTagger();
    tfjs = await loadTagger('stockmark', { runtime: 'tfjs' });
  });
  afterAll(() => {
    onnx.dispose();
    tfjs.dispose();
  });

  it('tags the README sentence with no training, on onnxruntime-node', async () => {
    expect(onnx.name).toBe('stockmark');
    expect(onnx.runtime).toBe('onnxruntime-node');
    expect(onnx.types).toHaveLength(8);
    const [ents] = await onnx.predict([EXAMPLE]);
    expect(ents?.map((e) => [e.start, e.end, e.type, e.text])).toEqual([
      [0, 6, 'CORPORATION', 'トヨタ自動車'],
      [7, 11, 'PERSON', '豊田章男'],
      [14, 18, 'LOCATION', '名古屋市'],
    ]);
  });

  it.skipIf(!existsSync(devPath))('gives the same entities on both runtimes over the Stockmark dev set', async () => {
    const texts = (await readDataset(devPath)).sentences.map((s) => s.text);
    const [a, b] = [await tfjs.predict(texts), await onnx.predict(texts)];
    expect(key(b)).toEqual(key(a));
    expect(a.flat().length).toBeGreaterThan(texts.length / 2);
    let maxScoreDiff = 0;
    a.flat().forEach((e, i) => {
      maxScoreDiff = Math.max(maxScoreDiff, Math.abs(e.score - (b.flat()[i]?.score ?? 0)));
    });
    expect(maxScoreDiff).toBeLessThan(1e-4);
  });

  it('handles empty texts, surrogate pairs and half-width forms on both runtimes', async () => {
    const texts = ['', '𠮷野家の社長は東京で会見した。', 'ｿﾆｰ株式会社は東京都港区にある。', '。'];
    const [a, b] = [await tfjs.predict(texts), await onnx.predict(texts)];
    expect(key(b)).toEqual(key(a));
    expect(a[0]).toEqual([]);
    for (const [i, ps] of b.entries()) for (const e of ps) expect(texts[i]?.slice(e.start, e.end)).toBe(e.text);
  });

  it('runs in child processes with processes: 2, giving the same entities', async () => {
    const pooled = await loadTagger('stockmark', { processes: 2 });
    try {
      expect(pooled.processes).toBe(2);
      expect(pooled.runtime).toBe('onnxruntime-node');
      const texts = [EXAMPLE, '', '𠮷野家の社長は東京で会見した。', ...Array(40).fill('大阪府の吉村洋文知事は万博について話した。')];
      expect(key(await pooled.predict(texts))).toEqual(key(await onnx.predict(texts)));
    } finally {
      pooled.dispose();
    }
  });

  it('keeps the tfjs tensor count flat across predictions', async () => {
    await tfjs.predict([EXAMPLE]);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 20; i++) {
      await tfjs.predict([EXAMPLE, '東京']);
      await onnx.predict([EXAMPLE, '東京']);
    }
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('loadTagger (names, paths, errors)', () => {
  it('loads the GSD tagger by name and a tagger folder by path', async () => {
    const gsd = await loadTagger('gsd', { runtime: 'tfjs' });
    expect(gsd.types).toContain('GPE');
    expect(gsd.runtime).toMatch(/^tfjs:/);
    const byPath = await loadTagger(gsd.dir, { runtime: 'tfjs', decode: { allowNested: true } });
    expect(byPath.name).toBe(gsd.dir);
    expect(byPath.spanTagger.decodeOptions.allowNested).toBe(true);
    expect(key(await byPath.predict([EXAMPLE]))).toEqual(key(await gsd.predict([EXAMPLE])));
    gsd.dispose();
    byPath.dispose();
  });

  it('names what it looked for when a name or path does not resolve', async () => {
    await expect(loadTagger('no-such-tagger')).rejects.toThrow(/not a shipped name \(stockmark, gsd\)/);
    await expect(loadTagger(tmp)).rejects.toThrow(/not a folder with tagger\.json/);
  });

  it(`takes shipped names from ${MODELS_ENV} first`, async () => {
    await symlink(resolveTaggerDir('gsd'), path.join(tmp, 'gsd'));
    const saved = process.env[MODELS_ENV];
    process.env[MODELS_ENV] = tmp;
    try {
      expect(candidateDirs('gsd')[0]).toBe(path.join(tmp, 'gsd'));
      expect(resolveTaggerDir('gsd')).toBe(path.join(tmp, 'gsd'));
      // A name missing there falls through to the package's own copy.
      expect(resolveTaggerDir('stockmark')).not.toContain(tmp);
    } finally {
      if (saved === undefined) delete process.env[MODELS_ENV];
      else process.env[MODELS_ENV] = saved;
    }
  });

  it('every shipped tagger carries its card: data, license, command and dev scores', async () => {
    const { readFile } = await import('node:fs/promises');
    for (const name of Object.keys(SHIPPED_TAGGERS)) {
      const meta = JSON.parse(await readFile(path.join(resolveTaggerDir(name), 'tagger.json'), 'utf8')).meta;
      expect(meta.license, name).toMatch(/CC BY-SA/);
      expect(meta.training.command, name).toMatch(/span-supervised\/train\.ts/);
      expect(meta.scores.microF1, name).toBeGreaterThan(0);
    }
  });
});
