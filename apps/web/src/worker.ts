/**
 * The model, off the main thread: the same packages and path as `nerima adapt` / `nerima predict`
 * — the encoder (`loadEncoderFromBytes`, kuromoji with the dictionary served under `dict/`), a
 * `FeatureStore`, the meta-trained MAML-ProtoNet++ (`parseMamlProtoNet`) and `learner.adapt`.
 * Tagging goes in small batches with progress messages, so a long text never blocks the page.
 */
import { initBackend, type Tagger } from '@nerima/core';
import { loadEncoderFromBytes, type NerimaEncoder } from '@nerima/encoder';
import { FeatureStore, type MamlProtoNet, parseMamlProtoNet } from '@nerima/meta-core';
import wasmPlain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreaded from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import type {
  AdaptResult,
  InitResult,
  Progress,
  TagResult,
  WorkerRequest,
  WorkerResponse,
} from './protocol.js';

const BATCH = 8;

interface Loaded {
  encoder: NerimaEncoder;
  learner: MamlProtoNet;
  tagger?: Tagger;
}

let loaded: Loaded | undefined;
const scope = self as unknown as {
  postMessage(message: WorkerResponse): void;
  onmessage: ((event: MessageEvent<WorkerRequest>) => void) | null;
};

async function fetchBytes(url: string): Promise<Uint8Array> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`cannot fetch ${url}: HTTP ${res.status}`);
  return new Uint8Array(await res.arrayBuffer());
}

async function init(
  base: string,
  backend: 'auto' | 'wasm' | 'cpu',
  progress: (p: Progress) => void,
): Promise<InitResult> {
  const t0 = performance.now();
  progress({ label: 'tfjs backend', done: 0, total: 4 });
  const info = await initBackend({
    backend,
    wasmPaths: {
      'tfjs-backend-wasm.wasm': new URL(wasmPlain, base).href,
      'tfjs-backend-wasm-simd.wasm': new URL(wasmSimd, base).href,
      'tfjs-backend-wasm-threaded-simd.wasm': new URL(wasmThreaded, base).href,
    },
  });
  progress({ label: 'encoder weights', done: 1, total: 4 });
  const encoderBytes = await fetchBytes(new URL('model/encoder.bin', base).href);
  progress({ label: 'kuromoji dictionary', done: 2, total: 4 });
  const encoder = await loadEncoderFromBytes(
    encoderBytes,
    { dictPath: new URL('dict/', base).href, cacheSize: 2000 },
    'model/encoder.bin',
  );
  progress({ label: 'meta model', done: 3, total: 4 });
  let learner: MamlProtoNet;
  let modelBytes = encoderBytes.byteLength;
  try {
    const res = await fetch(new URL('model/meta-model.json', base).href);
    if (!res.ok) throw new Error(`cannot fetch model/meta-model.json: HTTP ${res.status}`);
    const text = await res.text();
    modelBytes += text.length;
    // Flat output (no nested spans) suits an inline view; the model itself allows nesting.
    learner = parseMamlProtoNet(
      text,
      { encoder, store: new FeatureStore(encoder, { capacity: 2048 }), decode: { allowNested: false } },
      'model/meta-model.json',
    );
  } catch (err) {
    encoder.dispose();
    throw err;
  }
  loaded = { encoder, learner };
  progress({ label: 'ready', done: 4, total: 4 });
  return { backend: info.name, loadMs: performance.now() - t0, modelBytes };
}

function need(): Loaded {
  if (!loaded) throw new Error('the model is not loaded yet');
  return loaded;
}

async function handle(req: WorkerRequest, progress: (p: Progress) => void): Promise<unknown> {
  switch (req.kind) {
    case 'init':
      return init(req.base, req.backend, progress);
    case 'adapt': {
      const m = need();
      const t0 = performance.now();
      const tagger = await m.learner.adapt(req.support, req.types);
      m.tagger?.dispose?.();
      m.tagger = tagger;
      return { types: [...tagger.types], adaptMs: performance.now() - t0 } satisfies AdaptResult;
    }
    case 'tag': {
      const tagger = need().tagger;
      if (!tagger) throw new Error('no tagger yet: adapt to a support set first');
      const t0 = performance.now();
      const predictions: TagResult['predictions'] = [];
      for (let i = 0; i < req.texts.length; i += BATCH) {
        predictions.push(...(await tagger.predict(req.texts.slice(i, i + BATCH))));
        progress({ label: 'tagging', done: Math.min(req.texts.length, i + BATCH), total: req.texts.length });
        await new Promise((r) => setTimeout(r, 0));
      }
      return { predictions, tagMs: performance.now() - t0 } satisfies TagResult;
    }
  }
}

// One request at a time, in order (tfjs work is not re-entrant).
let queue: Promise<unknown> = Promise.resolve();
scope.onmessage = (event) => {
  const req = event.data;
  queue = queue.then(async () => {
    try {
      const result = await handle(req, (progress) =>
        scope.postMessage({ id: req.id, kind: 'progress', progress }),
      );
      scope.postMessage({ id: req.id, kind: 'result', result });
    } catch (err) {
      scope.postMessage({
        id: req.id,
        kind: 'error',
        message: err instanceof Error ? err.message : String(err),
      });
    }
  });
};
