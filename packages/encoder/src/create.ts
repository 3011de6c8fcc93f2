/** Factories: `createEncoder(options | { from })`, `saveEncoder`, `loadEncoder`. */
import type * as tf from '@tensorflow/tfjs-core';
import { buildVocabularies, type VocabOptions, type Vocabularies } from './build-vocab.js';
import type {
  CharConfig,
  ContextKind,
  ConvContextConfig,
  EncoderConfig,
  TransformerConfig,
  WordConfig,
} from './config.js';
import { DEFAULT_CONFIG, ENCODER_FORMAT, ENCODER_VERSION, validateConfig } from './config.js';
import { deserializeWeights, loadWeights, saveWeights } from './deps.js';
import { type EncoderResources, NerimaEncoder, parameterSpecs } from './encoder.js';
import { loadGazetteer } from './gazetteer.js';
import { Morphology } from './morphology.js';
import type { VocabJson } from './vocab.js';

/** Where the runtime resources come from (never stored in the model file). */
export interface RuntimeOptions {
  /** kuromoji dictionary folder (default: the IPADIC inside the kuromoji package). */
  dictPath?: string;
  /** Tokenisation LRU size (default 20000 texts). */
  cacheSize?: number;
}

/** Gazetteer switch: off, or on with the KB file (`{ja, type}` JSON lines). */
export type GazetteerOption = false | { kbPath: string };

/** Options for a new (randomly initialised) encoder. */
export interface CreateEncoderOptions extends RuntimeOptions {
  dim?: number;
  seed?: number;
  dropout?: number;
  char?: Partial<Omit<CharConfig, 'vocab'>>;
  /** false disables the kuromoji word / POS / BIES features. */
  word?: false | Partial<Omit<WordConfig, 'vocab' | 'posVocab'>>;
  gazetteer?: GazetteerOption;
  context?: ContextKind;
  transformer?: Partial<TransformerConfig>;
  conv?: Partial<ConvContextConfig>;
  /** Vocabularies; when absent they are built from `texts` (or left empty: hashing only). */
  vocab?: Partial<Vocabularies>;
  /** Training texts to build the vocabularies from. */
  texts?: readonly string[];
  vocabOptions?: VocabOptions;
}

/** Options for loading a saved encoder, with ablation switches applied on top of its config. */
export interface LoadEncoderOptions extends RuntimeOptions {
  /** A file written by `saveEncoder`. */
  from: string;
  /** 'random' keeps the config and vocabularies but re-initialises every weight (no pre-training). */
  weights?: 'pretrained' | 'random';
  /** Turn word features off (weights are kept but unused). */
  word?: false;
  /** Required when the model was saved with gazetteer features; `{kbPath}` can add them (fresh weights). */
  gazetteer?: GazetteerOption;
  /** Replace the context layer; a kind the file has no weights for is initialised randomly. */
  context?: ContextKind;
  dropout?: number;
  seed?: number;
}

function isLoad(o: CreateEncoderOptions | LoadEncoderOptions): o is LoadEncoderOptions {
  return typeof (o as LoadEncoderOptions).from === 'string';
}

/**
 * Creates a ready encoder: a new one from options, or a saved one with `{ from: path }`.
 * @example
 * const enc = await createEncoder({ from: 'models/encoder/encoder.bin' });
 * const batch = await enc.prepare(['東京都に住む山田太郎さん']);
 * const feats = tf.tidy(() => enc.encode(batch).context.shape);
 */
export async function createEncoder(
  options: CreateEncoderOptions | LoadEncoderOptions = {},
): Promise<NerimaEncoder> {
  if (isLoad(options)) return loadEncoder(options.from, options);
  const wordOpt = options.word === undefined ? {} : options.word;
  const morph = wordOpt === false ? undefined : await Morphology.create(options);
  let vocab: Partial<Vocabularies> = options.vocab ?? {};
  if ((!vocab.char || (wordOpt !== false && (!vocab.word || !vocab.pos))) && options.texts) {
    const built = buildVocabularies(options.texts, morph ?? null, options.vocabOptions);
    vocab = { char: vocab.char ?? built.char, word: vocab.word ?? built.word, pos: vocab.pos ?? built.pos };
  }
  const empty = (buckets: number): VocabJson => ({ tokens: [], buckets });
  const config: EncoderConfig = {
    dim: options.dim ?? DEFAULT_CONFIG.dim,
    seed: options.seed ?? DEFAULT_CONFIG.seed,
    dropout: options.dropout ?? DEFAULT_CONFIG.dropout,
    char: { ...DEFAULT_CONFIG.char, ...options.char, vocab: vocab.char ?? empty(512) },
    word:
      wordOpt === false
        ? false
        : {
            ...DEFAULT_CONFIG.word,
            ...wordOpt,
            vocab: vocab.word ?? empty(2048),
            posVocab: vocab.pos ?? empty(64),
          },
    gazetteer: !!options.gazetteer,
    context: options.context ?? DEFAULT_CONFIG.context,
    transformer: { ...DEFAULT_CONFIG.transformer, ...options.transformer },
    conv: { ...DEFAULT_CONFIG.conv, ...options.conv },
  };
  validateConfig(config);
  const gazetteer = options.gazetteer ? await loadGazetteer(options.gazetteer.kbPath) : undefined;
  return new NerimaEncoder(config, { morph, gazetteer });
}

