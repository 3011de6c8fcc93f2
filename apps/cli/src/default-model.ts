/**
 * What `nerima serve` serves without `--model`: the shipped Stockmark tagger for
 * `POST /v1/entities` and the shipped meta-trained MAML-ProtoNet++ (`models/meta`) for few-shot
 * tasks. Both run outside the server's thread (the tagger in an ONNX child process, the meta model
 * in its own child), so a slow prediction or an adaptation never delays `GET /healthz` or other
 * requests' HTTP handling. Heavy: imported only when the command runs.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { FewShotLearner } from '@nerima/core';
import { LexiconLearner } from '@nerima/eval';
import { candidateDirs, type LoadedTagger, loadTagger } from '@nerima/models';
import type { ModelProvider } from '@nerima/server';
import * as tf from '@tensorflow/tfjs-core';
import { DataError } from './errors.js';
import { META } from './layout.js';
import { MetaProcessLearner } from './meta-process.js';
import { SERVING_STORE_CAPACITY } from './model-folder.js';

/** Name of the shipped meta model folder (`models/meta`, or `dist/weights/meta` of `@nerima/models`). */
export const SHIPPED_META = 'meta';

/** The shipped meta model folder, or undefined when no candidate folder holds one. */
export function shippedMetaDir(): string | undefined {
  return candidateDirs(SHIPPED_META).find((d) => existsSync(join(d, META.manifest)));
}

/** Options of {@link loadDefaultProvider}. */
export interface DefaultProviderOptions {
  /** ONNX child processes for the tagger; 0 runs it in the server's process (default 1). */
  processes?: number;
  /** Shipped tagger name or tagger folder (default `stockmark`). */
  tagger?: string;
  /** tfjs backend request (`--backend`) for the meta model's process. */
  backend?: string;
  warn(message: string): void;
}

/** Loads the default model (see the module comment). */
export async function loadDefaultProvider(options: DefaultProviderOptions): Promise<ModelProvider> {
  const processes = options.processes ?? 1;
  let tagger: LoadedTagger;
  try {
    tagger = await loadTagger(options.tagger ?? 'stockmark', processes > 0 ? { processes } : {});
  } catch (err) {
    throw new DataError(`the shipped tagger: ${(err as Error).message}`, [], { cause: err });
  }
  if (tagger.processes === 0 && processes > 0) {
    options.warn(
      `the tagger runs on ${tagger.runtime} in the server's thread (${tagger.fallbackReason ?? 'no ONNX'}): long predictions delay other requests`,
    );
  }
  let learner: FewShotLearner;
  let meta: MetaProcessLearner | undefined;
  const metaDir = shippedMetaDir();
  if (metaDir) {
    try {
      meta = await MetaProcessLearner.start({
        dir: metaDir,
        storeCapacity: SERVING_STORE_CAPACITY,
        ...(options.backend !== undefined ? { backend: options.backend } : {}),
        onExit: (message) => options.warn(message),
      });
    } catch (err) {
      tagger.dispose();
      throw new DataError(`${metaDir}: cannot load the meta model: ${(err as Error).message}`, [], {
        cause: err,
      });
    }
    learner = meta;
  } else {
    options.warn(
      `no shipped meta model (looked in ${candidateDirs(SHIPPED_META).join(', ')}): POST /v1/tasks uses the lexicon baseline`,
    );
    learner = new LexiconLearner();
  }
  const where = tagger.processes > 0 ? `${tagger.runtime}, ${tagger.processes} process(es)` : tagger.runtime;
  return {
    name: `${tagger.name} tagger (${where}) + ${learner.name}${meta ? ` (${metaDir})` : ''}`,
    learner,
    tagger,
    // The server process's tensors plus the meta model process's (as of its last reply).
    tensorMemory: () => {
      const m = tf.memory();
      const c = meta?.tensorMemory ?? { numTensors: 0, numBytes: 0 };
      return { numTensors: m.numTensors + c.numTensors, numBytes: m.numBytes + c.numBytes };
    },
    dispose() {
      tagger.dispose();
      meta?.dispose();
    },
  };
}
