/**
 * The char / word / context encoder (implements the `TextEncoder` contract).
 *
 * - char level: NFKC character embedding + class×width embedding, n-gram convolutions (widths 2, 3),
 *   projection to `dim`, layer norm.
 * - word level: kuromoji word embedding (surface/base vocabulary + hashing), POS (pos, detail 1,
 *   detail 2) embedding, B/I/E/S embedding, plus optional gazetteer multi-hot, projected to `dim`,
 *   layer norm.
 * - context level: pre-LN transformer (or dilated conv stack) over char + word levels.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { ContextKind, EncoderConfig } from './config.js';
import { validateConfig } from './config.js';
import type { EncodedFeatures, EncodeOptions, PreparedBatch, TextEncoder } from './contract.js';
import { FEATURE_LEVELS } from './contract.js';
import { createRng, type Rng } from './deps.js';
import { buildInputs } from './features.js';
import { GAZETTEER_FEATURES, type Gazetteer } from './gazetteer.js';
import {
  convTime,
  dense,
  dropout,
  gelu,
  type Init,
  initValues,
  layerNorm,
  selfAttention,
  windowOffsets,
} from './layers.js';
import type { Morphology } from './morph.js';
import { CLASS_FEATURE_SIZE } from './normalize.js';
import { Vocab } from './vocab.js';

interface ParamSpec {
  name: string;
  shape: number[];
  init: Init;
}

const BIES_SIZE = 5;

/** Variable names and shapes a config needs (stable names used in checkpoints). */
export function parameterSpecs(c: EncoderConfig): ParamSpec[] {
  const specs: ParamSpec[] = [];
  const add = (name: string, shape: number[], init: Init) => specs.push({ name, shape, init });
  const glorot: Init = { kind: 'glorot' };
  const zeros: Init = { kind: 'zeros' };
  const ones: Init = { kind: 'ones' };
  const emb: Init = { kind: 'normal', std: 0.1 };
  const D = c.dim;
  const charVocabTotal = 3 + c.char.vocab.tokens.length + c.char.vocab.buckets;
  const E = c.char.embDim + c.char.classDim;
  add('char/emb', [charVocabTotal, c.char.embDim], emb);
  add('char/class_emb', [CLASS_FEATURE_SIZE, c.char.classDim], emb);
  for (const w of c.char.convWidths) {
    add(`char/conv${w}/w`, [w * E, c.char.convFilters], glorot);
    add(`char/conv${w}/b`, [c.char.convFilters], zeros);
  }
  add('char/proj/w', [E + c.char.convWidths.length * c.char.convFilters, D], glorot);
  add('char/proj/b', [D], zeros);
  add('char/ln/g', [D], ones);
  add('char/ln/b', [D], zeros);
  if (c.word !== false) {
    const w = c.word;
    add('word/emb', [3 + w.vocab.tokens.length + w.vocab.buckets, w.embDim], emb);
    add('word/pos_emb', [3 + w.posVocab.tokens.length + w.posVocab.buckets, w.posDim], emb);
    add('word/bies_emb', [BIES_SIZE, w.biesDim], emb);
    add('word/proj/w', [w.embDim + w.posDim + w.biesDim, D], glorot);
    add('word/proj/b', [D], zeros);
  }
  if (c.gazetteer) {
    add('word/gaz/w', [GAZETTEER_FEATURES, D], glorot);
    if (c.word === false) add('word/gaz/b', [D], zeros);
  }
  if (c.word !== false || c.gazetteer) {
    add('word/ln/g', [D], ones);
    add('word/ln/b', [D], zeros);
  }
  if (c.context === 'transformer') {
    const t = c.transformer;
    add('ctx/pos_emb', [t.maxPositions, D], { kind: 'normal', std: 0.02 });
    for (let l = 0; l < t.layers; l++) {
      const p = `ctx/l${l}`;
      add(`${p}/ln1/g`, [D], ones);
      add(`${p}/ln1/b`, [D], zeros);
      add(`${p}/qkv/w`, [D, 3 * D], glorot);
      add(`${p}/qkv/b`, [3 * D], zeros);
      add(`${p}/out/w`, [D, D], glorot);
      add(`${p}/out/b`, [D], zeros);
      add(`${p}/ln2/g`, [D], ones);
      add(`${p}/ln2/b`, [D], zeros);
      add(`${p}/ffn1/w`, [D, t.ffnDim], glorot);
      add(`${p}/ffn1/b`, [t.ffnDim], zeros);
      add(`${p}/ffn2/w`, [t.ffnDim, D], glorot);
      add(`${p}/ffn2/b`, [D], zeros);
    }
  } else if (c.context === 'conv') {
    c.conv.dilations.forEach((_, i) => {
      const p = `ctx/c${i}`;
      add(`${p}/ln/g`, [D], ones);
      add(`${p}/ln/b`, [D], zeros);
      add(`${p}/w`, [c.conv.width * D, D], glorot);
      add(`${p}/b`, [D], zeros);
    });
  }
  if (c.context !== 'none') {
    add('ctx/ln/g', [D], ones);
    add('ctx/ln/b', [D], zeros);
  }
  return specs;
}

