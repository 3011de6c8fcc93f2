/**
 * Exports a span tagger's per-position computation to ONNX: the encoder (char level, word /
 * gazetteer level, dilated-conv context) and every per-position projection of the decoder, fused
 * into one MatMul. The start → end → type cascade over those projections runs in JS
 * (see cascade.ts), so one batch is one session run with no tensor round trips.
 *
 * Graph inputs (B texts, padded length T): `charIds`, `classIds` int32 [B, T], `mask` float [B, T],
 * with word features `wordIds`, `posIds`, `bies` int32 [B, T], with the gazetteer `gazetteer` float
 * [B, T, 14]. Outputs, as rows b·T + t: `start` (P(start)), `proj` (see {@link ProjectionLayout}) and
 * `h`; a second model projects the rows of h at selected starts.
 */
import { NerimaEncoder } from '@nerima/encoder';
import type * as tf from '@tensorflow/tfjs-core';
import type { SpanDecoderConfig } from '../config.js';
import type { FeatureMode } from '../features.js';
import type { SpanTagger } from '../tagger.js';
import { LinearTypeScorer } from '../type-scorer.js';
import { GraphBuilder } from './graph.js';

/**
 * Column ranges, each `[offset, width]`, of the three projection outputs: the per-position `proj`
 * (end.e, biaffine k; width 0 without biaffine), the start rows' `rowsProj` (end.s with bias,
 * biaffine q, span.s with bias) and the covered rows' `spanProj` (span.m, span.e).
 */
export interface ProjectionLayout {
  endE: [number, number];
  bk: [number, number];
  width: number;
  endS: [number, number];
  bq: [number, number];
  spanS: [number, number];
  rowsWidth: number;
  spanM: [number, number];
  spanE: [number, number];
  spanWidth: number;
  /** Width of h (the rows models' input). */
  inputDim: number;
}

/** The small weights the JS cascade needs (all float32, row-major). */
export interface CascadeWeights {
  config: SpanDecoderConfig;
  layout: ProjectionLayout;
  /** span.width · span.widthProj: [K, spanDim]. */
  spanWidth: Float32Array;
  /** type.linear.w [spanDim, 1 + types], type.linear.b [1 + types]. */
  typeW: Float32Array;
  typeB: Float32Array;
}

/** An exported tagger: the three ONNX models and the cascade weights. */
export interface ExportedTagger {
  /** Per position: inputs → `start` [B*T, 1], `proj` [B*T, layout.width], `h` [B*T, inputDim]. */
  model: Uint8Array;
  /**
   * Per selected start: `rows` [G, inputDim] and `ends` [G, maxWidth, layout.width] →
   * `rowsProj` [G, layout.rowsWidth] and `endProbs` [G, maxWidth].
   */
  rowsModel: Uint8Array;
  /** Per position inside some candidate span: `rows` [R, inputDim] → `spanProj` [R, layout.spanWidth]. */
  spanModel: Uint8Array;
  cascade: CascadeWeights;
  /** Graph input names, in the order `runOnnx` feeds them. */
  inputs: string[];
}

/** Why a tagger cannot be exported (null when it can). */
export function onnxUnsupportedReason(tagger: SpanTagger): string | null {
  if (!(tagger.encoder instanceof NerimaEncoder)) return 'the encoder is not a NerimaEncoder';
  if (tagger.encoder.config.context === 'transformer') return 'transformer context layers are not exported';
  if (!(tagger.decoder.typeScorer instanceof LinearTypeScorer))
    return 'only the linear type scorer is exported';
  return null;
}

function values(t: tf.Tensor): Float32Array {
  return t.dataSync() as Float32Array;
}

/** [rows, a] · [a, b] in JS (small weight products only). */
function matmul(a: Float32Array, b: Float32Array, rows: number, inner: number, cols: number): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    for (let k = 0; k < inner; k++) {
      const x = a[i * inner + k] as number;
      if (x === 0) continue;
      for (let j = 0; j < cols; j++)
        out[i * cols + j] = (out[i * cols + j] as number) + x * (b[k * cols + j] as number);
    }
  }
  return out;
}

/** Conv kernel [F, C, w] from the encoder's shifted-copy weight [w * C, F]. */
function convKernel(w: Float32Array, width: number, C: number, F: number): Float32Array {
  const out = new Float32Array(F * C * width);
  for (let k = 0; k < width; k++)
    for (let c = 0; c < C; c++)
      for (let f = 0; f < F; f++) out[(f * C + c) * width + k] = w[(k * C + c) * F + f] as number;
  return out;
}

