import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { onnx } from 'onnx-proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from './deps.js';
import { alignTokens, createHfContextEncoder } from './hf.js';

const SPECIAL = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'];
const VOCAB = [...SPECIAL, '東', '京', '都', 'の', 'やま', '##だ', 'さん', '𠮷', 'AB', '##C', '、', 'は'];
const H = 4;

/** A tiny "BERT": word + token-type embedding gather, times the attention mask. Row i of the word embedding is [i, i+0.5, -i, 1]. */
function tinyBertOnnx(): Uint8Array {
  const V = VOCAB.length;
  const word = new Float32Array(V * H);
  for (let i = 0; i < V; i++) word.set([i, i + 0.5, -i, 1], i * H);
  const type = new Float32Array(2 * H);
  const f = onnx.TensorProto.DataType.FLOAT;
  const i64 = onnx.TensorProto.DataType.INT64;
  const dims = (names: string[]) => ({
    dim: names.map((n) => (n === 'H' ? { dimValue: H } : { dimParam: n })),
  });
  const input = (name: string) => ({
    name,
    type: { tensorType: { elemType: i64, shape: dims(['batch', 'seq']) } },
  });
  const graph: onnx.IGraphProto = {
    name: 'tiny-bert',
    input: [input('input_ids'), input('attention_mask'), input('token_type_ids')],
    output: [
      {
        name: 'last_hidden_state',
        type: { tensorType: { elemType: f, shape: dims(['batch', 'seq', 'H']) } },
      },
    ],
    initializer: [
      { name: 'word_emb', dims: [V, H], dataType: f, rawData: new Uint8Array(word.buffer) },
      { name: 'type_emb', dims: [2, H], dataType: f, rawData: new Uint8Array(type.buffer) },
      { name: 'axes', dims: [1], dataType: i64, int64Data: [-1] },
    ],
    node: [
      { opType: 'Gather', input: ['word_emb', 'input_ids'], output: ['we'], name: 'g1' },
      { opType: 'Gather', input: ['type_emb', 'token_type_ids'], output: ['te'], name: 'g2' },
      { opType: 'Add', input: ['we', 'te'], output: ['x'], name: 'add' },
      {
        opType: 'Cast',
        input: ['attention_mask'],
        output: ['mf'],
        name: 'cast',
        attribute: [{ name: 'to', i: f, type: onnx.AttributeProto.AttributeType.INT }],
      },
      { opType: 'Unsqueeze', input: ['mf', 'axes'], output: ['m3'], name: 'unsq' },
      { opType: 'Mul', input: ['x', 'm3'], output: ['last_hidden_state'], name: 'mul' },
    ],
  };
  const model: onnx.IModelProto = {
    irVersion: 7,
    opsetImport: [{ domain: '', version: 13 }],
    producerName: 'nerima-test',
    graph,
  };
  return onnx.ModelProto.encode(onnx.ModelProto.create(model)).finish();
}

async function writeTinyModel(dir: string): Promise<void> {
  await mkdir(path.join(dir, 'onnx'), { recursive: true });
  await writeFile(path.join(dir, 'onnx', 'model.onnx'), tinyBertOnnx());
  const vocab = Object.fromEntries(VOCAB.map((t, i) => [t, i]));
  const tokenizer = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: SPECIAL.map((content, id) => ({
      id,
      content,
      single_word: false,
      lstrip: false,
      rstrip: false,
      normalized: false,
      special: true,
    })),
    normalizer: {
      type: 'Sequence',
      normalizers: [
        { type: 'NFKC' },
        {
          type: 'BertNormalizer',
          clean_text: true,
          handle_chinese_chars: true,
          strip_accents: false,
          lowercase: false,
        },
      ],
    },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [
        { SpecialToken: { id: '[CLS]', type_id: 0 } },
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: '[SEP]', type_id: 0 } },
      ],
      pair: [
        { SpecialToken: { id: '[CLS]', type_id: 0 } },
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: '[SEP]', type_id: 0 } },
        { Sequence: { id: 'B', type_id: 1 } },
        { SpecialToken: { id: '[SEP]', type_id: 1 } },
      ],
      special_tokens: {
        '[CLS]': { id: '[CLS]', ids: [2], tokens: ['[CLS]'] },
        '[SEP]': { id: '[SEP]', ids: [3], tokens: ['[SEP]'] },
      },
    },
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: {
      type: 'WordPiece',
      unk_token: '[UNK]',
      continuing_subword_prefix: '##',
      max_input_chars_per_word: 100,
      vocab,
    },
  };
  await writeFile(path.join(dir, 'tokenizer.json'), JSON.stringify(tokenizer));
  await writeFile(
    path.join(dir, 'tokenizer_config.json'),
    JSON.stringify({
      tokenizer_class: 'BertTokenizer',
      do_lower_case: false,
      model_max_length: 64,
      unk_token: '[UNK]',
      cls_token: '[CLS]',
      sep_token: '[SEP]',
      pad_token: '[PAD]',
      mask_token: '[MASK]',
    }),
  );
  await writeFile(
    path.join(dir, 'config.json'),
    JSON.stringify({
      model_type: 'bert',
      architectures: ['BertModel'],
      hidden_size: H,
      vocab_size: VOCAB.length,
      num_hidden_layers: 1,
      num_attention_heads: 1,
      max_position_embeddings: 64,
      type_vocab_size: 2,
    }),
  );
}