/** Runtime resources an encoder needs besides its weights. */
export interface EncoderResources {
  /** Required when `config.word` is set. */
  morph?: Morphology;
  /** Required when `config.gazetteer` is true. */
  gazetteer?: Gazetteer;
}

/** The encoder. Create it with `createEncoder` (or `loadEncoder`). */
export class NerimaEncoder implements TextEncoder {
  readonly dim: number;
  readonly config: EncoderConfig;
  readonly charVocab: Vocab;
  readonly wordVocab: Vocab | null;
  readonly posVocab: Vocab | null;
  /** All weights, including loaded ones the current switches do not use. */
  readonly params = new Map<string, tf.Variable>();
  /** Extra named weights kept with the model (e.g. the pre-training head `mlm/...`). */
  readonly extras = new Map<string, tf.Variable>();
  private readonly activeNames: string[];
  private dropoutRng: Rng;
  private disposed = false;

  constructor(
    config: EncoderConfig,
    private readonly resources: EncoderResources,
    initial?: ReadonlyMap<string, tf.Tensor>,
  ) {
    validateConfig(config);
    if (config.word !== false && !resources.morph) {
      throw new Error('encoder: config.word is set but no kuromoji Morphology was given (use createEncoder)');
    }
    if (config.gazetteer && !resources.gazetteer) {
      throw new Error(
        'encoder: this model uses gazetteer features but no KB was given: pass gazetteer: { kbPath } ' +
          "(e.g. '../shared/data/kb/entities.jsonl'), or gazetteer: false to drop them",
      );
    }
    this.config = config;
    this.dim = config.dim;
    this.charVocab = Vocab.fromJSON(config.char.vocab, 'config.char.vocab');
    this.wordVocab = config.word ? Vocab.fromJSON(config.word.vocab, 'config.word.vocab') : null;
    this.posVocab = config.word ? Vocab.fromJSON(config.word.posVocab, 'config.word.posVocab') : null;
    const rng = createRng(config.seed);
    this.dropoutRng = rng.fork('dropout');
    const specs = parameterSpecs(config);
    this.activeNames = specs.map((s) => s.name);
    for (const s of specs) {
      const given = initial?.get(s.name);
      let value: tf.Tensor;
      if (given) {
        if (given.shape.join(',') !== s.shape.join(',')) {
          throw new Error(
            `encoder weights: tensor ${s.name}: shape [${given.shape}] does not match the config's [${s.shape}]. ` +
              'The weights file and its config disagree: re-save the model or use matching vocabularies/dims.',
          );
        }
        value = given;
      } else {
        value = tf.tensor(initValues(s.shape, s.init, rng.fork(s.name)), s.shape);
      }
      this.params.set(s.name, tf.variable(value, true, `enc/${s.name}/${uniqueSuffix()}`));
      if (!given) value.dispose();
    }
    if (initial) {
      for (const [name, t] of initial) {
        if (this.params.has(name)) continue;
        if (name.startsWith('mlm/'))
          this.extras.set(name, tf.variable(t, true, `enc/${name}/${uniqueSuffix()}`));
        else this.params.set(name, tf.variable(t, false, `enc/${name}/${uniqueSuffix()}`));
      }
    }
  }

  /**
   * Restarts the dropout stream from (config.seed, label): training loops call it once per step so
   * that a resumed run draws the same masks as an uninterrupted one.
   */
  reseedDropout(label: number | string): void {
    this.dropoutRng = createRng(this.config.seed).fork(`dropout/${label}`);
  }

  /** The trainable variables the current configuration uses (stable names). */
  variables(): Map<string, tf.Variable> {
    const out = new Map<string, tf.Variable>();
    for (const n of this.activeNames) out.set(n, this.params.get(n)!);
    return out;
  }

  async prepare(texts: readonly string[]): Promise<PreparedBatch> {
    this.assertAlive();
    if (!Array.isArray(texts) || texts.some((t) => typeof t !== 'string')) {
      throw new TypeError('encoder.prepare: expected an array of strings');
    }
    return buildInputs(texts, {
      charVocab: this.charVocab,
      word:
        this.config.word && this.resources.morph
          ? { vocab: this.wordVocab!, posVocab: this.posVocab!, morph: this.resources.morph }
          : undefined,
      gazetteer: this.config.gazetteer ? this.resources.gazetteer : undefined,
    });
  }

