/**
 * `loadTagger(name)`: a ready tagger from a shipped name or a tagger folder, no training needed.
 * The tfjs path runs on the backend `initBackend` selects (tfjs-node when installed, else wasm).
 */
import { type BackendInfo, type EntityType, initBackend, type Prediction, type Tagger } from '@nerima/core';
import {
  type DecodeOptions,
  loadOnnxRuntime,
  loadSpanTagger,
  OnnxSpanTagger,
  OnnxTaggerPool,
  onnxUnsupportedReason,
  type SpanTagger,
} from '@nerima/span-decoder';
import { DEFAULT_TAGGER, resolveTaggerDir, SHIPPED_TAGGERS } from './registry.js';

/** Options of {@link loadTagger}. */
export interface LoadShippedTaggerOptions {
  /** Override the decode thresholds saved with the tagger. */
  decode?: Partial<DecodeOptions>;
  /** Texts per forward pass (default: the saved one, 32). */
  batchSize?: number;
  /**
   * What computes the scores. `'auto'` (default): onnxruntime-node when it loads and the tagger
   * exports, else tfjs; `'onnx'` fails when onnxruntime-node is missing; `'tfjs'` never uses ONNX.
   * Both give the same entities (the ONNX graph is checked against tfjs in the tests).
   */
  runtime?: 'auto' | 'onnx' | 'tfjs';
  /** onnxruntime intra-op threads (default: one per core; with `processes`, per process: 1). */
  threads?: number;
  /**
   * Run the ONNX path in this many child processes (an {@link OnnxTaggerPool}): the fastest way to
   * tag many texts on several cores, since tokenising and the JS cascade then run in parallel too
   * (about 1.7x one process on 2 cores, bench/results/inference.json), and it keeps the calling
   * thread free. Each process holds its own copy of the model (~150 MB). Default: in-process.
   */
  processes?: number;
}

/** A loaded tagger: core's `Tagger` plus where it came from and what runs it. */
export interface LoadedTagger extends Tagger {
  /** The shipped name, or the folder's path when loaded from a path. */
  readonly name: string;
  /** The tagger folder. */
  readonly dir: string;
  /** What computes the scores: `onnxruntime-node`, or `tfjs:<backend>`; `fallbackReason` says why not ONNX. */
  readonly runtime: string;
  /** Child processes running the model (0: in this process). */
  readonly processes: number;
  readonly fallbackReason?: string;
  /** The span tagger underneath (scores, thresholds, encoder and decoder). */
  readonly spanTagger: SpanTagger;
  predict(texts: readonly string[]): Promise<Prediction[][]>;
  dispose(): void;
}

class Loaded implements LoadedTagger {
  constructor(
    readonly name: string,
    readonly dir: string,
    readonly spanTagger: SpanTagger,
    readonly runtime: string,
    private readonly runner: Tagger,
    readonly fallbackReason?: string,
  ) {}
  get processes(): number {
    return this.runner instanceof OnnxTaggerPool ? this.runner.size : 0;
  }
  get types(): readonly EntityType[] {
    return this.spanTagger.types;
  }
  predict(texts: readonly string[]): Promise<Prediction[][]> {
    return this.runner.predict(texts);
  }
  dispose(): void {
    this.runner.dispose?.();
    this.spanTagger.dispose();
  }
}

/** The ONNX runner for `tagger` (in-process, or a pool), or why there is none (an error when `required`). */
async function onnxRunner(
  tagger: SpanTagger,
  dir: string,
  options: LoadShippedTaggerOptions,
  required: boolean,
): Promise<Tagger | string> {
  const unsupported = onnxUnsupportedReason(tagger);
  try {
    if (unsupported) throw new Error(unsupported);
    const runtime = await loadOnnxRuntime();
    if (options.processes !== undefined) {
      return await OnnxTaggerPool.create({
        from: dir,
        processes: options.processes,
        threadsPerProcess: options.threads ?? 1,
        ...(options.decode ? { decode: options.decode } : {}),
        ...(options.batchSize !== undefined ? { batchSize: options.batchSize } : {}),
      });
    }
    return await OnnxSpanTagger.create(tagger, {
      runtime,
      ...(options.threads !== undefined ? { threads: options.threads } : {}),
    });
  } catch (err) {
    if (required) throw new Error(`loadTagger: runtime 'onnx': ${(err as Error).message}`, { cause: err });
    return (err as Error).message;
  }
}

function tfjsName(b: BackendInfo): string {
  return `tfjs:${b.name}`;
}

/**
 * Loads a shipped tagger by name (default `'stockmark'`; `'gsd'` for the GSD NE types) or any
 * tagger folder written by `SpanTagger.save` / `nerima train`.
 * @example
 * const tagger = await loadTagger();            // the Stockmark 8-type tagger
 * const [ents] = await tagger.predict(['トヨタ自動車の豊田章男社長は名古屋市で記者会見を開いた。']);
 * tagger.dispose();
 */
export async function loadTagger(
  nameOrPath: string = DEFAULT_TAGGER,
  options: LoadShippedTaggerOptions = {},
): Promise<LoadedTagger> {
  const dir = resolveTaggerDir(nameOrPath);
  const backend = await initBackend();
  const spanTagger = await loadSpanTagger({
    from: dir,
    ...(options.decode ? { decode: options.decode } : {}),
    ...(options.batchSize !== undefined ? { batchSize: options.batchSize } : {}),
  });
  const name = SHIPPED_TAGGERS[nameOrPath] ? nameOrPath : dir;
  const want = options.runtime ?? 'auto';
  if (want !== 'tfjs') {
    const onnx = await onnxRunner(spanTagger, dir, options, want === 'onnx').catch((err: unknown) => {
      spanTagger.dispose();
      throw err;
    });
    if (typeof onnx !== 'string') return new Loaded(name, dir, spanTagger, 'onnxruntime-node', onnx);
    return new Loaded(name, dir, spanTagger, tfjsName(backend), spanTagger, onnx);
  }
  return new Loaded(name, dir, spanTagger, tfjsName(backend), spanTagger);
}
