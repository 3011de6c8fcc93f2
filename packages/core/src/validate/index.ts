export { type ReadOptions, type ReadResult, validateSentences } from './collect.js';
export {
  DatasetError,
  type Issue,
  LISTED_ISSUES,
  type Location,
  type ReadMode,
} from './issue.js';
export {
  normalizeSentence,
  splitsSurrogatePair,
  type ValidationContext,
  validateSentence,
} from './sentence.js';
export { loadTypes, parseTypes, type TypeInfo, type TypeInventory } from './types.js';