  private p(name: string): tf.Variable {
    const v = this.params.get(name);
    if (!v) throw new Error(`encoder: missing variable ${name}`);
    return v;
  }

  private input(batch: PreparedBatch, key: string, size: number): Int32Array | Float32Array {
    const a = batch.inputs[key];
    if (!a) {
      throw new Error(
        `encoder.encode: batch.inputs.${key} is missing; prepare the batch with this encoder (its config ` +
          'has features the batch lacks)',
      );
    }
    if (a.length !== size) {
      throw new Error(`encoder.encode: batch.inputs.${key} has length ${a.length}, expected ${size}`);
    }
    return a;
  }

  /** Synchronous tensor math: call inside tf.tidy / tf.grad. */
  encode(batch: PreparedBatch, options: EncodeOptions = {}): EncodedFeatures {
    this.assertAlive();
    const c = this.config;
    const B = batch.texts.length;
    const T = batch.length;
    const N = B * T;
    const D = c.dim;
    const training = options.training === true;
    const rate = training ? c.dropout : 0;
    const seed = () => this.dropoutRng.uint32();

    const maskArr = this.input(batch, 'mask', N);
    const mask = tf.tensor2d(maskArr, [B, T], 'float32');
    const maskCol = tf.reshape(mask, [N, 1]) as tf.Tensor2D;

    // ---- char level
    const charIds = tf.tensor1d(this.input(batch, 'charIds', N) as Int32Array, 'int32');
    const classIds = tf.tensor1d(this.input(batch, 'classIds', N) as Int32Array, 'int32');
    const E = c.char.embDim + c.char.classDim;
    let e = tf.concat(
      [tf.gather(this.p('char/emb'), charIds), tf.gather(this.p('char/class_emb'), classIds)],
      1,
    );
    e = dropout(tf.mul(e, maskCol), rate, seed());
    const e3 = tf.reshape(e, [B, T, E]) as tf.Tensor3D;
    const parts: tf.Tensor3D[] = [e3];
    for (const w of c.char.convWidths) {
      const conv = convTime(
        e3,
        windowOffsets(w),
        this.p(`char/conv${w}/w`) as tf.Tensor2D,
        this.p(`char/conv${w}/b`) as tf.Tensor1D,
      );
      parts.push(tf.relu(conv));
    }
    const charIn = tf.reshape(tf.concat(parts, 2), [
      N,
      E + c.char.convWidths.length * c.char.convFilters,
    ]) as tf.Tensor2D;
    let charOut = dense(charIn, this.p('char/proj/w') as tf.Tensor2D, this.p('char/proj/b') as tf.Tensor1D);
    charOut = tf.mul(
      layerNorm(charOut, this.p('char/ln/g') as tf.Tensor1D, this.p('char/ln/b') as tf.Tensor1D),
      maskCol,
    );

    // ---- word level
    let wordOut: tf.Tensor2D;
    if (c.word !== false || c.gazetteer) {
      let pre: tf.Tensor2D | null = null;
      if (c.word !== false) {
        const wordIds = tf.tensor1d(this.input(batch, 'wordIds', N) as Int32Array, 'int32');
        const posIds = tf.tensor1d(this.input(batch, 'posIds', N) as Int32Array, 'int32');
        const bies = tf.tensor1d(this.input(batch, 'bies', N) as Int32Array, 'int32');
        let we = tf.concat(
          [
            tf.gather(this.p('word/emb'), wordIds),
            tf.gather(this.p('word/pos_emb'), posIds),
            tf.gather(this.p('word/bies_emb'), bies),
          ],
          1,
        ) as tf.Tensor2D;
        we = dropout(tf.mul(we, maskCol), rate, seed());
        pre = dense(we, this.p('word/proj/w') as tf.Tensor2D, this.p('word/proj/b') as tf.Tensor1D);
      }
      if (c.gazetteer) {
        const gaz = tf.tensor2d(this.input(batch, 'gazetteer', N * GAZETTEER_FEATURES) as Float32Array, [
          N,
          GAZETTEER_FEATURES,
        ]);
        const g = tf.matMul(gaz, this.p('word/gaz/w') as tf.Tensor2D);
        pre = (pre ? tf.add(pre, g) : tf.add(g, this.p('word/gaz/b'))) as tf.Tensor2D;
      }
      wordOut = tf.mul(
        layerNorm(pre!, this.p('word/ln/g') as tf.Tensor1D, this.p('word/ln/b') as tf.Tensor1D),
        maskCol,
      );
    } else {
      wordOut = tf.zeros([N, D]);
    }

    // ---- context level
    const char3 = tf.reshape(charOut, [B, T, D]) as tf.Tensor3D;
    const word3 = tf.reshape(wordOut, [B, T, D]) as tf.Tensor3D;
    const context = this.contextLevel(
      c.context,
      tf.add(char3, word3) as tf.Tensor3D,
      mask,
      maskCol,
      rate,
      seed,
    );
    return { char: char3, word: word3, context, mask };
  }

