/**
 * Where corpus taggers come from: a factory `() => Promise<Tagger>` that each process (the local
 * runner, every worker) calls once. The CLI's factory loads `--model` (a tagger folder, a run
 * folder with `model/tagger/`, or an adapted folder) or learns the lexicon baseline from
 * `--support`; tests pass any other factory.
 */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Tagger } from '@nerima/core';
import type { CommandContext } from '../command.js';
import { readDatasetFile } from '../data.js';
import { DataError, UsageError } from '../errors.js';

/** Shipped tagger names `--model` takes besides folders (`@nerima/models`). */
const SHIPPED = ['stockmark', 'gsd'];

/** Makes the tagger a process uses; the caller disposes it. */
export type TaggerFactory = () => Promise<Tagger>;

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/**
 * The factory for `--model <name|dir>` or `--support <file>`; with neither, the shipped Stockmark
 * tagger (`loadTagger('stockmark')` of `@nerima/models`).
 */
export function cliTaggerFactory(
  ctx: Pick<CommandContext, 'global' | 'out'>,
  source: { model?: string; support?: string; threads?: number },
): TaggerFactory {
  const { model, support } = source;
  if (model !== undefined && support !== undefined) {
    throw new UsageError(
      'give --model (a shipped tagger name, a tagger folder, a run folder with model/tagger, or an adapted folder) or --support <file> (lexicon baseline), not both',
    );
  }
  if (support === undefined && (model === undefined || SHIPPED.includes(model))) {
    // The shipped tagger (models/<name>), with @nerima/models' fastest runtime.
    const name = model ?? 'stockmark';
    return async () => {
      const { loadTagger } = await import('@nerima/models');
      return loadTagger(name, source.threads !== undefined ? { threads: source.threads } : {});
    };
  }
  if (support !== undefined) {
    return async () => {
      const { LexiconLearner } = await import('@nerima/eval');
      const { sentences } = await readDatasetFile(support);
      if (!sentences.some((s) => s.entities.length > 0))
        throw new DataError(`${support}: no entities to learn a lexicon from`);
      return new LexiconLearner().adapt(sentences);
    };
  }
  const dir = model as string;
  return async () => {
    const { initTensorBackend } = await import('../backend.js');
    const mf = await import('../model-folder.js');
    if (await isFile(join(dir, 'tagger.json'))) {
      await initTensorBackend(ctx);
      return mf.loadTaggerFolder(dir);
    }
    const folder = await mf.inspectModelFolder(dir);
    await initTensorBackend(ctx);
    if (folder.kind === 'adapted') {
      const adapted = await mf.loadAdaptedFolder(folder, { storeCapacity: mf.SERVING_STORE_CAPACITY });
      const { tagger } = adapted;
      return {
        types: tagger.types,
        predict: (texts) => tagger.predict(texts),
        dispose: () => adapted.dispose(),
      };
    }
    if (!folder.taggerDir) {
      throw new DataError(
        `--model ${dir}: has only a meta-trained model, which needs examples: run nerima adapt first and give the adapted folder`,
      );
    }
    return mf.loadTaggerFolder(folder.taggerDir);
  };
}
