export type { AdamOptions, AdamState } from './adam.js';
export { Adam } from './adam.js';
export type { FineTuneOptions, PretrainOptions, PretrainResult } from './baselines/finetune.js';
export { createFineTuneLearner, FineTuneLearner } from './baselines/finetune.js';
export type { NNSpanOptions, ProjectionSource } from './baselines/nnshot.js';
export { NNShotLearner, NNSpanLearner } from './baselines/nnshot.js';
export type { ControlConfig, ControlOutput, ControlValues } from './control.js';
export { controlForward, controlValues, createControlVariables } from './control.js';
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
export type { MetaModelConfig, MetaModelOptions, NonEntityMode, TypeHead } from './model.js';
export { DEFAULT_GROUPS, MODEL_FORMAT, MODEL_VERSION, makeConfig } from './model.js';
export type { Fold, NovelTypeEpisodeOptions } from './protocol.js';
export { assertDisjoint, novelTypeEpisodes } from './protocol.js';
export type { CharClass, TaskStats } from './stats.js';
export { CHAR_CLASSES, STATS_DIM, statsVector, supportStats } from './stats.js';