  private contextLevel(
    kind: ContextKind,
    x0: tf.Tensor3D,
    mask: tf.Tensor2D,
    maskCol: tf.Tensor2D,
    rate: number,
    seed: () => number,
  ): tf.Tensor3D {
    if (kind === 'none') return x0;
    const c = this.config;
    const [B, T, D] = x0.shape;
    const N = B * T;
    const mask3 = tf.reshape(maskCol, [B, T, 1]);
    let x = x0;
    if (kind === 'transformer') {
      const t = c.transformer;
      const positions = new Int32Array(T);
      for (let i = 0; i < T; i++) positions[i] = Math.min(i, t.maxPositions - 1);
      const pos = tf.gather(this.p('ctx/pos_emb'), tf.tensor1d(positions, 'int32')); // [T, D]
      x = dropout(tf.add(x, pos), rate, seed());
      const keyBias = tf.reshape(tf.mul(tf.sub(1, mask), -1e9), [B, 1, 1, T]) as tf.Tensor4D;
      for (let l = 0; l < t.layers; l++) {
        const p = `ctx/l${l}`;
        const h = layerNorm(x, this.p(`${p}/ln1/g`) as tf.Tensor1D, this.p(`${p}/ln1/b`) as tf.Tensor1D);
        const a = selfAttention(
          h,
          keyBias,
          t.heads,
          this.p(`${p}/qkv/w`) as tf.Tensor2D,
          this.p(`${p}/qkv/b`) as tf.Tensor1D,
          this.p(`${p}/out/w`) as tf.Tensor2D,
          this.p(`${p}/out/b`) as tf.Tensor1D,
        );
        x = tf.add(x, dropout(a, rate, seed()));
        const h2 = tf.reshape(
          layerNorm(x, this.p(`${p}/ln2/g`) as tf.Tensor1D, this.p(`${p}/ln2/b`) as tf.Tensor1D),
          [N, D],
        ) as tf.Tensor2D;
        const f = dense(
          gelu(dense(h2, this.p(`${p}/ffn1/w`) as tf.Tensor2D, this.p(`${p}/ffn1/b`) as tf.Tensor1D)),
          this.p(`${p}/ffn2/w`) as tf.Tensor2D,
          this.p(`${p}/ffn2/b`) as tf.Tensor1D,
        );
        x = tf.add(x, dropout(tf.reshape(f, [B, T, D]), rate, seed()));
      }
    } else {
      c.conv.dilations.forEach((d, i) => {
        const p = `ctx/c${i}`;
        const h = tf.mul(
          layerNorm(x, this.p(`${p}/ln/g`) as tf.Tensor1D, this.p(`${p}/ln/b`) as tf.Tensor1D),
          mask3,
        );
        const y = gelu(
          convTime(
            h as tf.Tensor3D,
            windowOffsets(c.conv.width, d),
            this.p(`${p}/w`) as tf.Tensor2D,
            this.p(`${p}/b`) as tf.Tensor1D,
          ),
        );
        x = tf.add(x, dropout(y, rate, seed()));
      });
    }
    const out = layerNorm(x, this.p('ctx/ln/g') as tf.Tensor1D, this.p('ctx/ln/b') as tf.Tensor1D);
    return tf.mul(out, mask3) as tf.Tensor3D;
  }

  /** Weighted sum of the three levels (uniform when `levelWeights` is absent): [B, T, dim]. */
  combine(features: EncodedFeatures, levelWeights?: tf.Tensor1D): tf.Tensor3D {
    return combineLevels(features, levelWeights);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const v of this.params.values()) v.dispose();
    for (const v of this.extras.values()) v.dispose();
    this.params.clear();
    this.extras.clear();
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  private assertAlive(): void {
    if (this.disposed) throw new Error('encoder: used after dispose()');
  }
}

/** Weighted sum of the levels in FEATURE_LEVELS order (uniform when no weights are given). */
export function combineLevels(features: EncodedFeatures, levelWeights?: tf.Tensor1D): tf.Tensor3D {
  const levels = FEATURE_LEVELS.map((l) => features[l]);
  if (!levelWeights) return tf.mul(tf.addN(levels), 1 / levels.length) as tf.Tensor3D;
  if (levelWeights.rank !== 1 || levelWeights.shape[0] !== levels.length) {
    throw new Error(`combine: levelWeights must have shape [${levels.length}], got [${levelWeights.shape}]`);
  }
  return tf.addN(levels.map((x, i) => tf.mul(x, tf.slice(levelWeights, [i], [1])))) as tf.Tensor3D;
}

let counter = 0;
function uniqueSuffix(): string {
  counter += 1;
  return String(counter);
}