/** Options of {@link saveEncoder}. */
export interface SaveEncoderOptions {
  /** Storage precision (default float16). */
  dtype?: 'float16' | 'float32';
  /** Merged into `config.meta`. */
  meta?: Record<string, unknown>;
  /**
   * Only the weights the current configuration uses: no pre-training head (`mlm/*`), no weights of
   * switched-off levels (e.g. the word embedding of a `word: false` encoder). For shipped models;
   * such a file cannot resume pre-training.
   */
  inferenceOnly?: boolean;
}

/** Writes weights + config (vocabularies, dims, switches) to one file, float16 by default. */
export async function saveEncoder(
  encoder: NerimaEncoder,
  path: string,
  options: SaveEncoderOptions = {},
): Promise<void> {
  const tensors = new Map<string, tf.Tensor>();
  if (options.inferenceOnly) {
    for (const [n, v] of encoder.variables()) tensors.set(n, v);
  } else {
    for (const [n, v] of encoder.params) tensors.set(n, v);
    for (const [n, v] of encoder.extras) tensors.set(n, v);
  }
  const config: EncoderConfig = { ...encoder.config, meta: { ...encoder.config.meta, ...options.meta } };
  await saveWeights(path, tensors, {
    format: ENCODER_FORMAT,
    version: ENCODER_VERSION,
    config,
    dtype: options.dtype ?? 'float16',
  });
}

/** Loads a file written by `saveEncoder`; checks format, version and every shape. Node.js only. */
export async function loadEncoder(
  path: string,
  options: Omit<LoadEncoderOptions, 'from'> = {},
): Promise<NerimaEncoder> {
  const loaded = await loadWeights(path, { format: ENCODER_FORMAT, version: ENCODER_VERSION });
  return encoderFromWeights(loaded, path, options);
}

/**
 * Loads an encoder from the bytes of a file written by `saveEncoder` (e.g. fetched in a browser);
 * checks format, version and every shape like {@link loadEncoder}. `source` names the bytes in
 * errors. In a browser pass `dictPath` (a URL folder with kuromoji's dictionary) when the model
 * has word features, or `word: false` to run without them.
 * @example
 * const bytes = new Uint8Array(await (await fetch('/model/encoder.bin')).arrayBuffer());
 * const enc = await loadEncoderFromBytes(bytes, { dictPath: '/dict/' }, 'encoder.bin');
 */
export async function loadEncoderFromBytes(
  bytes: Uint8Array,
  options: Omit<LoadEncoderOptions, 'from'> = {},
  source = '<bytes>',
): Promise<NerimaEncoder> {
  const loaded = deserializeWeights(bytes, { format: ENCODER_FORMAT, version: ENCODER_VERSION }, source);
  return encoderFromWeights(loaded, source, options);
}

async function encoderFromWeights(
  loaded: { config: unknown; tensors: Map<string, tf.Tensor> },
  path: string,
  options: Omit<LoadEncoderOptions, 'from'>,
): Promise<NerimaEncoder> {
  try {
    const saved = loaded.config as EncoderConfig;
    validateConfig(saved, `${path}: config`);
    // Every tensor the saved config needs must be there with its shape.
    for (const s of parameterSpecs(saved)) {
      const t = loaded.tensors.get(s.name);
      if (!t)
        throw new Error(
          `${path}: tensor ${s.name} is missing (the file is truncated or was written by another version)`,
        );
      if (t.shape.join(',') !== s.shape.join(',')) {
        throw new Error(
          `${path}: tensor ${s.name}: shape [${t.shape}] does not match its config's [${s.shape}]`,
        );
      }
    }
    if (saved.gazetteer && options.gazetteer === undefined) {
      throw new Error(
        `${path}: this model was trained with gazetteer features; pass gazetteer: { kbPath: '.../kb/entities.jsonl' } ` +
          'to load it, or gazetteer: false to drop them',
      );
    }
    const config: EncoderConfig = {
      ...saved,
      word: options.word === false ? false : saved.word,
      gazetteer: options.gazetteer === undefined ? saved.gazetteer : !!options.gazetteer,
      context: options.context ?? saved.context,
      dropout: options.dropout ?? saved.dropout,
      seed: options.seed ?? saved.seed,
    };
    const resources: EncoderResources = {};
    if (config.word !== false) resources.morph = await Morphology.create(options);
    if (config.gazetteer && options.gazetteer)
      resources.gazetteer = await loadGazetteer(options.gazetteer.kbPath);
    const initial = options.weights === 'random' ? undefined : loaded.tensors;
    return new NerimaEncoder(config, resources, initial);
  } finally {
    for (const t of loaded.tensors.values()) t.dispose();
  }
}
