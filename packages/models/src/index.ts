// Shipped taggers and their loader.
export type { LoadedTagger, LoadShippedTaggerOptions } from './load.js';
export { loadTagger } from './load.js';
export type { ShippedTaggerInfo } from './registry.js';
export {
  candidateDirs,
  DEFAULT_TAGGER,
  MODELS_ENV,
  resolveTaggerDir,
  SHIPPED_TAGGERS,
} from './registry.js';
