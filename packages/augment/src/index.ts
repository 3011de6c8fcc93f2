export {
  type AugmentedSentence,
  type AugmentOptions,
  type AugmentReport,
  type AugmentResult,
  augment,
  type GeneratorReport,
} from './augment.js';
export {
  type ConfidenceOptions,
  type ConsistencyOptions,
  type DropExample,
  FILTER_STAGES,
  type FilterContext,
  type FilterOptions,
  type FilterResult,
  type FilterStage,
  runFilter,
  type SimilarityStageOptions,
  type StageReport,
  structureProblems,
} from './filter.js';
export {
  buildTemplates,
  type ContextChangeOptions,
  createContextChange,
  type Template,
  type TemplateStats,
} from './generators/context.js';
export {
  createParaphrase,
  type LoadParaphraseOptions,
  loadParaphrase,
  type ParaphraseOptions,
} from './generators/paraphrase.js';
export { createMentionSwap, type MentionSwapOptions, type WeightedLexicon } from './generators/swap.js';
export { type AugmentedLearnerOptions, withAugmentation } from './learner.js';
export {
  isUsableSurface,
  KB_TYPE_MAP,
  type KbField,
  type KbLexiconOptions,
  type KbLexiconStats,
  lexiconFromSentences,
  loadKbLexicon,
  MentionLexicon,
  type SentenceLexiconOptions,
} from './lexicon.js';
export { type Joined, joinPieces, type Piece, type PieceEntity } from './pieces.js';
export {
  DEFAULT_PLACEHOLDERS,
  type PlaceholderStyle,
  type Protected,
  protect,
  type Restored,
  restore,
} from './placeholders.js';
export {
  defaultModelsDir,
  loadSeq2Seq,
  ModelUnavailableError,
  type ResolvedModel,
  requiredSeq2SeqFiles,
  resolveSeq2SeqModel,
  type Seq2SeqDtype,
  type Seq2SeqOptions,
  type TextToText,
} from './seq2seq.js';
export {
  charNgrams,
  cosine,
  createSimilarity,
  type Similarity,
  type SimilarityOptions,
} from './similarity.js';
export { analyzeStructure, type SentenceStructure, type Unit } from './structure.js';
export type {
  Candidate,
  CandidateEntity,
  EntityOrigin,
  Generator,
  GeneratorContext,
  PrepareContext,
  Provenance,
  SwapEdit,
} from './types.js';
