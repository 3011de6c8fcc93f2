/**
 * The entity-name encoder trained by {@link alignEncoder}: two towers into one shared space.
 *
 * - CJK tower (Japanese and Chinese names): the `@nerima/encoder` features (char / word / context
 *   levels, so its char and word embedding tables are shared) mean-pooled over the name, then a
 *   projection. Chinese goes through the same tower: kanji shared with Japanese are a real signal.
 * - English tower: a bag of hashed character n-grams (see `ngram.ts`) averaged, then a 2-layer MLP.
 *
 * Both outputs are L2-normalised, so dot products are cosines. The heads are the aligner's own
 * weights (file format `nerima-xling`); the encoder's tables stay in the encoder.
 */
import { createRng, loadWeights, type Rng, saveWeights } from '@nerima/core';
import type { FeatureLevel, PreparedBatch, TextEncoder } from '@nerima/encoder';
import * as tf from '@tensorflow/tfjs-core';
import type { PairLang } from './names.js';
import { DEFAULT_NGRAM, type NgramBatch, type NgramConfig, ngramBatch } from './ngram.js';

/** Format name of the aligner's weights file. */
export const ALIGNER_FORMAT = 'nerima-xling';
/** Bumped when the weight layout or a config field's meaning changes. */
export const ALIGNER_VERSION = 1;

/** Aligner settings (stored in its weights file). */
export interface AlignerConfig {
  /** Width of the shared space. */
  dim: number;
  /** Width of the encoder's levels (checked against the encoder at load). */
  encoderDim: number;
  /** Encoder levels pooled for CJK names (concatenated). */
  levels: FeatureLevel[];
  /** Hidden width of the CJK head; 0 = a linear projection. */
  cjkHidden: number;
  /** English n-gram table width and hidden width. */
  enEmbDim: number;
  enHidden: number;
  ngram: NgramConfig;
  /** Initial logit scale (1/temperature). */
  initScale: number;
  /** Whether the scale is learned (clipped to [1, 100]). */
  learnScale: boolean;
  seed: number;
}

/** Defaults of {@link AlignerConfig} (the encoder width is taken from the encoder). */
export const DEFAULT_ALIGNER: Omit<AlignerConfig, 'encoderDim'> = {
  dim: 128,
  levels: ['char', 'word', 'context'],
  cjkHidden: 0,
  enEmbDim: 64,
  enHidden: 256,
  ngram: DEFAULT_NGRAM,
  initScale: 20,
  learnScale: true,
  seed: 1,
};

/** Names prepared for one tower. */
export type NameBatch =
  | {
      lang: 'ja' | 'zh';
      names: string[];
      /** Length-sorted chunks (less padding), and where each name's row is in their concatenation. */
      chunks: PreparedBatch[];
      rowOf: Int32Array;
    }
  | { lang: 'en'; names: string[]; ngrams: NgramBatch };

/** A language the aligner embeds. */
export type NameLang = 'ja' | PairLang;

const MAX_LOG_SCALE = Math.log(100);

let counter = 0;

function glorot(shape: [number, number], rng: Rng): Float32Array {
  const limit = Math.sqrt(6 / (shape[0] + shape[1]));
  const out = new Float32Array(shape[0] * shape[1]);
  for (let i = 0; i < out.length; i++) out[i] = (rng.next() * 2 - 1) * limit;
  return out;
}

function normalRows(shape: [number, number], std: number, rng: Rng): Float32Array {
  const out = new Float32Array(shape[0] * shape[1]);
  for (let i = 0; i < out.length; i++) out[i] = rng.normal(0, std);
  return out;
}

/** L2-normalises rows. */
export function l2Normalize(x: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => tf.mul(x, tf.rsqrt(tf.add(tf.sum(tf.square(x), 1, true), 1e-12))) as tf.Tensor2D);
}

