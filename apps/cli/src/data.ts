/**
 * Loading user data with errors that name the file and exit with code 3: single files of any
 * format `readDataset` knows, `types.json`, and dataset folders (`train.jsonl`, `dev.jsonl`,
 * `test.jsonl`, `types.json`, as written by `nerima demo-data` and found in `shared/data/<set>/`).
 */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { type Dataset, type EntityType, loadTypes, readDataset, type Sentence } from '@nerima/core';
import { asInputError, DataError } from './errors.js';

/** Reads a `types.json` (object or array form) and returns its type codes. */
export async function readTypesFile(path: string): Promise<EntityType[]> {
  try {
    return (await loadTypes(path)).codes;
  } catch (err) {
    const mapped = asInputError(err, path);
    if (mapped !== err) throw mapped;
    if (err instanceof TypeError) throw new DataError(err.message, [], { cause: err });
    throw err;
  }
}

/** Reads one dataset file; strict by default (any invalid row is a {@link DataError}). */
export async function readDatasetFile(
  path: string,
  options: { types?: readonly EntityType[]; lenient?: boolean } = {},
): Promise<Dataset> {
  try {
    return await readDataset(path, {
      mode: options.lenient ? 'lenient' : 'strict',
      ...(options.types ? { types: options.types } : {}),
    });
  } catch (err) {
    throw asInputError(err, path);
  }
}

async function kind(path: string): Promise<'file' | 'dir' | 'missing'> {
  try {
    const s = await stat(path);
    return s.isDirectory() ? 'dir' : 'file';
  } catch {
    return 'missing';
  }
}

/** Data for evaluation: the held-out sentences episodes are sampled from, and the known types. */
export interface EvalData {
  /** What was loaded, for reports: a file, a folder, or `demo corpus (seed N)`. */
  source: string;
  /** The file the held-out sentences came from (for messages). */
  heldOutFile: string;
  heldOut: Sentence[];
  /** Training sentences when the source has them (folders with train.jsonl, the demo corpus). */
  train?: Sentence[];
  /** Types from types.json when present, else the types found in the held-out data (sorted). */
  types: EntityType[];
}

/**
 * Loads `path`: a dataset file (all of it is held out), or a folder with `test.jsonl` (else
 * `dev.jsonl`) as the held-out part, optional `train.jsonl`, optional `types.json`. An explicit
 * `typesFile` overrides the folder's.
 */
export async function loadEvalData(path: string, typesFile?: string): Promise<EvalData> {
  const k = await kind(path);
  if (k === 'missing') throw new DataError(`${path}: no such file or directory`);
  if (k === 'file') {
    const types = typesFile ? await readTypesFile(typesFile) : undefined;
    const ds = await readDatasetFile(path, types ? { types } : {});
    return {
      source: path,
      heldOutFile: path,
      heldOut: ds.sentences,
      types: types ?? Object.keys(ds.stats.perType).sort(),
    };
  }
  const typesPath = typesFile ?? join(path, 'types.json');
  const types = typesFile || (await kind(typesPath)) === 'file' ? await readTypesFile(typesPath) : undefined;
  const opts = types ? { types } : {};
  let heldOutFile: string | undefined;
  for (const name of ['test.jsonl', 'dev.jsonl']) {
    if ((await kind(join(path, name))) === 'file') {
      heldOutFile = join(path, name);
      break;
    }
  }
  if (!heldOutFile) {
    throw new DataError(
      `${path}: found neither test.jsonl nor dev.jsonl in this folder (the layout "nerima demo-data" writes); pass a file instead`,
    );
  }
  const heldOut = await readDatasetFile(heldOutFile, opts);
  const data: EvalData = {
    source: path,
    heldOutFile,
    heldOut: heldOut.sentences,
    types: types ?? Object.keys(heldOut.stats.perType).sort(),
  };
  const trainFile = join(path, 'train.jsonl');
  if ((await kind(trainFile)) === 'file') data.train = (await readDatasetFile(trainFile, opts)).sentences;
  return data;
}

/** Training data: a file, or a folder's `train.jsonl` (+ `types.json`). */
export interface TrainData {
  source: string;
  /** The file the sentences came from. */
  file: string;
  sentences: Sentence[];
  /** Types from types.json when present, else those found in the data (sorted). */
  types: EntityType[];
}

/**
 * Loads training sentences from `path`: a dataset file, or a folder with `train.jsonl` (and
 * optional `types.json`). An explicit `typesFile` overrides the folder's.
 */
export async function loadTrainData(path: string, typesFile?: string): Promise<TrainData> {
  const k = await kind(path);
  if (k === 'missing') throw new DataError(`${path}: no such file or directory`);
  let file = path;
  let typesPath = typesFile;
  if (k === 'dir') {
    file = join(path, 'train.jsonl');
    if ((await kind(file)) !== 'file') {
      throw new DataError(
        `${path}: this folder has no train.jsonl (the layout "nerima demo-data" writes); pass a training file instead`,
      );
    }
    if (!typesPath && (await kind(join(path, 'types.json'))) === 'file') typesPath = join(path, 'types.json');
  }
  const types = typesPath ? await readTypesFile(typesPath) : undefined;
  const ds = await readDatasetFile(file, types ? { types } : {});
  if (ds.sentences.length === 0) throw new DataError(`${file}: no sentences; training needs labelled data`);
  return {
    source: path,
    file,
    sentences: ds.sentences,
    types: types ?? Object.keys(ds.stats.perType).sort(),
  };
}
