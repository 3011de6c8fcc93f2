/**
 * Test helper (not exported from the package): writes a tiny T5-style encoder–decoder that
 * transformers.js loads like any seq2seq model. It "translates" token by token: the encoder emits,
 * for each position j, the one-hot of the previous input token and of token j; the decoder finds
 * the position whose mapped previous token is its last output and emits the mapped token of that
 * position's input token. So the output is `map(x_0) map(x_1) ... </s>` for inputs whose tokens
 * are distinct (and a mapping that is one-to-one on them). No past key values (zero decoder layers).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import onnxProto, { type onnx as OnnxTypes } from 'onnx-proto';

// CommonJS package: take the namespace from the default export (works under vitest and plain node).
const { onnx } = onnxProto;

/** The shared vocabulary (Unigram pieces; ▁ marks a space). */
export const TINY_VOCAB = [
  '<pad>',
  '</s>',
  '<unk>',
  '<E0>',
  '<E1>',
  'は',
  'に',
  '住む',
  '。',
  '▁wa',
  '▁ni',
  '▁live',
  '.',
  '暮らす',
  '▁',
] as const;

const SPECIAL = new Set(['<pad>', '</s>', '<unk>']);
const id = (t: string) => {
  const i = (TINY_VOCAB as readonly string[]).indexOf(t);
  if (i < 0) throw new Error(`tiny vocab has no ${t}`);
  return i;
};

const F = onnx.TensorProto.DataType.FLOAT;
const I64 = onnx.TensorProto.DataType.INT64;
const INT = onnx.AttributeProto.AttributeType.INT;
const INTS = onnx.AttributeProto.AttributeType.INTS;

function floats(name: string, dims: number[], data: Float32Array): OnnxTypes.ITensorProto {
  return { name, dims, dataType: F, rawData: new Uint8Array(data.buffer) };
}
function ints(name: string, data: number[]): OnnxTypes.ITensorProto {
  return { name, dims: [data.length], dataType: I64, int64Data: data };
}
function valueInfo(name: string, elemType: number, dims: (string | number)[]): OnnxTypes.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType,
        shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  };
}
function model(graph: OnnxTypes.IGraphProto): Uint8Array {
  return onnx.ModelProto.encode(
    onnx.ModelProto.create({
      irVersion: 7,
      opsetImport: [{ domain: '', version: 13 }],
      producerName: 'nerima-test',
      graph,
    }),
  ).finish();
}

function identity(V: number): Float32Array {
  const m = new Float32Array(V * V);
  for (let i = 0; i < V; i++) m[i * V + i] = 1;
  return m;
}

function encoderGraph(V: number): Uint8Array {
  return model({
    name: 'tiny-encoder',
    input: [
      valueInfo('input_ids', I64, ['batch', 'seq']),
      valueInfo('attention_mask', I64, ['batch', 'seq']),
    ],
    output: [valueInfo('last_hidden_state', F, ['batch', 'seq', 2 * V])],
    initializer: [
      floats('eye', [V, V], identity(V)),
      ints('zero', [0]),
      ints('one', [1]),
      ints('minus1', [-1]),
      ints('axis1', [1]),
      ints('axis2', [2]),
    ],
    node: [
      { opType: 'Gather', input: ['eye', 'input_ids'], output: ['onehot'], name: 'onehot' },
      { opType: 'Slice', input: ['input_ids', 'zero', 'one', 'axis1'], output: ['first'], name: 'first' },
      { opType: 'Mul', input: ['first', 'zero'], output: ['padIds'], name: 'padIds' },
      { opType: 'Gather', input: ['eye', 'padIds'], output: ['padRow'], name: 'padRow' },
      { opType: 'Slice', input: ['onehot', 'zero', 'minus1', 'axis1'], output: ['prev'], name: 'prev' },
      {
        opType: 'Concat',
        input: ['padRow', 'prev'],
        output: ['shifted'],
        name: 'shifted',
        attribute: [{ name: 'axis', i: 1, type: INT }],
      },
      {
        opType: 'Concat',
        input: ['shifted', 'onehot'],
        output: ['h'],
        name: 'h',
        attribute: [{ name: 'axis', i: 2, type: INT }],
      },
      {
        opType: 'Cast',
        input: ['attention_mask'],
        output: ['maskF'],
        name: 'cast',
        attribute: [{ name: 'to', i: F, type: INT }],
      },
      { opType: 'Unsqueeze', input: ['maskF', 'axis2'], output: ['mask3'], name: 'unsq' },
      { opType: 'Mul', input: ['h', 'mask3'], output: ['last_hidden_state'], name: 'masked' },
    ],
  });
}