/** Shapes of the aligner's variables for a config. */
export function alignerShapes(c: AlignerConfig): Record<string, number[]> {
  const pooled = c.levels.length * c.encoderDim;
  const shapes: Record<string, number[]> = {};
  if (c.cjkHidden > 0) {
    shapes['cjk/w1'] = [pooled, c.cjkHidden];
    shapes['cjk/b1'] = [c.cjkHidden];
    shapes['cjk/w2'] = [c.cjkHidden, c.dim];
    shapes['cjk/b2'] = [c.dim];
  } else {
    shapes['cjk/w'] = [pooled, c.dim];
    shapes['cjk/b'] = [c.dim];
  }
  shapes['en/emb'] = [c.ngram.buckets, c.enEmbDim];
  shapes['en/w1'] = [c.enEmbDim, c.enHidden];
  shapes['en/b1'] = [c.enHidden];
  shapes['en/w2'] = [c.enHidden, c.dim];
  shapes['en/b2'] = [c.dim];
  shapes['log_scale'] = [];
  return shapes;
}

/** Checks a config; throws naming the field. */
function validateAlignerConfig(c: AlignerConfig): void {
  const posInt = (v: unknown, field: string) => {
    if (!Number.isInteger(v) || (v as number) <= 0)
      throw new Error(`aligner config: field ${field}: expected a positive integer, got ${String(v)}`);
  };
  posInt(c.dim, 'dim');
  posInt(c.encoderDim, 'encoderDim');
  posInt(c.enEmbDim, 'enEmbDim');
  posInt(c.enHidden, 'enHidden');
  posInt(c.ngram.buckets, 'ngram.buckets');
  posInt(c.ngram.maxLength, 'ngram.maxLength');
  if (!Number.isInteger(c.cjkHidden) || c.cjkHidden < 0)
    throw new Error(`aligner config: field cjkHidden: expected an integer ≥ 0, got ${c.cjkHidden}`);
  if (c.levels.length === 0 || c.levels.some((l) => !['char', 'word', 'context'].includes(l)))
    throw new Error(`aligner config: field levels: expected some of char, word, context, got ${c.levels}`);
  if (c.ngram.orders.length === 0 && !c.ngram.words)
    throw new Error('aligner config: field ngram: no n-gram orders and no words: nothing to embed');
  if (!(c.initScale >= 1 && c.initScale <= 100))
    throw new Error(`aligner config: field initScale: expected a number in [1, 100], got ${c.initScale}`);
}

/** Options of {@link createNameAligner}: any {@link AlignerConfig} field but `encoderDim`. */
export type AlignerOptions = Partial<Omit<AlignerConfig, 'encoderDim' | 'ngram'>> & {
  ngram?: Partial<NgramConfig>;
};

/** The two-tower name encoder. Create it with {@link createNameAligner} or {@link loadNameAligner}. */
export class NameAligner {
  readonly config: AlignerConfig;
  /** The aligner's own weights (heads, n-gram table, scale), by stable name. */
  readonly params = new Map<string, tf.Variable>();
  private disposed = false;

  constructor(
    readonly encoder: TextEncoder,
    config: AlignerConfig,
    initial?: ReadonlyMap<string, tf.Tensor>,
  ) {
    validateAlignerConfig(config);
    if (config.encoderDim !== encoder.dim) {
      throw new Error(
        `aligner: it was made for an encoder of width ${config.encoderDim}, this encoder has ${encoder.dim}: ` +
          'align the encoder again (nerima align) or load the aligner saved with it',
      );
    }
    this.config = config;
    const rng = createRng(config.seed).fork('xling-init');
    for (const [name, shape] of Object.entries(alignerShapes(config))) {
      const given = initial?.get(name);
      let value: tf.Tensor;
      if (given) {
        if (given.shape.join(',') !== shape.join(',')) {
          throw new Error(`aligner weights: tensor ${name} has shape [${given.shape}], expected [${shape}]`);
        }
        value = given;
      } else {
        const r = rng.fork(name);
        if (name === 'log_scale') value = tf.scalar(Math.log(config.initScale));
        else if (name === 'en/emb') value = tf.tensor(normalRows(shape as [number, number], 0.1, r), shape);
        else if (shape.length === 2) value = tf.tensor(glorot(shape as [number, number], r), shape);
        else value = tf.zeros(shape);
      }
      const trainable = name !== 'log_scale' || config.learnScale;
      counter++;
      this.params.set(name, tf.variable(value, trainable, `xling/${name}/${counter}`));
      if (!given) value.dispose();
    }
  }