describe('alignTokens', () => {
  const opts = {
    prefix: '##',
    unk: '[UNK]',
    specials: new Set(SPECIAL),
    normalizeChar: (c: string) => c.normalize('NFKC'),
  };
  it('maps ## pieces, [UNK] and specials to UTF-16 spans', () => {
    const text = 'やまだ ぬぬ、ＡＢＣ𠮷';
    const spans = alignTokens(
      text,
      ['[CLS]', 'やま', '##だ', '[UNK]', '、', 'AB', '##C', '𠮷', '[SEP]'],
      opts,
    );
    expect(spans.map((s) => [s.token, text.slice(s.start, s.end)])).toEqual([
      ['[CLS]', ''],
      ['やま', 'やま'],
      ['##だ', 'だ'],
      ['[UNK]', 'ぬぬ'],
      ['、', '、'],
      ['AB', 'ＡＢ'],
      ['##C', 'Ｃ'],
      ['𠮷', '𠮷'],
      ['[SEP]', ''],
    ]);
  });
});

let dir: string;
beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
  dir = await mkdtemp(path.join(tmpdir(), 'nerima-hf-'));
  await writeTinyModel(path.join(dir, 'tiny-bert'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('createHfContextEncoder (offline tiny BERT)', () => {
  it('loads a local folder with remote models off and aligns hidden states to characters', async () => {
    const enc = await createHfContextEncoder({
      model: path.join(dir, 'tiny-bert'),
      allowRemoteModels: false,
    });
    expect(enc.dim).toBe(H);
    const texts = ['東京都 やまだ、さん', '𠮷、ＡＢＣ は ぬ'];
    const al = enc.align(texts[1]!);
    expect(al.map((a) => [a.token, texts[1]!.slice(a.start, a.end)])).toEqual([
      ['𠮷', '𠮷'],
      ['、', '、'],
      ['AB', 'ＡＢ'],
      ['##C', 'Ｃ'],
      ['は', 'は'],
      ['[UNK]', 'ぬ'],
    ]);
    const before = tf.memory().numTensors;
    const feats = await enc.encode(texts);
    expect(feats.shape).toEqual([2, 10, H]);
    const arr = feats.arraySync();
    const idOf = (b: number, i: number) => arr[b]![i]![0];
    const id = (t: string) => VOCAB.indexOf(t);
    // sentence 1: 東 京 都 ␠ や ま だ 、 さ ん
    expect([0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map((i) => idOf(0, i))).toEqual([
      id('東'),
      id('京'),
      id('都'),
      0,
      id('やま'),
      id('やま'),
      id('##だ'),
      id('、'),
      id('さん'),
      id('さん'),
    ]);
    const padded = await enc.encode([texts[1]!, 'の']);
    expect(padded.arraySync()[1]![1]).toEqual([0, 0, 0, 0]); // padding
    padded.dispose();
    // sentence 2: 𠮷 (2 units) 、 Ａ Ｂ Ｃ ␠ は ␠ ぬ
    expect(texts[1]!.length).toBe(10);
    feats.dispose();
    const feats2 = await enc.encode([texts[1]!]);
    const a2 = feats2.arraySync()[0]!;
    expect(a2.map((v) => v[0])).toEqual([
      id('𠮷'),
      id('𠮷'),
      id('、'),
      id('AB'),
      id('AB'),
      id('##C'),
      0,
      id('は'),
      0,
      id('[UNK]'),
    ]);
    expect(a2[5]![3]).toBe(1); // real rows have the constant 1 column; spaces are zeros
    expect(a2[6]![3]).toBe(0);
    feats2.dispose();
    expect(tf.memory().numTensors).toBe(before);
    await enc.dispose();
  });

  it('fails clearly for a missing model when remote models are off', async () => {
    await expect(
      createHfContextEncoder({ model: 'no-such/model', allowRemoteModels: false, localModelPath: dir }),
    ).rejects.toThrow(/cannot load model 'no-such\/model'/);
  });
});
