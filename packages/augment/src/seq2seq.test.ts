import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { augment } from './augment.js';
import { createParaphrase, loadParaphrase } from './generators/paraphrase.js';
import {
  cutAtEos,
  loadSeq2Seq,
  ModelUnavailableError,
  resolveSeq2SeqModel,
  type TextToText,
} from './seq2seq.js';
import { generateFor, sentence, show } from './test-helpers.js';
import { writeTinySeq2Seq } from './test-seq2seq.js';

let dir: string;
const JA_EN = { は: '▁wa', に: '▁ni', 住む: '▁live', '。': '.' };
const EN_JA = { '▁wa': 'は', '▁ni': 'に', '▁live': '暮らす', '.': '。' };

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'nerima-seq2seq-'));
  await writeTinySeq2Seq(path.join(dir, 'tiny-ja-en'), JA_EN);
  await writeTinySeq2Seq(path.join(dir, 'tiny-en-ja'), EN_JA);
  await mkdir(path.join(dir, 'half'), { recursive: true });
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('loadSeq2Seq (tiny T5-style model written by the test, offline)', () => {
  it('loads a local folder with remote models off and translates a batch, cutting rows at </s>', async () => {
    const m = await loadSeq2Seq({ model: path.join(dir, 'tiny-ja-en'), allowRemoteModels: false });
    // The second, shorter row finishes first; transformers.js keeps decoding it, cutAtEos trims it.
    expect(await m.generate(['<E0>は<E1>に住む。', '<E0>は。'])).toEqual([
      '<E0> wa<E1> ni live.',
      '<E0> wa.',
    ]);
    await m.dispose?.();
    await expect(m.generate(['は'])).rejects.toThrow(/disposed/);
  });

  it('finds a model by name under modelsDir', async () => {
    expect(resolveSeq2SeqModel('tiny-en-ja', { modelsDir: dir })).toEqual({
      kind: 'folder',
      folder: path.join(dir, 'tiny-en-ja'),
      missing: [],
    });
    const m = await loadSeq2Seq({ model: 'tiny-en-ja', modelsDir: dir, allowRemoteModels: false });
    expect(await m.generate(['<E0> wa<E1> ni live.'])).toEqual(['<E0>は<E1>に暮らす。']);
  });

  it('fails clearly when files are missing or the model is nowhere and remote models are off', async () => {
    await expect(loadSeq2Seq({ model: path.join(dir, 'half') })).rejects.toThrow(
      /half lacks config\.json, tokenizer\.json, tokenizer_config\.json, onnx\/encoder_model\.onnx, onnx\/decoder_model_merged\.onnx/,
    );
    const err = await loadSeq2Seq({ model: 'no-such/model', modelsDir: dir, allowRemoteModels: false }).catch(
      (e) => e,
    );
    expect(err).toBeInstanceOf(ModelUnavailableError);
    expect(err.message).toMatch(
      /'no-such\/model' not found: no folder at .*no-such\/model or .*no-such\/model, and remote models are disabled/,
    );
    expect(resolveSeq2SeqModel('x', { modelsDir: dir, dtype: 'q8' })).toMatchObject({ kind: 'remote' });
  });

  it('cutAtEos keeps the decoder start token and the first </s>', () => {
    expect(
      cutAtEos(
        [
          [0, 5, 1, 7, 1],
          [0, 1],
          [0n, 4n],
        ],
        [1],
      ),
    ).toEqual([
      [0, 5, 1],
      [0, 1],
      [0n, 4n],
    ]);
  });
});

describe('paraphrase by back-translation', () => {
  const src = sentence('s', '田中は東京に住む。', [
    ['田中', 'PER'],
    ['東京', 'LOC'],
  ]);

  it('round-trips through two tiny models with entities protected and restored', async () => {
    const g = await loadParaphrase({
      backTranslation: [path.join(dir, 'tiny-ja-en'), path.join(dir, 'tiny-en-ja')],
      shared: { allowRemoteModels: false },
    });
    expect(g.unavailable).toBeUndefined();
    const { candidates } = await generateFor(g, [src], src);
    expect(candidates.map(show)).toEqual([['田中は東京に暮らす。', ['田中/PER@0', '東京/LOC@3']]]);
    expect(candidates[0]!.provenance).toEqual({
      kind: 'paraphrase',
      models: [path.join(dir, 'tiny-ja-en'), path.join(dir, 'tiny-en-ja')],
      protectedText: '<E0>は<E1>に住む。',
      outputs: ['<E0> wa<E1> ni live.', '<E0>は<E1>に暮らす。'],
      placeholders: [0, 1],
    });
    await g.dispose?.();
  });

  it('is unavailable with one clear warning when a model is missing, and the other generators still run', async () => {
    const g = await loadParaphrase({
      backTranslation: [path.join(dir, 'tiny-ja-en'), 'opus-mt-en-ja'],
      shared: { allowRemoteModels: false, modelsDir: dir },
    });
    expect(g.unavailable).toMatch(
      /^paraphrase: no model available, paraphrase skipped: seq2seq model 'opus-mt-en-ja' not found/,
    );
    const echo: TextToText = {
      id: 'echo',
      generate: async (t) => t.map((x) => x.replace('住む', '住んでいる')),
    };
    const { report, sentences } = await augment([src], {
      generators: [g, createParaphrase({ name: 'echo', models: [echo] })],
      seed: 1,
    });
    expect(report.warnings).toEqual([g.unavailable]);
    expect(report.generators['paraphrase']).toMatchObject({ available: false, generated: 0 });
    expect(sentences.map((s) => s.text)).toEqual(['田中は東京に住んでいる。']);
  });

  it('drops a rewrite whose placeholders did not survive, with the reason', async () => {
    const lossy: TextToText = { id: 'lossy', generate: async (t) => t.map((x) => x.replace('<E1>', 'そこ')) };
    const { candidates, drops } = await generateFor(createParaphrase({ models: [lossy] }), [src], src);
    expect(candidates).toEqual([]);
    expect(drops).toEqual(['placeholder-missing']);
    const same: TextToText = { id: 'same', generate: async (t) => [...t] };
    expect((await generateFor(createParaphrase({ models: [same] }), [src], src)).drops).toEqual([
      'unchanged',
    ]);
  });
});
