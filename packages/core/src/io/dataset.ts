/** Reads any supported sentence file, choosing the format from the extension or the content. */
import { open } from 'node:fs/promises';
import { extname } from 'node:path';
import { type DatasetStats, datasetStats } from '../stats.js';
import type { Sentence } from '../types.js';
import type { ReadOptions } from '../validate/collect.js';
import type { Issue } from '../validate/issue.js';
import { type ConllReadOptions, readConll } from './conll.js';
import { readJsonl } from './jsonl.js';
import { readStockmarkNer } from './stockmark.js';

/** `jsonl`: the shared format; `stockmark-json`: upstream Stockmark `ner.json`; `conll`: IOB2 CoNLL. */
export type DatasetFormat = 'jsonl' | 'stockmark-json' | 'conll';

/** Options for {@link readDataset}. */
export interface ReadDatasetOptions extends ReadOptions {
  /** Skip detection. */
  format?: DatasetFormat;
  /** CoNLL only: see {@link ConllReadOptions}. */
  joiner?: string;
  /** CoNLL only: see {@link ConllReadOptions}. */
  idPrefix?: string;
}

/** What {@link readDataset} returns. */
export interface Dataset {
  file: string;
  format: DatasetFormat;
  sentences: Sentence[];
  issues: Issue[];
  stats: DatasetStats;
}

const BY_EXTENSION: Record<string, DatasetFormat> = {
  '.jsonl': 'jsonl',
  '.ndjson': 'jsonl',
  '.conll': 'conll',
  '.conllu': 'conll',
  '.iob': 'conll',
  '.iob2': 'conll',
  '.bio': 'conll',
  '.tsv': 'conll',
};

/**
 * Picks the format: by extension (`.jsonl`/`.ndjson`, `.conll`/`.iob`/`.iob2`/`.bio`/`.tsv`), else
 * by the first non-blank character of `head` (`[` → Stockmark `ner.json`, `{` → JSONL, otherwise
 * CoNLL). A `.json` file is Stockmark when it starts with `[`.
 */
export function detectFormat(path: string, head = ''): DatasetFormat {
  const byExt = BY_EXTENSION[extname(path).toLowerCase()];
  if (byExt) return byExt;
  const first = head.replace(/^\uFEFF/, '').trimStart()[0];
  if (first === '[') return 'stockmark-json';
  if (first === '{') return 'jsonl';
  return 'conll';
}

async function readHead(path: string, bytes = 4096): Promise<string> {
  const handle = await open(path, 'r');
  try {
    const buf = Buffer.alloc(bytes);
    const { bytesRead } = await handle.read(buf, 0, bytes, 0);
    return buf.subarray(0, bytesRead).toString('utf8');
  } finally {
    await handle.close();
  }
}

/**
 * Reads, validates and summarises a sentence file of any supported format. Strict by default
 * (throws a `DatasetError` listing the problems); `mode: 'lenient'` returns the valid rows and all
 * issues.
 * @example
 * const { sentences, issues, stats } = await readDataset('../shared/data/stockmark/dev.jsonl');
 */
export async function readDataset(path: string, options: ReadDatasetOptions = {}): Promise<Dataset> {
  const format = options.format ?? detectFormat(path, await readHead(path));
  const base: ReadOptions = {};
  if (options.mode) base.mode = options.mode;
  if (options.types) base.types = options.types;
  let result: { sentences: Sentence[]; issues: Issue[] };
  if (format === 'jsonl') result = await readJsonl(path, base);
  else if (format === 'stockmark-json') result = await readStockmarkNer(path, base);
  else if (format === 'conll') {
    const o: ConllReadOptions = { ...base };
    if (options.joiner !== undefined) o.joiner = options.joiner;
    if (options.idPrefix !== undefined) o.idPrefix = options.idPrefix;
    result = await readConll(path, o);
  } else throw new TypeError(`readDataset: unknown format ${String(format)} (jsonl, stockmark-json, conll)`);
  return { file: path, format, ...result, stats: datasetStats(result.sentences) };
}
