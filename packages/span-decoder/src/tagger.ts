/**
 * SpanTagger: an encoder + a SpanDecoder behind core's `Tagger` interface, with save / load.
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { EntityType, Prediction, Tagger } from '@nerima/core';
import { loadWeights, saveWeights, writeFileAtomic } from '@nerima/core';
import {
  type GazetteerOption,
  loadEncoder,
  NerimaEncoder,
  type RuntimeOptions,
  saveEncoder,
  type TextEncoder,
} from '@nerima/encoder';
import type * as tf from '@tensorflow/tfjs-core';
import {
  DEFAULT_DECODE_OPTIONS,
  type DecodeOptions,
  type SpanDecoderConfig,
  validateConfig,
} from './config.js';
import { decode, type TextSpanScores } from './decode.js';
import { type ScoreOptions, SpanDecoder } from './decoder.js';
import { encodeFeatures, type FeatureMode } from './features.js';
import { PrototypeTypeScorer } from './type-scorer.js';

/** Format name and version of a saved tagger folder. */
export const TAGGER_FORMAT = 'nerima-span-tagger';
export const TAGGER_VERSION = 1;
const DECODER_FORMAT = 'nerima-span-decoder';
/** A self-contained tagger folder may carry its gazetteer names here (`{ja, type}` JSON lines). */
export const TAGGER_GAZETTEER_FILE = 'gazetteer.jsonl';

/** Options for {@link SpanTagger}. */
export interface SpanTaggerOptions {
  /** Decoding thresholds (defaults: {@link DEFAULT_DECODE_OPTIONS}). */
  decode?: Partial<DecodeOptions>;
  /** Texts per forward pass in `predict` (default 32). */
  batchSize?: number;
  /** How encoder levels feed the decoder (default `'combine'`); must match the decoder's inputDim. */
  features?: FeatureMode;
}

/** What `tagger.json` holds. */
export interface SavedTaggerConfig {
  format: typeof TAGGER_FORMAT;
  version: number;
  decoder: SpanDecoderConfig;
  features: FeatureMode;
  decode: DecodeOptions;
  batchSize: number;
  /** Encoder file in the folder (written by @nerima/encoder's saveEncoder). */
  encoderFile: string;
  decoderFile: string;
  /** Free-form notes (training data, scores...). */
  meta?: Record<string, unknown>;
}

/** Tags texts with an encoder + span decoder. Owns both (dispose frees them). */
export class SpanTagger implements Tagger {
  readonly encoder: TextEncoder;
  readonly decoder: SpanDecoder;
  readonly features: FeatureMode;
  /** Thresholds used by `predict`; change freely (e.g. after tuning on dev). */
  decodeOptions: DecodeOptions;
  batchSize: number;
  private disposed = false;

  constructor(encoder: TextEncoder, decoder: SpanDecoder, options: SpanTaggerOptions = {}) {
    this.encoder = encoder;
    this.decoder = decoder;
    this.features = options.features ?? 'combine';
    this.decodeOptions = { ...DEFAULT_DECODE_OPTIONS, ...options.decode };
    this.batchSize = options.batchSize ?? 32;
    const expected = this.features === 'concat' ? 3 * encoder.dim : encoder.dim;
    if (decoder.config.inputDim !== expected) {
      throw new RangeError(
        `SpanTagger: decoder inputDim ${decoder.config.inputDim} does not match the encoder (dim ${encoder.dim}, features '${this.features}' → ${expected})`,
      );
    }
  }

  get types(): readonly EntityType[] {
    return this.decoder.config.types;
  }

  /**
   * All scores for each text (start probabilities and candidate spans with start / end / type
   * probabilities), batched by length. `options` set the candidate thresholds (default: this
   * tagger's decode options); decode the result with {@link decode} at any higher thresholds.
   */
  async score(texts: readonly string[], options: Partial<ScoreOptions> = {}): Promise<TextSpanScores[]> {
    this.assertAlive();
    const o = {
      startThreshold: this.decodeOptions.startThreshold,
      endThreshold: this.decodeOptions.endThreshold,
      maxCandidatesPerText: this.decodeOptions.maxCandidatesPerText,
      ...options,
    };
    const order = texts
      .map((_, i) => i)
      .sort((a, b) => (texts[a] as string).length - (texts[b] as string).length || a - b);
    const out: TextSpanScores[] = new Array(texts.length);
    for (let i = 0; i < order.length; i += this.batchSize) {
      const idx = order.slice(i, i + this.batchSize);
      const batchTexts = idx.map((j) => texts[j] as string);
      const batch = await this.encoder.prepare(batchTexts);
      const h = encodeFeatures(this.encoder, batch, this.features, { training: false });
      try {
        const scores = await this.decoder.score(h, batchTexts, o);
        idx.forEach((j, k) => {
          out[j] = scores[k] as TextSpanScores;
        });
      } finally {
        h.dispose();
      }
    }
    return out;
  }

  /** One prediction list per text: `{ start, end, type, text, score }`, UTF-16 offsets. */
  async predict(texts: readonly string[]): Promise<Prediction[][]> {
    const scores = await this.score(texts);
    return scores.map((s) => decode(s, this.decodeOptions));
  }

