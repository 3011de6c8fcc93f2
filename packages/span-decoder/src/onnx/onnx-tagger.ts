/**
 * OnnxSpanTagger: a SpanTagger's encoder + decoder exported to ONNX (export.ts) and run on
 * onnxruntime-node (an optional peer dependency, loaded at run time), with the cascade in JS.
 * Feature extraction (normalisation, vocabularies, gazetteer) stays the encoder's own `prepare`,
 * so both paths see the same inputs.
 */
import type { EntityType, Prediction, Tagger } from '@nerima/core';
import { DEFAULT_DECODE_OPTIONS } from '../config.js';
import { decode, type TextSpanScores } from '../decode.js';
import type { ScoreOptions } from '../decoder.js';
import type { SpanTagger } from '../tagger.js';
import { cascadeScores } from './cascade.js';
import { type ExportedTagger, exportTagger } from './export.js';

/** The part of onnxruntime-node's API used here (kept structural: the package is an optional peer). */
export interface OnnxRuntime {
  InferenceSession: {
    create(model: Uint8Array, options?: Record<string, unknown>): Promise<OnnxSession>;
  };
  Tensor: new (
    type: 'float32' | 'int32',
    data: Float32Array | Int32Array,
    dims: readonly number[],
  ) => unknown;
}

interface OnnxSession {
  run(feeds: Record<string, unknown>): Promise<Record<string, { data: unknown; dims: readonly number[] }>>;
  release(): Promise<void>;
}

/** Loads onnxruntime-node, or explains why it cannot (it is an optional peer dependency). */
export async function loadOnnxRuntime(): Promise<OnnxRuntime> {
  const specifier = 'onnxruntime-node';
  try {
    const mod = (await import(/* @vite-ignore */ specifier)) as OnnxRuntime & { default?: OnnxRuntime };
    return mod.InferenceSession ? mod : (mod.default as OnnxRuntime);
  } catch (err) {
    throw new Error(
      `onnxruntime-node could not be loaded (${(err as Error).message}); install it (npm i onnxruntime-node) or use the tfjs path`,
      { cause: err },
    );
  }
}

/** Options of {@link OnnxSpanTagger.create}. */
export interface OnnxTaggerOptions {
  /** onnxruntime intra-op threads (default: onnxruntime's own default, one per core). */
  threads?: number;
  /** A loaded onnxruntime module (default: `import('onnxruntime-node')`). */
  runtime?: OnnxRuntime;
}

/** Wall time per stage, summed over calls (milliseconds), for profiling; reset with `resetTimings()`. */
export interface OnnxStageTimings {
  /** The encoder's `prepare`: normalisation, vocabulary ids, gazetteer matches (JS). */
  prepareMs: number;
  /** The main onnxruntime session: encoder, P(start) and the per-position projections. */
  encoderMs: number;
  /** The cascade: start selection, the rows session, end and type probabilities (JS). */
  cascadeMs: number;
  /** Turning scores into entities (thresholds, overlap resolution; JS). */
  decodeMs: number;
  batches: number;
  texts: number;
}

/** Tags with the ONNX export of a span tagger; owns the tagger it was made from. */
export class OnnxSpanTagger implements Tagger {
  private disposed = false;
  /** Time spent per stage since creation or the last `resetTimings()`. */
  readonly timings: OnnxStageTimings = emptyTimings();

  private constructor(
    readonly source: SpanTagger,
    private readonly exported: ExportedTagger,
    private readonly session: OnnxSession,
    private readonly rowsSession: OnnxSession,
    private readonly spanSession: OnnxSession,
    private readonly ort: OnnxRuntime,
  ) {}

  /** Exports `tagger` and opens an onnxruntime session on it. */
  static async create(tagger: SpanTagger, options: OnnxTaggerOptions = {}): Promise<OnnxSpanTagger> {
    const ort = options.runtime ?? (await loadOnnxRuntime());
    const exported = exportTagger(tagger);
    const sessionOptions = {
      graphOptimizationLevel: 'all',
      executionMode: 'sequential',
      ...(options.threads !== undefined ? { intraOpNumThreads: options.threads } : {}),
      // Idle intra-op threads sleep instead of spinning: spinning threads steal the cores that the
      // JS side (and other processes) need; with it on, 2 threads ran at half the speed of 1 on a
      // busy 2-core machine (bench/inference).
      extra: { session: { intra_op: { allow_spinning: '0' } } },
    };
    const session = await ort.InferenceSession.create(exported.model, sessionOptions);
    const rowsSession = await ort.InferenceSession.create(exported.rowsModel, sessionOptions);
    const spanSession = await ort.InferenceSession.create(exported.spanModel, sessionOptions);
    return new OnnxSpanTagger(tagger, exported, session, rowsSession, spanSession, ort);
  }

