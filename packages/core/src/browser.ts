/**
 * The browser entry of `@nerima/core` (export condition `browser`, or the `./browser` subpath):
 * types, seeded RNG, sampling, splits, statistics, validation, the demo corpus and the tfjs backend
 * selection and weights format; no module here imports a Node.js builtin at load time. The file
 * functions (`readDataset`, `writeFileAtomic`, ...) are stand-ins that throw {@link NodeOnlyError}.
 */
export * from './backend/index.js';
export * from './demo/index.js';
export * from './node-only.js';
export * from './rng.js';
export * from './sampler.js';
export * from './splits.js';
export * from './stats.js';
export type * from './types.js';
export { type ReadOptions, type ReadResult, validateSentences } from './validate/collect.js';
export { DatasetError, type Issue, LISTED_ISSUES, type Location, type ReadMode } from './validate/issue.js';
export {
  normalizeSentence,
  splitsSurrogatePair,
  type ValidationContext,
  validateSentence,
} from './validate/sentence.js';