  /**
   * Writes the tagger to a folder: `tagger.json` (versioned config), `encoder.bin` (float32, via
   * @nerima/encoder's saveEncoder) and `decoder.bin` (decoder weights). Each file is written atomically.
   * `inferenceOnly` leaves out encoder weights the tagger does not use (pre-training head,
   * switched-off levels): the folder for shipping.
   */
  async save(
    dir: string,
    meta?: Record<string, unknown>,
    options: { inferenceOnly?: boolean } = {},
  ): Promise<void> {
    this.assertAlive();
    if (!(this.encoder instanceof NerimaEncoder)) {
      throw new TypeError(
        'SpanTagger.save: only taggers built on a NerimaEncoder (createEncoder) can be saved',
      );
    }
    await mkdir(dir, { recursive: true });
    const config: SavedTaggerConfig = {
      format: TAGGER_FORMAT,
      version: TAGGER_VERSION,
      decoder: this.decoder.config,
      features: this.features,
      decode: this.decodeOptions,
      batchSize: this.batchSize,
      encoderFile: 'encoder.bin',
      decoderFile: 'decoder.bin',
      ...(meta ? { meta } : {}),
    };
    await saveEncoder(this.encoder, join(dir, config.encoderFile), {
      dtype: 'float32',
      ...(options.inferenceOnly ? { inferenceOnly: true } : {}),
    });
    const tensors = new Map<string, tf.Tensor>(this.decoder.variables());
    const scorer = this.decoder.typeScorer;
    const protos = scorer instanceof PrototypeTypeScorer ? scorer.getPrototypes() : null;
    if (protos) tensors.set('type.prototypes', protos);
    await saveWeights(join(dir, config.decoderFile), tensors, {
      format: DECODER_FORMAT,
      version: TAGGER_VERSION,
      config,
    });
    await writeFileAtomic(join(dir, 'tagger.json'), `${JSON.stringify(config, null, 2)}\n`);
  }

  /** Frees the encoder and decoder; safe to call twice. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.encoder.dispose();
    this.decoder.dispose();
  }

  private assertAlive(): void {
    if (this.disposed) throw new Error('SpanTagger: used after dispose()');
  }
}

/** Options for loading a saved tagger. */
export interface LoadTaggerOptions extends RuntimeOptions {
  /** A folder written by `SpanTagger.save` (or `trainSpanTagger`'s `outDir/best`). */
  from: string;
  /**
   * For an encoder trained with gazetteer features: `{ kbPath }` of the KB. Default: the folder's own
   * `gazetteer.jsonl` (the name list a shipped tagger carries, see {@link TAGGER_GAZETTEER_FILE}) when present.
   */
  gazetteer?: GazetteerOption;
  /** Override saved decode options. */
  decode?: Partial<DecodeOptions>;
  batchSize?: number;
}

/** Copies saved values into variables, checking that every variable is present with its shape. */
export function assignVariables(
  vars: ReadonlyMap<string, tf.Variable>,
  tensors: ReadonlyMap<string, tf.Tensor>,
  where: string,
): void {
  for (const [name, v] of vars) {
    const t = tensors.get(name);
    if (!t)
      throw new Error(
        `${where}: tensor ${name} is missing; the file is from another configuration or truncated`,
      );
    if (t.shape.join(',') !== v.shape.join(',')) {
      throw new Error(`${where}: tensor ${name} has shape [${t.shape}] but the config needs [${v.shape}]`);
    }
    v.assign(t);
  }
}

/** Loads a tagger folder written by {@link SpanTagger.save}; checks format, version and shapes. */
export async function loadSpanTagger(options: LoadTaggerOptions): Promise<SpanTagger> {
  const dir = options.from;
  const decoderPath = join(dir, 'decoder.bin');
  const loaded = await loadWeights(decoderPath, { format: DECODER_FORMAT, version: TAGGER_VERSION });
  let decoder: SpanDecoder | null = null;
  let encoder: TextEncoder | null = null;
  try {
    const config = loaded.config as SavedTaggerConfig;
    if (config?.format !== TAGGER_FORMAT)
      throw new Error(`${decoderPath}: field config.format: expected ${TAGGER_FORMAT}`);
    validateConfig(config.decoder, `${decoderPath}: config.decoder`);
    decoder = new SpanDecoder(config.decoder);
    assignVariables(decoder.variables(), loaded.tensors, decoderPath);
    const protos = loaded.tensors.get('type.prototypes');
    if (protos && decoder.typeScorer instanceof PrototypeTypeScorer)
      decoder.typeScorer.setPrototypes(protos as tf.Tensor2D);
    const encOptions: Parameters<typeof loadEncoder>[1] = {
      dictPath: options.dictPath,
      cacheSize: options.cacheSize,
    };
    if (options.gazetteer !== undefined) encOptions.gazetteer = options.gazetteer;
    else if (existsSync(join(dir, TAGGER_GAZETTEER_FILE)))
      encOptions.gazetteer = { kbPath: join(dir, TAGGER_GAZETTEER_FILE) };
    encoder = await loadEncoder(join(dir, config.encoderFile), encOptions);
    return new SpanTagger(encoder, decoder, {
      features: config.features,
      decode: { ...config.decode, ...options.decode },
      batchSize: options.batchSize ?? config.batchSize,
    });
  } catch (err) {
    decoder?.dispose();
    encoder?.dispose();
    throw err;
  } finally {
    for (const t of loaded.tensors.values()) t.dispose();
  }
}

/**
 * Async factory: `createTagger({ from: folder })` loads a saved span tagger.
 * @example
 * const tagger = await createTagger({ from: 'models/span-tagger' });
 * const [entities] = await tagger.predict(['山田太郎は東京大学で学んだ。']);
 * tagger.dispose();
 */
export async function createTagger(options: LoadTaggerOptions): Promise<SpanTagger> {
  return loadSpanTagger(options);
}
