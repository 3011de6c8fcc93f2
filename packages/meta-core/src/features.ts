/**
 * A cache of encoder features per text, for a frozen encoder: each text is encoded once (in
 * length-sorted batches) and its three levels are kept as plain Float32Arrays; episodes then build
 * padded feature tensors from the cache without running the encoder again.
 */
import type { EncodedFeatures, TextEncoder } from '@nerima/encoder';
import * as tf from '@tensorflow/tfjs-core';

interface Entry {
  length: number;
  /** [length * dim] each. */
  char: Float32Array;
  word: Float32Array;
  context: Float32Array;
}

/** Options for {@link FeatureStore}. */
export interface FeatureStoreOptions {
  /** Most texts kept (least recently used are dropped first). Default 20000. */
  capacity?: number;
  /** Texts per encoder call. Default 32. */
  batchSize?: number;
}

/** Features of texts under a frozen encoder (see the module comment). */
export class FeatureStore {
  readonly dim: number;
  private readonly entries = new Map<string, Entry>();
  private readonly capacity: number;
  private readonly batchSize: number;

  constructor(
    readonly encoder: TextEncoder,
    options: FeatureStoreOptions = {},
  ) {
    this.dim = encoder.dim;
    this.capacity = options.capacity ?? 20_000;
    this.batchSize = options.batchSize ?? 32;
  }

  /** Number of cached texts. */
  get size(): number {
    return this.entries.size;
  }

  /** Approximate bytes held by the cache. */
  get bytes(): number {
    let n = 0;
    for (const e of this.entries.values()) n += 12 * e.char.length;
    return n;
  }

  /** Encodes every text not cached yet. `onProgress(done, total)` is called after each batch. */
  async ensure(texts: readonly string[], onProgress?: (done: number, total: number) => void): Promise<void> {
    const missing = [...new Set(texts)].filter((t) => !this.entries.has(t));
    missing.sort((a, b) => a.length - b.length);
    for (let i = 0; i < missing.length; i += this.batchSize) {
      const chunk = missing.slice(i, i + this.batchSize);
      const prepared = await this.encoder.prepare(chunk);
      const T = prepared.length;
      const D = this.dim;
      const feats = tf.tidy(() => {
        const f = this.encoder.encode(prepared, { training: false });
        return [f.char, f.word, f.context] as const;
      });
      const [c, w, x] = await Promise.all(feats.map((t) => t.data() as Promise<Float32Array>));
      tf.dispose([...feats]);
      chunk.forEach((text, b) => {
        const len = Math.min(text.length, T);
        const from = b * T * D;
        const to = from + len * D;
        this.set(text, {
          length: len,
          char: (c as Float32Array).slice(from, to),
          word: (w as Float32Array).slice(from, to),
          context: (x as Float32Array).slice(from, to),
        });
      });
      onProgress?.(Math.min(i + this.batchSize, missing.length), missing.length);
    }
    // Refresh recency of the requested texts so a following batch() finds them all.
    for (const t of texts) {
      const e = this.entries.get(t);
      if (e) {
        this.entries.delete(t);
        this.entries.set(t, e);
      }
    }
  }

  private set(text: string, e: Entry): void {
    this.entries.delete(text);
    this.entries.set(text, e);
    while (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
  }

  /** True when `text` is cached. */
  has(text: string): boolean {
    return this.entries.has(text);
  }

  /**
   * Padded features [B, T, dim] for cached texts (T = longest text, at least 1). Throws naming the
   * first text that is not cached (call {@link ensure} first). The caller owns the tensors.
   */
  batch(texts: readonly string[]): EncodedFeatures {
    const D = this.dim;
    const B = texts.length;
    const list = texts.map((t, i) => {
      const e = this.entries.get(t);
      if (!e) {
        throw new Error(
          `FeatureStore.batch: text ${i} (${JSON.stringify(t.slice(0, 20))}…) is not encoded; await store.ensure(texts) first`,
        );
      }
      return e;
    });
    const T = Math.max(1, ...list.map((e) => e.length));
    const char = new Float32Array(B * T * D);
    const word = new Float32Array(B * T * D);
    const context = new Float32Array(B * T * D);
    const mask = new Float32Array(B * T);
    list.forEach((e, b) => {
      char.set(e.char, b * T * D);
      word.set(e.word, b * T * D);
      context.set(e.context, b * T * D);
      mask.fill(1, b * T, b * T + e.length);
    });
    return {
      char: tf.tensor3d(char, [B, T, D]),
      word: tf.tensor3d(word, [B, T, D]),
      context: tf.tensor3d(context, [B, T, D]),
      mask: tf.tensor2d(mask, [B, T]),
    };
  }

  /** Drops every cached text. */
  clear(): void {
    this.entries.clear();
  }
}

/** Disposes the four tensors of a feature batch. */
export function disposeFeatures(f: EncodedFeatures): void {
  tf.dispose([f.char, f.word, f.context, f.mask]);
}