  get types(): readonly EntityType[] {
    return this.source.types;
  }

  /** Texts per session run (shared with the source tagger). */
  get batchSize(): number {
    return this.source.batchSize;
  }
  set batchSize(n: number) {
    this.source.batchSize = n;
  }

  /** The ONNX model bytes (e.g. to save with `writeFile('tagger.onnx', ...)`). */
  get model(): Uint8Array {
    return this.exported.model;
  }

  /** Same contract as SpanTagger.score: all candidate scores per text, batched by length. */
  async score(texts: readonly string[], options: Partial<ScoreOptions> = {}): Promise<TextSpanScores[]> {
    if (this.disposed) throw new Error('OnnxSpanTagger: used after dispose()');
    const d = this.source.decodeOptions;
    const o: ScoreOptions = {
      startThreshold: d.startThreshold ?? DEFAULT_DECODE_OPTIONS.startThreshold,
      endThreshold: d.endThreshold ?? DEFAULT_DECODE_OPTIONS.endThreshold,
      maxCandidatesPerText: d.maxCandidatesPerText ?? DEFAULT_DECODE_OPTIONS.maxCandidatesPerText,
      ...options,
    };
    const order = texts
      .map((_, i) => i)
      .sort((a, b) => (texts[a] as string).length - (texts[b] as string).length || a - b);
    const out: TextSpanScores[] = new Array(texts.length);
    const size = this.source.batchSize;
    for (let i = 0; i < order.length; i += size) {
      const idx = order.slice(i, i + size);
      const batchTexts = idx.map((j) => texts[j] as string);
      const scores = await this.scoreBatch(batchTexts, o);
      idx.forEach((j, k) => {
        out[j] = scores[k] as TextSpanScores;
      });
    }
    return out;
  }

  resetTimings(): void {
    Object.assign(this.timings, emptyTimings());
  }

  private async scoreBatch(texts: string[], o: ScoreOptions): Promise<TextSpanScores[]> {
    const t0 = performance.now();
    const batch = await this.source.encoder.prepare(texts);
    const t1 = performance.now();
    const B = texts.length;
    const T = batch.length;
    const feeds: Record<string, unknown> = {};
    for (const name of this.exported.inputs) {
      const data = batch.inputs[name];
      if (!data) throw new Error(`OnnxSpanTagger: the encoder did not prepare input ${name}`);
      const dims = name === 'gazetteer' ? [B, T, data.length / (B * T)] : [B, T];
      feeds[name] = new this.ort.Tensor(data instanceof Int32Array ? 'int32' : 'float32', data, dims);
    }
    const res = await this.session.run(feeds);
    const t2 = performance.now();
    const outputs = {
      start: res['start']?.data as Float32Array,
      proj: res['proj']?.data as Float32Array,
      h: res['h']?.data as Float32Array,
    };
    const d = this.exported.cascade.layout.inputDim;
    const rows = (data: Float32Array, count: number) => new this.ort.Tensor('float32', data, [count, d]);
    const K = this.exported.cascade.config.maxWidth;
    const width = this.exported.cascade.layout.width;
    const scores = await cascadeScores(this.exported.cascade, texts, outputs, T, o, {
      starts: async (startRows, ends, count) => {
        const r = await this.rowsSession.run({
          rows: rows(startRows, count),
          ends: new this.ort.Tensor('float32', ends, [count, K, width]),
        });
        return {
          rowsProj: r['rowsProj']?.data as Float32Array,
          endProbs: r['endProbs']?.data as Float32Array,
        };
      },
      covered: async (coveredRows, count) => {
        const r = await this.spanSession.run({ rows: rows(coveredRows, count) });
        return r['spanProj']?.data as Float32Array;
      },
    });
    const tm = this.timings;
    tm.prepareMs += t1 - t0;
    tm.encoderMs += t2 - t1;
    tm.cascadeMs += performance.now() - t2;
    tm.batches++;
    tm.texts += texts.length;
    return scores;
  }

  /** One prediction list per text, decoded with the source tagger's thresholds. */
  async predict(texts: readonly string[]): Promise<Prediction[][]> {
    const scores = await this.score(texts);
    const t = performance.now();
    const out = scores.map((s) => decode(s, this.source.decodeOptions));
    this.timings.decodeMs += performance.now() - t;
    return out;
  }

  /** Releases the session and the source tagger; safe to call twice. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    void this.session.release();
    void this.rowsSession.release();
    void this.spanSession.release();
    this.source.dispose();
  }
}

function emptyTimings(): OnnxStageTimings {
  return { prepareMs: 0, encoderMs: 0, cascadeMs: 0, decodeMs: 0, batches: 0, texts: 0 };
}