/** Builds the ONNX model and cascade weights of `tagger` (throws when {@link onnxUnsupportedReason}). */
export function exportTagger(tagger: SpanTagger): ExportedTagger {
  const reason = onnxUnsupportedReason(tagger);
  if (reason) throw new Error(`exportTagger: ${reason}`);
  const enc = tagger.encoder as NerimaEncoder;
  const c = enc.config;
  const P = (name: string): tf.Tensor => {
    const v = enc.params.get(name);
    if (!v) throw new Error(`exportTagger: encoder weight ${name} is missing`);
    return v;
  };
  const g = new GraphBuilder();
  const w = (name: string) => g.float(values(P(name)), P(name).shape, `enc/${name}`);
  const inputs: string[] = ['charIds', 'classIds', 'mask'];
  const charIds = g.input('charIds', 'int32', ['B', 'T']);
  const classIds = g.input('classIds', 'int32', ['B', 'T']);
  const mask = g.input('mask', 'float', ['B', 'T']);
  const mask3 = g.op('Unsqueeze', [mask, g.int64([-1])]);

  // Conv over time on [B, T, C] (same padding, the encoder's window offsets).
  const conv = (x: string, weight: string, bias: string, width: number, dilation: number): string => {
    const wt = P(weight);
    const C = (wt.shape[0] as number) / width;
    const F = wt.shape[1] as number;
    const kernel = g.float(convKernel(values(wt), width, C, F), [F, C, width]);
    const left = Math.floor(width / 2) * dilation;
    const right = (width - 1 - Math.floor(width / 2)) * dilation;
    const xt = g.op('Transpose', [x], { perm: [0, 2, 1] });
    const y = g.op('Conv', [xt, kernel, w(bias)], {
      dilations: [dilation],
      pads: [left, right],
      kernel_shape: [width],
    });
    return g.op('Transpose', [y], { perm: [0, 2, 1] });
  };

  // ---- char level
  let e = g.op(
    'Concat',
    [g.op('Gather', [w('char/emb'), charIds]), g.op('Gather', [w('char/class_emb'), classIds])],
    {
      axis: 2,
    },
  );
  e = g.op('Mul', [e, mask3]);
  const parts = [e];
  for (const width of c.char.convWidths) {
    parts.push(g.op('Relu', [conv(e, `char/conv${width}/w`, `char/conv${width}/b`, width, 1)]));
  }
  const charIn = g.op('Concat', parts, { axis: 2 });
  const charOut = g.op('Mul', [
    g.layerNorm(g.dense(charIn, w('char/proj/w'), w('char/proj/b')), w('char/ln/g'), w('char/ln/b')),
    mask3,
  ]);

  // ---- word level (kuromoji ids and / or gazetteer bits)
  let wordOut: string;
  if (c.word !== false || c.gazetteer) {
    let pre: string | null = null;
    if (c.word !== false) {
      inputs.push('wordIds', 'posIds', 'bies');
      const ids = ['wordIds', 'posIds', 'bies'].map((n) => g.input(n, 'int32', ['B', 'T']));
      const tables = ['word/emb', 'word/pos_emb', 'word/bies_emb'];
      let we = g.op(
        'Concat',
        ids.map((id, i) => g.op('Gather', [w(tables[i] as string), id])),
        { axis: 2 },
      );
      we = g.op('Mul', [we, mask3]);
      pre = g.dense(we, w('word/proj/w'), w('word/proj/b'));
    }
    if (c.gazetteer) {
      inputs.push('gazetteer');
      const gaz = g.input('gazetteer', 'float', ['B', 'T', 14]);
      const gw = g.dense(gaz, w('word/gaz/w'));
      pre = pre ? g.op('Add', [pre, gw]) : g.op('Add', [gw, w('word/gaz/b')]);
    }
    wordOut = g.op('Mul', [g.layerNorm(pre as string, w('word/ln/g'), w('word/ln/b')), mask3]);
  } else {
    wordOut = g.op('Mul', [charOut, g.float([0], [1])]);
  }

  // ---- context level (dilated conv stack, pre-LN residual, GELU x·σ(1.702x))
  let context = g.op('Add', [charOut, wordOut]);
  if (c.context === 'conv') {
    c.conv.dilations.forEach((d, i) => {
      const p = `ctx/c${i}`;
      const h = g.op('Mul', [g.layerNorm(context, w(`${p}/ln/g`), w(`${p}/ln/b`)), mask3]);
      const y = conv(h, `${p}/w`, `${p}/b`, c.conv.width, d);
      const gelu = g.op('Mul', [y, g.op('Sigmoid', [g.op('Mul', [y, g.float([1.702], [1])])])]);
      context = g.op('Add', [context, gelu]);
    });
    context = g.op('Mul', [g.layerNorm(context, w('ctx/ln/g'), w('ctx/ln/b')), mask3]);
  }

  const mode: FeatureMode = tagger.features;
  const h =
    mode === 'concat'
      ? g.op('Concat', [charOut, wordOut, context], { axis: 2 })
      : g.op('Mul', [g.op('Sum', [charOut, wordOut, context]), g.float([1 / 3], [1])]);
  return { ...decoderPart(g, h, tagger), inputs };
}

