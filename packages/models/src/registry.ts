/**
 * The taggers nerima ships, and where their folders are: `NERIMA_MODELS/<name>` when that variable
 * is set, else `dist/weights/<name>` inside the installed package (copied there by the build), else
 * the repository's `models/<name>` (running from source in the workspace).
 */
import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** What one shipped tagger is (the folder's README has the full card). */
export interface ShippedTaggerInfo {
  /** Name for {@link resolveTaggerDir} / `loadTagger(name)`. */
  name: string;
  /** One line: data, types, quality. */
  description: string;
  /** Training data and its license (the model is a derivative of it). */
  data: string;
  license: string;
}

/** The shipped taggers, by name; the first is the default. */
export const SHIPPED_TAGGERS: Readonly<Record<string, ShippedTaggerInfo>> = {
  stockmark: {
    name: 'stockmark',
    description:
      'Stockmark Wikipedia NER, 8 types (PERSON, CORPORATION, POLITICAL_ORG, OTHER_ORG, LOCATION, FACILITY, PRODUCT, EVENT)',
    data: 'stockmarkteam/ner-wikipedia-dataset (train split, 4008 sentences)',
    license: 'CC BY-SA 3.0 (training data); gazetteer names CC BY-SA 4.0',
  },
  gsd: {
    name: 'gsd',
    description: 'UD Japanese GSD with Megagon NE labels (OntoNotes-style types), trained on a small sample',
    data: 'UD_Japanese-GSD NE sample (810 sentences: 729 train, 81 dev)',
    license: 'CC BY-SA 4.0 (training data and gazetteer names)',
  },
};

/** The tagger `loadTagger()` uses without a name. */
export const DEFAULT_TAGGER = 'stockmark';

/** Environment variable naming a folder that holds shipped-tagger folders (`<dir>/<name>/tagger.json`). */
export const MODELS_ENV = 'NERIMA_MODELS';

function isTaggerDir(dir: string): boolean {
  return existsSync(join(dir, 'tagger.json'));
}

/** Folders searched for a shipped name, in order. */
export function candidateDirs(name: string): string[] {
  const out: string[] = [];
  const env = process.env[MODELS_ENV];
  if (env) out.push(resolve(env, name));
  // dist/index.js → dist/weights/<name>; src/registry.ts and dist/ → <repo>/models/<name>.
  out.push(fileURLToPath(new URL(`./weights/${name}`, import.meta.url)));
  out.push(fileURLToPath(new URL(`../../../models/${name}`, import.meta.url)));
  return out;
}

/**
 * The folder of a tagger: a shipped name (`'stockmark'`, `'gsd'`) or a path to a tagger folder
 * (one holding `tagger.json`, e.g. `runs/span-supervised/main/best`).
 * @throws Error naming what was looked for when neither resolves.
 */
export function resolveTaggerDir(nameOrPath: string): string {
  if (SHIPPED_TAGGERS[nameOrPath]) {
    const dirs = candidateDirs(nameOrPath);
    const found = dirs.find(isTaggerDir);
    if (found) return found;
    throw new Error(
      `tagger '${nameOrPath}': no tagger.json in ${dirs.join(', ')}; reinstall @nerima/models or set ${MODELS_ENV}`,
    );
  }
  const dir = resolve(nameOrPath);
  if (existsSync(dir) && statSync(dir).isDirectory() && isTaggerDir(dir)) return dir;
  throw new Error(
    `tagger '${nameOrPath}': not a shipped name (${Object.keys(SHIPPED_TAGGERS).join(', ')}) and not a folder with tagger.json`,
  );
}