function decoderGraph(V: number, map: Float32Array): Uint8Array {
  return model({
    name: 'tiny-decoder',
    input: [
      valueInfo('input_ids', I64, ['batch', 'dec']),
      valueInfo('encoder_hidden_states', F, ['batch', 'seq', 2 * V]),
    ],
    output: [valueInfo('logits', F, ['batch', 'dec', V])],
    initializer: [
      floats('eye', [V, V], identity(V)),
      floats('map', [V, V], map),
      floats('ten', [1], new Float32Array([10])),
      ints('zero', [0]),
      ints('v', [V]),
      ints('v2', [2 * V]),
      ints('axis2', [2]),
    ],
    node: [
      { opType: 'Gather', input: ['eye', 'input_ids'], output: ['p'], name: 'p' },
      {
        opType: 'Slice',
        input: ['encoder_hidden_states', 'zero', 'v', 'axis2'],
        output: ['cur'],
        name: 'cur',
      },
      { opType: 'Slice', input: ['encoder_hidden_states', 'v', 'v2', 'axis2'], output: ['nxt'], name: 'nxt' },
      { opType: 'MatMul', input: ['cur', 'map'], output: ['curMapped'], name: 'curMapped' },
      {
        opType: 'Transpose',
        input: ['curMapped'],
        output: ['curT'],
        name: 'curT',
        attribute: [{ name: 'perm', ints: [0, 2, 1], type: INTS }],
      },
      { opType: 'MatMul', input: ['p', 'curT'], output: ['match'], name: 'match' },
      { opType: 'MatMul', input: ['match', 'nxt'], output: ['next'], name: 'next' },
      { opType: 'MatMul', input: ['next', 'map'], output: ['mapped'], name: 'mapped' },
      { opType: 'Mul', input: ['mapped', 'ten'], output: ['logits'], name: 'logits' },
    ],
  });
}

/**
 * Writes a loadable model folder to `dir` whose output maps each input token through `mapping`
 * (tokens not listed map to themselves).
 */
export async function writeTinySeq2Seq(
  dir: string,
  mapping: Readonly<Record<string, string>>,
): Promise<void> {
  const V = TINY_VOCAB.length;
  const map = identity(V);
  for (const [from, to] of Object.entries(mapping)) {
    const i = id(from);
    map.fill(0, i * V, (i + 1) * V);
    map[i * V + id(to)] = 1;
  }
  await mkdir(path.join(dir, 'onnx'), { recursive: true });
  await writeFile(path.join(dir, 'onnx', 'encoder_model.onnx'), encoderGraph(V));
  await writeFile(path.join(dir, 'onnx', 'decoder_model_merged.onnx'), decoderGraph(V, map));
  const added = TINY_VOCAB.map((content, i) => ({ content, i })).filter(
    ({ content }) => SPECIAL.has(content) || content.startsWith('<E'),
  );
  const tokenizer = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: added.map(({ content, i }) => ({
      id: i,
      content,
      single_word: false,
      lstrip: false,
      rstrip: false,
      normalized: false,
      special: SPECIAL.has(content),
    })),
    normalizer: null,
    pre_tokenizer: { type: 'Metaspace', replacement: '▁', prepend_scheme: 'never', split: false },
    post_processor: {
      type: 'TemplateProcessing',
      single: [{ Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '</s>', type_id: 0 } }],
      pair: [
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: '</s>', type_id: 0 } },
        { Sequence: { id: 'B', type_id: 0 } },
        { SpecialToken: { id: '</s>', type_id: 0 } },
      ],
      special_tokens: { '</s>': { id: '</s>', ids: [1], tokens: ['</s>'] } },
    },
    decoder: { type: 'Metaspace', replacement: '▁', prepend_scheme: 'never', split: false },
    model: {
      type: 'Unigram',
      unk_id: 2,
      vocab: TINY_VOCAB.map((t) => [t, t.length > 1 ? -1 : -2]),
      byte_fallback: false,
    },
  };
  await writeFile(path.join(dir, 'tokenizer.json'), JSON.stringify(tokenizer));
  await writeFile(
    path.join(dir, 'tokenizer_config.json'),
    JSON.stringify({
      tokenizer_class: 'T5Tokenizer',
      eos_token: '</s>',
      unk_token: '<unk>',
      pad_token: '<pad>',
      model_max_length: 64,
      clean_up_tokenization_spaces: false,
    }),
  );
  const common = { decoder_start_token_id: 0, eos_token_id: 1, pad_token_id: 0 };
  await writeFile(
    path.join(dir, 'config.json'),
    JSON.stringify({
      model_type: 't5',
      architectures: ['T5ForConditionalGeneration'],
      is_encoder_decoder: true,
      d_model: 2 * V,
      d_kv: 1,
      num_heads: 1,
      num_layers: 0,
      num_decoder_layers: 0,
      vocab_size: V,
      ...common,
    }),
  );
  await writeFile(path.join(dir, 'generation_config.json'), JSON.stringify({ ...common, max_length: 64 }));
}