  private p(name: string): tf.Variable {
    const v = this.params.get(name);
    if (!v) throw new Error(`aligner: missing variable ${name}`);
    return v;
  }

  /** The trainable aligner variables (the encoder's are not included). */
  variables(): Map<string, tf.Variable> {
    const out = new Map<string, tf.Variable>();
    for (const [n, v] of this.params) if (v.trainable) out.set(n, v);
    return out;
  }

  /** exp(log_scale) clipped to [1, 100]: the logit scale (1/temperature). Synchronous. */
  scale(): tf.Scalar {
    return tf.tidy(() => tf.exp(tf.clipByValue(this.p('log_scale'), 0, MAX_LOG_SCALE)) as tf.Scalar);
  }

  /**
   * Prepares names of one language for {@link embed} (async: kuromoji runs for CJK names). CJK
   * names are sorted by length into chunks of `chunkSize` so that short names are not padded to
   * the longest name of the batch (the encoder's cost grows with batch × longest name).
   */
  async prepare(names: readonly string[], lang: NameLang, chunkSize = 32): Promise<NameBatch> {
    this.assertAlive();
    if (lang === 'en') return { lang, names: [...names], ngrams: ngramBatch(names, this.config.ngram) };
    const order = names
      .map((_, i) => i)
      .sort((a, b) => (names[a] as string).length - (names[b] as string).length || a - b);
    const rowOf = new Int32Array(names.length);
    order.forEach((i, row) => {
      rowOf[i] = row;
    });
    const chunks: PreparedBatch[] = [];
    for (let i = 0; i < order.length; i += chunkSize) {
      chunks.push(await this.encoder.prepare(order.slice(i, i + chunkSize).map((k) => names[k] as string)));
    }
    return { lang, names: [...names], chunks, rowOf };
  }

  /** L2-normalised embeddings [B, dim] of a prepared batch. Synchronous: call inside tf.tidy / tf.grad. */
  embed(batch: NameBatch): tf.Tensor2D {
    this.assertAlive();
    if (batch.lang === 'en') return l2Normalize(this.embedEn(batch.ngrams));
    if (batch.chunks.length === 0) return tf.zeros([0, this.config.dim]);
    const parts = batch.chunks.map((c) => this.embedCjk(c));
    const sorted = parts.length === 1 ? (parts[0] as tf.Tensor2D) : (tf.concat(parts, 0) as tf.Tensor2D);
    return l2Normalize(tf.gather(sorted, tf.tensor1d(batch.rowOf, 'int32')));
  }

  private embedCjk(prepared: PreparedBatch): tf.Tensor2D {
    const f = this.encoder.encode(prepared, { training: false });
    const B = prepared.texts.length;
    const lengths = tf.tensor2d(
      prepared.lengths.map((l) => Math.max(1, l)),
      [B, 1],
    );
    const mask3 = tf.expandDims(f.mask, 2);
    const pooled = this.config.levels.map((l) => tf.div(tf.sum(tf.mul(f[l], mask3), 1), lengths));
    const x = (pooled.length === 1 ? pooled[0] : tf.concat(pooled, 1)) as tf.Tensor2D;
    const c = this.config;
    if (c.cjkHidden > 0) {
      const h = tf.relu(tf.add(tf.matMul(x, this.p('cjk/w1') as tf.Tensor2D), this.p('cjk/b1')));
      return tf.add(tf.matMul(h as tf.Tensor2D, this.p('cjk/w2') as tf.Tensor2D), this.p('cjk/b2'));
    }
    return tf.add(tf.matMul(x, this.p('cjk/w') as tf.Tensor2D), this.p('cjk/b'));
  }