interface Block {
  name: string;
  width: number;
  bias?: string;
}

/** Concatenates dense layers column-wise: weight [d, Σ widths], bias, and each block's columns. */
function fuse(
  blocks: readonly Block[],
  d: number,
  V: (name: string) => Float32Array,
): { w: Float32Array; b: Float32Array; cols: Map<string, [number, number]>; width: number } {
  const width = blocks.reduce((s, b) => s + b.width, 0);
  const w = new Float32Array(d * width);
  const b = new Float32Array(width);
  const cols = new Map<string, [number, number]>();
  let col = 0;
  for (const blk of blocks) {
    const wt = V(`${blk.name}.w`);
    for (let i = 0; i < d; i++)
      for (let j = 0; j < blk.width; j++) w[i * width + col + j] = wt[i * blk.width + j] as number;
    if (blk.bias) b.set(V(blk.bias), col);
    cols.set(blk.name, [col, blk.width]);
    col += blk.width;
  }
  return { w, b, cols, width };
}

/**
 * Appends the decoder's per-position part to the encoder graph: P(start), the end scorer's
 * per-position projections (end.e, biaffine k) and h itself, all as [B*T, ·] rows. What is needed
 * only at selected starts (end.s, biaffine q, span.s) and only inside candidate spans (span.m,
 * span.e) goes to two tiny models over gathered rows of h: most positions are neither, so this
 * cuts the per-position matmul from 416 to 160 columns on the shipped tagger.
 */
