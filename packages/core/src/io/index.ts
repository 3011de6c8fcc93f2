export {
  type ConllLevel,
  type ConllReadOptions,
  type ConllWriteOptions,
  type ConllWriteResult,
  type DroppedEntity,
  formatConll,
  outermostEntities,
  parseConll,
  readConll,
  scriptTokenize,
  type Tokenizer,
  writeConll,
} from './conll.js';
export {
  type Dataset,
  type DatasetFormat,
  detectFormat,
  type ReadDatasetOptions,
  readDataset,
} from './dataset.js';
export { formatJsonl, iterateJsonl, parseJsonl, readJsonl, writeJsonl } from './jsonl.js';
export { readLines, splitLines, type TextLine } from './lines.js';
export {
  codePointToUtf16Offsets,
  parseStockmarkNer,
  readStockmarkNer,
  STOCKMARK_TYPE_MAP,
} from './stockmark.js';
