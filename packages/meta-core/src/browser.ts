/**
 * The browser entry of `@nerima/meta-core` (export condition `browser`, or `./browser`):
 * MAML-ProtoNet++ (create, {@link parseMamlProtoNet}, adapt), the feature store and the NNShot
 * baselines; not the fine-tuning baseline, which loads weights from files.
 */
export type { AdamOptions, AdamState } from './adam.js';
export { Adam } from './adam.js';
export type { NNSpanOptions, ProjectionSource } from './baselines/nnshot.js';
export { NNShotLearner, NNSpanLearner } from './baselines/nnshot.js';
export type { ControlConfig, ControlOutput, ControlValues } from './control.js';
export { controlForward, controlValues, createControlVariables } from './control.js';
export type { KbCueEntry, KbCueOptions } from './cues/kb-cue.js';
export { createKbCue } from './cues/kb-cue.js';
export type { SpanCue } from './cues/registry.js';
export {
  getSpanCue,
  registerSpanCue,
  spanCueBlocks,
  spanCuesDim,
  unregisterSpanCue,
} from './cues/registry.js';
export type { VectorCueOptions } from './cues/vector-cue.js';
export { createVectorCue } from './cues/vector-cue.js';
export * from './distant/index.js';
export type { FeatureStoreOptions } from './features.js';
export { FeatureStore } from './features.js';
export type {
  CreateMamlProtoNetOptions,
  MetaTrainOptions,
  MetaTrainProgress,
  MetaTrainResult,
} from './learner.js';
export {
  createMamlProtoNet,
  loadMamlProtoNet,
  MamlProtoNet,
  parseMamlProtoNet,
  VARIANTS,
} from './learner.js';
export { LEXICAL_DIM, lexicalFeatures } from './lexical.js';
export type {
  MetaModelConfig,
  MetaModelOptions,
  NonEntityMode,
  TypeBy,
  TypeFeatures,
  TypeHead,
} from './model.js';
export { DEFAULT_GROUPS, MODEL_FORMAT, MODEL_VERSION, makeConfig } from './model.js';
export type { Fold, NovelTypeEpisodeOptions } from './protocol.js';
export { assertDisjoint, foldTrainingSentences, novelTypeEpisodes } from './protocol.js';
export type { CharClass, TaskStats } from './stats.js';
export { CHAR_CLASSES, STATS_DIM, statsVector, supportStats } from './stats.js';
