/**
 * The browser entry of `@nerima/span-decoder` (export condition `browser`, or `./browser`): the
 * decoder, its forward pass, losses and type scorers; not the Node.js-only supervised tagger files
 * (`SpanTagger` save/load, `trainSpanTagger`) or threshold tuning.
 */
export { collectCandidates, flattenCandidates, selectStarts } from './candidates.js';
export type { DecodeOptions, SpanDecoderConfig, TypeScorerKind } from './config.js';
export { DEFAULT_DECODE_OPTIONS, DEFAULT_MAX_WIDTH, defaultDecoderConfig, validateConfig } from './config.js';
export type { CandidateSpan, TextSpanScores } from './decode.js';
export { crosses, decode } from './decode.js';
export type { ScoreOptions, SpanDecoderOptions } from './decoder.js';
export { SpanDecoder } from './decoder.js';
export type { FeatureMode } from './features.js';
export { encodeFeatures, featureDim } from './features.js';
export type { SpanIndex, StartIndex } from './forward.js';
export {
  allStarts,
  boundaryLogits,
  createBoundaryVariables,
  endLogitsAt,
  endValidMask,
  spanRepresentations,
  startLogits,
} from './forward.js';
export type { JointLoss } from './loss.js';
export { jointLoss, softmaxCe, weightedBce } from './loss.js';
export type { MentionPools } from './mention-replace.js';
export { mentionPools, replaceMentions } from './mention-replace.js';
export type { Activation, ParamMap } from './params.js';
export type { LrSchedule } from './schedule.js';
export { learningRateAt } from './schedule.js';
export type { SpanTargets } from './targets.js';
export { buildTargets, sampleNegatives } from './targets.js';
export type {
  LinearTypeScorerOptions,
  NullMode,
  PrototypeTypeScorerOptions,
  SpanTypeScorer,
} from './type-scorer.js';
export { computePrototypes, LinearTypeScorer, PrototypeTypeScorer, squaredDistances } from './type-scorer.js';
