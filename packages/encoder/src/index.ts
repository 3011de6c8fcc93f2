// The browser-safe surface, plus what needs Node.js: file loading and saving, the default kuromoji
// dictionary path, the KB gazetteer file, pre-training and the Hugging Face context encoder.
export * from './browser.js';
export type { SaveEncoderOptions } from './create.js';
export { loadEncoder, saveEncoder } from './create.js';
export { loadGazetteer, readKbEntries } from './gazetteer.js';
export type { HfContextEncoder, HfContextOptions, TokenAlignment } from './hf.js';
export { createHfContextEncoder } from './hf.js';
export type { MaskedBatch } from './mlm.js';
export { MlmHead, maskBatch } from './mlm.js';
export { defaultDictPath, loadKuromoji } from './morph.js';
export type { EvalResult, PretrainOptions, PretrainResult } from './pretrain.js';
export { evaluateMlm, pretrain } from './pretrain.js';
export { loadSubwordVectors } from './vectors/load.js';