  private embedEn(g: NgramBatch): tf.Tensor2D {
    const rows = tf.gather(this.p('en/emb'), tf.tensor1d(g.ids, 'int32')); // [n-grams, E]
    const weighted = tf.mul(rows, tf.tensor2d(g.weights, [g.weights.length, 1]));
    const bag = tf.unsortedSegmentSum(weighted, tf.tensor1d(g.segments, 'int32'), g.size) as tf.Tensor2D;
    const h = tf.relu(tf.add(tf.matMul(bag, this.p('en/w1') as tf.Tensor2D), this.p('en/b1'))) as tf.Tensor2D;
    return tf.add(tf.matMul(h, this.p('en/w2') as tf.Tensor2D), this.p('en/b2'));
  }

  /**
   * Embeds many names in batches; returns a row-major Float32Array [names.length × dim] of unit
   * vectors (no tensors left behind).
   * @example const v = await aligner.embedNames(['東京', '大阪'], 'ja'); // 2 × 128 floats
   */
  async embedNames(names: readonly string[], lang: NameLang, batchSize = 256): Promise<Float32Array> {
    const dim = this.config.dim;
    const out = new Float32Array(names.length * dim);
    for (let i = 0; i < names.length; i += batchSize) {
      const batch = await this.prepare(names.slice(i, i + batchSize), lang);
      const t = tf.tidy(() => this.embed(batch));
      out.set(await t.data(), i * dim);
      t.dispose();
    }
    return out;
  }

  /** Writes the aligner's weights and config (float16 by default). Its encoder is saved separately. */
  async save(path: string, options: { dtype?: 'float16' | 'float32' } = {}): Promise<void> {
    await saveWeights(path, this.params, {
      format: ALIGNER_FORMAT,
      version: ALIGNER_VERSION,
      config: this.config,
      dtype: options.dtype ?? 'float16',
    });
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const v of this.params.values()) v.dispose();
    this.params.clear();
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  private assertAlive(): void {
    if (this.disposed) throw new Error('aligner: used after dispose()');
  }
}

/**
 * A new aligner on top of `encoder` (randomly initialised heads, seeded).
 * @example const aligner = createNameAligner(encoder, { dim: 128, seed: 1 });
 */
export function createNameAligner(encoder: TextEncoder, options: AlignerOptions = {}): NameAligner {
  const { ngram, ...rest } = options;
  const config: AlignerConfig = {
    ...DEFAULT_ALIGNER,
    ...rest,
    levels: [...(rest.levels ?? DEFAULT_ALIGNER.levels)],
    ngram: {
      ...DEFAULT_ALIGNER.ngram,
      ...ngram,
      orders: [...(ngram?.orders ?? DEFAULT_ALIGNER.ngram.orders)],
    },
    encoderDim: encoder.dim,
  };
  return new NameAligner(encoder, config);
}

/** Loads an aligner written by {@link NameAligner.save} on top of (the aligned) `encoder`. */
export async function loadNameAligner(path: string, encoder: TextEncoder): Promise<NameAligner> {
  const loaded = await loadWeights<AlignerConfig>(path, { format: ALIGNER_FORMAT, version: ALIGNER_VERSION });
  try {
    const shapes = alignerShapes(loaded.config);
    for (const [name, shape] of Object.entries(shapes)) {
      const t = loaded.tensors.get(name);
      if (!t) throw new Error(`${path}: tensor ${name} is missing (file truncated or another version?)`);
      if (t.shape.join(',') !== shape.join(','))
        throw new Error(`${path}: tensor ${name} has shape [${t.shape}], its config says [${shape}]`);
    }
    return new NameAligner(encoder, loaded.config, loaded.tensors);
  } finally {
    for (const t of loaded.tensors.values()) t.dispose();
  }
}