function decoderPart(
  g: GraphBuilder,
  h3: string,
  tagger: SpanTagger,
): Pick<ExportedTagger, 'model' | 'rowsModel' | 'spanModel' | 'cascade'> {
  const config = tagger.decoder.config;
  const vars = tagger.decoder.variables();
  const V = (name: string): Float32Array => {
    const v = vars.get(name);
    if (!v) throw new Error(`exportTagger: decoder weight ${name} is missing`);
    return values(v);
  };
  const d = config.inputDim;
  const biaffine = config.biaffineRank > 0;
  const h = g.op('Reshape', [h3, g.int64([-1, d])]);
  const startW = config.startHidden;
  const hidden = g.op('Gemm', [
    h,
    g.float(V('start.hidden.w'), [d, startW]),
    g.float(V('start.hidden.b'), [startW]),
  ]);
  const start = g.op('Sigmoid', [
    g.op('Gemm', [
      activation(g, hidden, config.activation),
      g.float(V('start.out.w'), [startW, 1]),
      g.float(V('start.out.b'), [1]),
    ]),
  ]);
  const perPosition = fuse(
    [
      { name: 'end.e', width: config.endHidden },
      ...(biaffine ? [{ name: 'end.bk', width: config.biaffineRank }] : []),
    ],
    d,
    V,
  );
  const proj = g.op('MatMul', [h, g.float(perPosition.w, [d, perPosition.width])]);
  g.output('start', start, ['N', 1]);
  g.output('proj', proj, ['N', perPosition.width]);
  g.output('h', h, ['N', d]);

  const K = config.maxWidth;
  const H = config.endHidden;
  const R = config.biaffineRank;

  // Starts model: the selected starts' rows of h → their projections (end.s, q, span.s) and
  // P(end | start) for the K widths, from `ends` [G, K, H + R] = the `proj` rows at s + k (zeros
  // past the text end) that the cascade gathers:
  //   logit = v · act(P_s[s] + E[s+k] + W[k]) + b + q_s · k_{s+k}.
  const sg = new GraphBuilder();
  const perStart = fuse(
    [
      { name: 'end.s', width: H, bias: 'end.s.b' },
      ...(biaffine ? [{ name: 'end.bq', width: R }] : []),
      { name: 'span.s', width: config.spanDim, bias: 'span.s.b' },
    ],
    d,
    V,
  );
  const startRows = sg.input('rows', 'float', ['G', d]);
  const ends = sg.input('ends', 'float', ['G', K, perPosition.width]);
  const rowsProj = sg.op('Gemm', [
    startRows,
    sg.float(perStart.w, [d, perStart.width]),
    sg.float(perStart.b, [perStart.width]),
  ]);
  const cols = (x: string, from: number, to: number, axis: number) =>
    sg.op('Slice', [x, sg.int64([from]), sg.int64([to]), sg.int64([axis])]);
  const [sOff] = perStart.cols.get('end.s') ?? [0];
  const ps = sg.op('Unsqueeze', [cols(rowsProj, sOff, sOff + H, 1), sg.int64([1])]);
  const endWidth = matmul(V('end.width'), V('end.widthProj.w'), K, config.widthDim, H);
  const z = activation(
    sg,
    sg.op('Add', [sg.op('Add', [cols(ends, 0, H, 2), ps]), sg.float(endWidth, [K, H])]),
    config.activation,
  );
  let logit = sg.op('Add', [
    sg.op('Squeeze', [sg.op('MatMul', [z, sg.float(V('end.out.w'), [H, 1])]), sg.int64([2])]),
    sg.float(V('end.out.b'), [1]),
  ]);
  if (biaffine) {
    const [qOff] = perStart.cols.get('end.bq') ?? [0];
    const q = sg.op('Unsqueeze', [cols(rowsProj, qOff, qOff + R, 1), sg.int64([1])]);
    const qk = sg.op('ReduceSum', [sg.op('Mul', [cols(ends, H, H + R, 2), q]), sg.int64([2])], {
      keepdims: 0,
    });
    logit = sg.op('Add', [logit, qk]);
  }
  sg.output('rowsProj', rowsProj, ['G', perStart.width]);
  sg.output('endProbs', sg.op('Sigmoid', [logit]), ['G', K]);

  // Covered-rows model: rows of h inside some candidate → span.m, span.e.
  const cg = new GraphBuilder();
  const perCovered = fuse(
    [
      { name: 'span.m', width: config.spanDim },
      { name: 'span.e', width: config.spanDim },
    ],
    d,
    V,
  );
  cg.output(
    'spanProj',
    cg.op('MatMul', [cg.input('rows', 'float', ['R', d]), cg.float(perCovered.w, [d, perCovered.width])]),
    ['R', perCovered.width],
  );

  const at = (m: Map<string, [number, number]>, name: string): [number, number] => m.get(name) ?? [0, 0];
  const layout: ProjectionLayout = {
    endE: at(perPosition.cols, 'end.e'),
    bk: at(perPosition.cols, 'end.bk'),
    width: perPosition.width,
    endS: at(perStart.cols, 'end.s'),
    bq: at(perStart.cols, 'end.bq'),
    spanS: at(perStart.cols, 'span.s'),
    rowsWidth: perStart.width,
    spanM: at(perCovered.cols, 'span.m'),
    spanE: at(perCovered.cols, 'span.e'),
    spanWidth: perCovered.width,
    inputDim: d,
  };
  const cascade: CascadeWeights = {
    config,
    layout,
    spanWidth: matmul(V('span.width'), V('span.widthProj.w'), K, config.widthDim, config.spanDim),
    typeW: V('type.linear.w'),
    typeB: V('type.linear.b'),
  };
  return {
    model: g.finish('nerima-span-tagger'),
    rowsModel: sg.finish('nerima-span-starts'),
    spanModel: cg.finish('nerima-span-covered'),
    cascade,
  };
}

function activation(g: GraphBuilder, x: string, act: SpanDecoderConfig['activation']): string {
  if (act === 'relu') return g.op('Relu', [x]);
  if (act === 'tanh') return g.op('Tanh', [x]);
  // tanh GELU, as span-decoder's activate()
  const x3 = g.op('Mul', [g.op('Mul', [x, x]), x]);
  const inner = g.op('Mul', [
    g.op('Add', [x, g.op('Mul', [x3, g.float([0.044715], [1])])]),
    g.float([Math.sqrt(2 / Math.PI)], [1]),
  ]);
  return g.op('Mul', [
    g.op('Mul', [x, g.float([0.5], [1])]),
    g.op('Add', [g.op('Tanh', [inner]), g.float([1], [1])]),
  ]);
}
