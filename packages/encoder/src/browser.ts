/**
 * The browser entry of `@nerima/encoder` (export condition `browser`, or `./browser`): the encoder,
 * {@link loadEncoderFromBytes}, kuromoji tokenisation with a URL `dictPath`, normalisation and
 * vocabularies; not pre-training, the corpus reader or the Hugging Face context encoder.
 */
export type { VocabOptions, Vocabularies } from './build-vocab.js';
export { buildVocabularies } from './build-vocab.js';
export type {
  CharConfig,
  ContextKind,
  ConvContextConfig,
  EncoderConfig,
  TransformerConfig,
  WordConfig,
} from './config.js';
export { DEFAULT_CONFIG, ENCODER_FORMAT, ENCODER_VERSION } from './config.js';
export type { EncodedFeatures, EncodeOptions, FeatureLevel, PreparedBatch, TextEncoder } from './contract.js';
export { FEATURE_LEVELS } from './contract.js';
export type { CreateEncoderOptions, GazetteerOption, LoadEncoderOptions, RuntimeOptions } from './create.js';
export { createEncoder, loadEncoderFromBytes } from './create.js';
export { combineLevels, NerimaEncoder } from './encoder.js';
export type { KbEntry } from './gazetteer.js';
export { GAZETTEER_FEATURES, GAZETTEER_TYPES, Gazetteer } from './gazetteer.js';
export type { Morpheme } from './morphology.js';
export { loadKuromoji, Morphology } from './morphology.js';
export type { CharClass, CharWidth, NormalizedText } from './normalize.js';
export { CHAR_CLASSES, charClass, charWidth, normalizeWithOffsets } from './normalize.js';
export { charNgrams, ngramBuckets } from './vectors/ngrams.js';
export type { TrainVectorsOptions, TrainVectorsProgress, TrainVectorsResult } from './vectors/train.js';
export { trainSubwordVectors } from './vectors/train.js';
export type { SubwordVectorsConfig } from './vectors/vectors.js';
export { cosine, SubwordVectors, VECTORS_FORMAT, VECTORS_VERSION } from './vectors/vectors.js';
export type { VocabJson } from './vocab.js';
export { Vocab } from './vocab.js';
