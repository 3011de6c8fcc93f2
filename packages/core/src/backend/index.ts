export {
  type BackendInfo,
  type BackendName,
  type BackendRequest,
  getBackendInfo,
  type InitBackendOptions,
  initBackend,
} from './init.js';
export type * from './tensor.js';
export {
  deserializeWeights,
  type LoadedWeights,
  loadWeights,
  type NamedTensors,
  readWeightsHeader,
  type StoredDtype,
  saveWeights,
  serializeWeights,
  WEIGHTS_MAGIC,
  type WeightsExpectation,
  type WeightsHeader,
  type WeightsMeta,
  type WeightsTensorEntry,
} from './weights.js';
