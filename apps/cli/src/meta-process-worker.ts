/**
 * Child process of {@link MetaProcessLearner}: loads a meta model folder, adapts it to support sets
 * and tags texts with the adapted taggers, answering the parent over IPC (see meta-process.ts).
 */
import { type BackendRequest, initBackend, type Tagger } from '@nerima/core';
import * as tf from '@tensorflow/tfjs-core';
import type { ChildTensorMemory, MetaReply, MetaRequest } from './meta-process.js';
import type { LoadedMeta } from './model-folder.js';

let meta: LoadedMeta | undefined;
const taggers = new Map<number, Tagger>();
let nextTagger = 0;

function memory(): ChildTensorMemory {
  const m = tf.memory();
  return { numTensors: m.numTensors, numBytes: m.numBytes };
}

function send(reply: MetaReply): void {
  process.send?.(reply);
}

async function run(msg: Extract<MetaRequest, { id: number }>): Promise<unknown> {
  if (!meta) throw new Error('the meta model process is not initialised');
  switch (msg.type) {
    case 'adapt': {
      const tagger = await meta.learner.adapt(msg.support, msg.types);
      const id = nextTagger++;
      taggers.set(id, tagger);
      return { tagger: id, types: [...tagger.types] };
    }
    case 'predict': {
      const tagger = taggers.get(msg.tagger);
      if (!tagger) throw new Error(`no adapted tagger ${msg.tagger} (released)`);
      return tagger.predict(msg.texts);
    }
    case 'release': {
      taggers.get(msg.tagger)?.dispose?.();
      taggers.delete(msg.tagger);
      return null;
    }
  }
}

async function handle(msg: MetaRequest): Promise<void> {
  if (msg.type === 'init') {
    try {
      const backend = await initBackend(msg.backend ? { backend: msg.backend as BackendRequest } : {});
      const { loadMetaFolder } = await import('./model-folder.js');
      meta = await loadMetaFolder(msg.dir, { storeCapacity: msg.storeCapacity });
      send({
        type: 'ready',
        name: meta.learner.name,
        trainTypes: [...meta.manifest.trainTypes],
        backend: backend.name,
        memory: memory(),
      });
    } catch (err) {
      send({ type: 'failed', message: (err as Error).message });
    }
    return;
  }
  try {
    const value = await run(msg);
    send({ type: 'result', id: msg.id, value, memory: memory() });
  } catch (err) {
    const e = err as Error & { statusCode?: unknown };
    send({
      type: 'error',
      id: msg.id,
      message: e.message,
      ...(typeof e.statusCode === 'number' ? { statusCode: e.statusCode } : {}),
      memory: memory(),
    });
  }
}

// One request at a time, in order: tfjs work is synchronous here anyway, and it keeps an
// adaptation from interleaving with another task's prediction.
let chain: Promise<void> = Promise.resolve();
process.on('message', (msg: MetaRequest) => {
  chain = chain.then(() => handle(msg));
});
process.on('disconnect', () => {
  for (const t of taggers.values()) t.dispose?.();
  meta?.dispose();
  process.exit(0);
});
