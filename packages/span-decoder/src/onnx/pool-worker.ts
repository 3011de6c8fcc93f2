/**
 * Child process of {@link OnnxTaggerPool}: loads the tagger folder, exports it to ONNX, and answers
 * `predict` messages over IPC. A process, not a worker thread: onnxruntime-node's native binding
 * loads in only one thread per process.
 */
import { initBackend } from '@nerima/core';
import { loadSpanTagger } from '../tagger.js';
import { OnnxSpanTagger } from './onnx-tagger.js';
import type { PoolReply, PoolRequest } from './pool-protocol.js';

let tagger: OnnxSpanTagger | undefined;

function send(reply: PoolReply): void {
  process.send?.(reply);
}

async function handle(msg: PoolRequest): Promise<void> {
  if (msg.type === 'init') {
    try {
      await initBackend();
      const source = await loadSpanTagger(msg.options);
      tagger = await OnnxSpanTagger.create(source, { threads: msg.threads });
      send({ type: 'ready', types: [...tagger.types] });
    } catch (err) {
      send({ type: 'failed', message: (err as Error).message });
    }
    return;
  }
  try {
    if (!tagger) throw new Error('the worker is not initialised');
    send({ type: 'result', id: msg.id, predictions: await tagger.predict(msg.texts) });
  } catch (err) {
    send({ type: 'error', id: msg.id, message: (err as Error).message });
  }
}

// Requests are answered in order, one at a time (onnxruntime's run blocks this process anyway).
let chain: Promise<void> = Promise.resolve();
process.on('message', (msg: PoolRequest) => {
  chain = chain.then(() => handle(msg));
});
process.on('disconnect', () => {
  tagger?.dispose();
  process.exit(0);
});
