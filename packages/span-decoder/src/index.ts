// The browser-safe surface, plus the Node.js-only supervised tagger files and threshold tuning.
export * from './browser.js';
export type { CascadeWeights, ExportedTagger, ProjectionLayout } from './onnx/export.js';
export { exportTagger, onnxUnsupportedReason } from './onnx/export.js';
export type { OnnxRuntime, OnnxStageTimings, OnnxTaggerOptions } from './onnx/onnx-tagger.js';
export { loadOnnxRuntime, OnnxSpanTagger } from './onnx/onnx-tagger.js';
export type { OnnxPoolOptions } from './onnx/pool.js';
export { OnnxTaggerPool } from './onnx/pool.js';
export type { LoadTaggerOptions, SavedTaggerConfig, SpanTaggerOptions } from './tagger.js';
export {
  createTagger,
  loadSpanTagger,
  SpanTagger,
  TAGGER_FORMAT,
  TAGGER_GAZETTEER_FILE,
  TAGGER_VERSION,
} from './tagger.js';
export type { EpochRecord, TrainProgress, TrainResult, TrainSpanTaggerOptions } from './trainer.js';
export { evaluateTagger, hasNestedOrOverlapping, trainSpanTagger, typesOf } from './trainer.js';
export type { ThresholdGrid } from './tune.js';
export { DEFAULT_THRESHOLD_GRID, tuneThresholds } from './tune.js';
