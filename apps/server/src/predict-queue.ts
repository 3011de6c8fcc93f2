/**
 * Serialises access to one tagger and batches concurrent requests: while a `predict` call runs,
 * new requests queue; when it finishes, the queued texts go to the tagger together (up to
 * `batchSize`). A tagger therefore never sees two overlapping calls, and under load it gets
 * larger batches. If a batch of several requests fails, each request is retried alone so one bad
 * input fails only its own request.
 */
import type { Prediction, Tagger } from '@nerima/core';
import { ApiError } from './errors.js';

interface Job {
  texts: readonly string[];
  resolve: (value: Prediction[][]) => void;
  reject: (err: unknown) => void;
}

/** Options of {@link PredictQueue}. */
export interface PredictQueueOptions {
  /** Most texts per `predict` call; a single larger request still goes in one call. */
  batchSize: number;
  /** Most texts waiting; beyond this {@link PredictQueue.predict} rejects with 503 `overloaded`. */
  maxQueued: number;
  /** Called with the number of texts of each `predict` call (metrics). */
  onBatch?: (texts: number) => void;
}

export class PredictQueue {
  readonly #tagger: Tagger;
  readonly #options: PredictQueueOptions;
  #jobs: Job[] = [];
  #queued = 0;
  #running = false;
  #idleWaiters: Array<() => void> = [];

  constructor(tagger: Tagger, options: PredictQueueOptions) {
    this.#tagger = tagger;
    this.#options = options;
  }

  /** Texts waiting or running. */
  get pending(): number {
    return this.#queued;
  }

  /** Predictions for `texts`, in order. */
  predict(texts: readonly string[]): Promise<Prediction[][]> {
    if (texts.length === 0) return Promise.resolve([]);
    if (this.#queued + texts.length > this.#options.maxQueued) {
      return Promise.reject(
        new ApiError(
          503,
          'overloaded',
          `too many texts waiting (limits.maxQueuedTexts ${this.#options.maxQueued}); retry later`,
        ),
      );
    }
    return new Promise<Prediction[][]>((resolve, reject) => {
      this.#jobs.push({ texts, resolve, reject });
      this.#queued += texts.length;
      if (!this.#running) void this.#drain();
    });
  }

  /** Resolves once no job is waiting or running. */
  idle(): Promise<void> {
    if (!this.#running && this.#jobs.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  async #drain(): Promise<void> {
    this.#running = true;
    try {
      while (this.#jobs.length > 0) {
        const batch: Job[] = [this.#jobs.shift()!];
        let size = batch[0]!.texts.length;
        while (this.#jobs.length > 0 && size + this.#jobs[0]!.texts.length <= this.#options.batchSize) {
          const job = this.#jobs.shift()!;
          size += job.texts.length;
          batch.push(job);
        }
        await this.#run(batch);
        this.#queued -= size;
      }
    } finally {
      this.#running = false;
      for (const wake of this.#idleWaiters.splice(0)) wake();
    }
  }

  async #call(texts: readonly string[]): Promise<Prediction[][]> {
    this.#options.onBatch?.(texts.length);
    const out = await this.#tagger.predict(texts);
    if (!Array.isArray(out) || out.length !== texts.length) {
      throw new Error(
        `tagger.predict returned ${Array.isArray(out) ? out.length : typeof out} results for ${texts.length} texts`,
      );
    }
    return out;
  }

  async #run(batch: Job[]): Promise<void> {
    const texts = batch.length === 1 ? batch[0]!.texts : batch.flatMap((j) => j.texts);
    try {
      const out = await this.#call(texts);
      let at = 0;
      for (const job of batch) {
        job.resolve(out.slice(at, at + job.texts.length));
        at += job.texts.length;
      }
    } catch (err) {
      if (batch.length === 1) {
        batch[0]!.reject(err);
        return;
      }
      for (const job of batch) {
        try {
          job.resolve(await this.#call(job.texts));
        } catch (e) {
          job.reject(e);
        }
      }
    }
  }
}
