/** Messages between the page and the model worker (structured-clone friendly). */
import type { EntityType, Prediction, Sentence } from '@nerima/core';

/** What the page asks the worker. */
export type WorkerRequest =
  | { id: number; kind: 'init'; base: string; backend: 'auto' | 'wasm' | 'cpu' }
  | { id: number; kind: 'adapt'; support: Sentence[]; types: EntityType[] }
  | { id: number; kind: 'tag'; texts: string[] };

/** Loading / tagging progress. */
export interface Progress {
  label: string;
  done: number;
  total: number;
}

/** What the worker answers: a result, an error message, or progress of request `id`. */
export type WorkerResponse =
  | { id: number; kind: 'result'; result: unknown }
  | { id: number; kind: 'error'; message: string }
  | { id: number; kind: 'progress'; progress: Progress };

/** Result of `init`. */
export interface InitResult {
  backend: string;
  /** Milliseconds spent fetching and loading the encoder, dictionary and meta model. */
  loadMs: number;
  /** Bytes fetched (encoder, meta model); the dictionary is fetched by kuromoji and not counted. */
  modelBytes: number;
}

/** Result of `adapt`. */
export interface AdaptResult {
  types: EntityType[];
  adaptMs: number;
}

/** Result of `tag`: predictions per text. */
export interface TagResult {
  predictions: Prediction[][];
  tagMs: number;
}
