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
export { createEncoder, loadEncoder, loadEncoderFromBytes, saveEncoder } from './create.js';
export { combineLevels, NerimaEncoder } from './encoder.js';
export { GAZETTEER_FEATURES, GAZETTEER_TYPES, Gazetteer, loadGazetteer } from './gazetteer.js';
export type { HfContextEncoder, HfContextOptions, TokenAlignment } from './hf.js';
export { createHfContextEncoder } from './hf.js';
export type { MaskedBatch } from './mlm.js';
export { MlmHead, maskBatch } from './mlm.js';
export type { Morpheme } from './morph.js';
export { defaultDictPath, loadKuromoji, Morphology } from './morph.js';
export type { CharClass, CharWidth, NormalizedText } from './normalize.js';
export { CHAR_CLASSES, charClass, charWidth, normalizeWithOffsets } from './normalize.js';
export type { EvalResult, PretrainOptions, PretrainResult } from './pretrain.js';
export { evaluateMlm, pretrain } from './pretrain.js';
export type { VocabJson } from './vocab.js';
export { Vocab } from './vocab.js';
