/**
 * What the server serves: a learner for few-shot tasks and an optional default tagger. A
 * {@link ModelLoader} turns a run folder into one (the CLI's `nerima serve --model <dir>` passes
 * its loader to {@link serve}); {@link lexiconModel} is the dependency-free fallback.
 */
import { type FewShotLearner, readDataset, type Sentence, type Tagger } from '@nerima/core';
import { LexiconLearner } from '@nerima/eval';
import type { TensorMemory } from './server-metrics.js';

/** A loaded model. */
export interface ModelProvider {
  /** Short name for logs, e.g. `lexicon` or the run folder. */
  readonly name: string;
  /** Adapts to the support sets of `POST /v1/tasks`. */
  readonly learner: FewShotLearner;
  /** Serves `POST /v1/entities`, when the model has one. */
  readonly tagger?: Tagger;
  /** tfjs memory (e.g. `() => tf.memory()`), for `/metrics`. */
  tensorMemory?(): TensorMemory;
  /** Frees the default tagger and model weights; called after the server has closed. */
  dispose?(): void | Promise<void>;
}

/** Loads a model from a run folder written by `nerima pipeline` / `nerima meta-train`. */
export type ModelLoader = (runFolder: string) => Promise<ModelProvider>;

/**
 * The exact-match baseline: {@link LexiconLearner} for tasks and, when `support` is given, a
 * default tagger adapted to it.
 */
export async function lexiconModel(support?: readonly Sentence[]): Promise<ModelProvider> {
  const learner = new LexiconLearner();
  const tagger = support ? await learner.adapt(support) : undefined;
  return {
    name: 'lexicon',
    learner,
    ...(tagger ? { tagger } : {}),
    dispose() {
      tagger?.dispose?.();
    },
  };
}

/**
 * Reads a support file (our JSONL, Stockmark `ner.json` or CoNLL), strictly: a bad row throws a
 * `DatasetError` naming file:line and field.
 */
export async function readSupportFile(path: string): Promise<Sentence[]> {
  const { sentences } = await readDataset(path);
  if (sentences.length === 0)
    throw new Error(`${path}: no sentences; a support file needs at least one labelled sentence`);
  if (!sentences.some((s) => s.entities.length > 0)) {
    throw new Error(`${path}: no entities; label at least one mention`);
  }
  return sentences;
}
