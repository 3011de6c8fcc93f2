export {
  type AlignOptions,
  type AlignProgress,
  type AlignReport,
  alignEncoder,
  type TuneScope,
  tunedVariableNames,
} from './align.js';
export {
  ALIGNER_FORMAT,
  ALIGNER_VERSION,
  type AlignerConfig,
  type AlignerOptions,
  createNameAligner,
  DEFAULT_ALIGNER,
  loadNameAligner,
  NameAligner,
  type NameBatch,
  type NameLang,
} from './aligner.js';
export {
  evaluatePool,
  evaluationPool,
  type PairEvaluation,
  type RetrievalScores,
  retrievalScores,
} from './evaluate.js';
export {
  type AlignFilesOptions,
  type AlignFilesReport,
  alignFiles,
  DEFAULT_ENCODER,
  resolveEncoderPath,
} from './files.js';
export { type Kb, type KbReport, type NamePair, parseKb, type ReadKbOptions, readKb } from './kb.js';
export { falseNegativeMask, type InfoNceOptions, infoNce, type PairKeys } from './loss.js';
export { cjkKey, enKey, type PairLang } from './names.js';
export { DEFAULT_NGRAM, type NgramConfig, ngramIds, ngramsOf } from './ngram.js';
export { type CharLookup, type OovReport, oovReport, type ScriptCount } from './oov.js';
export { type PairSplit, type SplitOptions, splitPairs } from './split.js';
