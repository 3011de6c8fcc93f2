/**
 * Test-only helpers (not exported from index.ts): a tiny stand-in TextEncoder (character
 * embeddings + a 5-character window layer) and a small hand-made Japanese dataset with nested
 * entities.
 */
import type { Sentence } from '@nerima/core';
import { createRng, initBackend } from '@nerima/core';
import type { EncodedFeatures, PreparedBatch, TextEncoder } from '@nerima/encoder';
import * as tf from '@tensorflow/tfjs-core';
import { glorot, normalInit, uniqueName } from './params.js';

/** Backend for tests: wasm, or whatever env `NERIMA_BACKEND` names. */
export async function setupTestBackend(): Promise<void> {
  await initBackend(process.env['NERIMA_BACKEND'] ? {} : { backend: 'wasm' });
}

/** A character-embedding encoder with a ±2 window: h_i = tanh(W [e_{i−2} … e_{i+2}] + b). */
export class TinyCharEncoder implements TextEncoder {
  readonly dim: number;
  private readonly vocab = new Map<string, number>();
  private readonly vars = new Map<string, tf.Variable>();
  private readonly window = 2;

  constructor(texts: readonly string[], dim = 16, seed = 1) {
    this.dim = dim;
    for (const t of texts)
      for (const ch of t) if (!this.vocab.has(ch)) this.vocab.set(ch, this.vocab.size + 2);
    const rng = createRng(seed);
    const V = this.vocab.size + 2; // 0 = padding, 1 = unknown
    const emb = 8;
    const inDim = emb * (2 * this.window + 1);
    this.vars.set(
      'tiny.emb',
      tf.variable(tf.tensor2d(normalInit(rng, V * emb, 0.5), [V, emb]), true, uniqueName('tiny.emb')),
    );
    this.vars.set(
      'tiny.w',
      tf.variable(tf.tensor2d(glorot(rng, inDim, dim), [inDim, dim]), true, uniqueName('tiny.w')),
    );
    this.vars.set('tiny.b', tf.variable(tf.zeros([dim]), true, uniqueName('tiny.b')));
  }

  async prepare(texts: readonly string[]): Promise<PreparedBatch> {
    const T = Math.max(1, ...texts.map((t) => t.length));
    const ids = new Int32Array(texts.length * T);
    texts.forEach((t, b) => {
      for (let i = 0; i < t.length; i++) ids[b * T + i] = this.vocab.get(t[i] as string) ?? 1;
    });
    return { texts: [...texts], length: T, lengths: texts.map((t) => t.length), inputs: { ids } };
  }

  encode(batch: PreparedBatch): EncodedFeatures {
    return tf.tidy(() => {
      const B = batch.texts.length;
      const T = batch.length;
      const ids = batch.inputs['ids'] as Int32Array;
      const e = tf.reshape(tf.gather(this.vars.get('tiny.emb') as tf.Variable, tf.tensor1d(ids, 'int32')), [
        B,
        T,
        -1,
      ]);
      const padded = tf.pad(e, [
        [0, 0],
        [this.window, this.window],
        [0, 0],
      ]);
      const parts: tf.Tensor[] = [];
      for (let o = 0; o <= 2 * this.window; o++) parts.push(tf.slice(padded, [0, o, 0], [B, T, -1]));
      const x = tf.reshape(tf.concat(parts, 2), [B * T, -1]) as tf.Tensor2D;
      const w = this.vars.get('tiny.w') as tf.Variable as tf.Tensor2D;
      const h = tf.reshape(tf.tanh(tf.add(tf.matMul(x, w), this.vars.get('tiny.b') as tf.Variable)), [
        B,
        T,
        this.dim,
      ]) as tf.Tensor3D;
      const mask = tf.tensor2d(
        Float32Array.from({ length: B * T }, (_, i) =>
          i % T < (batch.lengths[Math.floor(i / T)] as number) ? 1 : 0,
        ),
        [B, T],
      );
      return { char: h, word: tf.clone(h), context: tf.clone(h), mask };
    });
  }

  combine(features: EncodedFeatures): tf.Tensor3D {
    return tf.clone(features.char);
  }

  variables(): Map<string, tf.Variable> {
    return this.vars;
  }

  dispose(): void {
    for (const v of this.vars.values()) v.dispose();
    this.vars.clear();
  }
}

function ent(
  text: string,
  mention: string,
  type: string,
  from = 0,
): { start: number; end: number; type: string; text: string } {
  const start = text.indexOf(mention, from);
  if (start < 0) throw new Error(`test data: "${mention}" not in "${text}"`);
  return { start, end: start + mention.length, type, text: mention };
}

function sentence(id: string, text: string, entities: ReturnType<typeof ent>[]): Sentence {
  return { id, text, entities: entities.sort((a, b) => a.start - b.start || a.end - b.end) };
}

/** Eight hand-made sentences; two contain nested entities (東京 inside 東京大学, 大阪 inside 大阪府警). */
export function tinyDataset(): Sentence[] {
  const s1 = '山田太郎は東京大学で学んだ。';
  const s2 = 'トヨタ自動車は愛知県に本社を置く。';
  const s3 = '大阪府警は新しい庁舎を建てた。';
  const s4 = '鈴木花子がソニーに入社した。';
  const s5 = '京都駅から奈良まで電車で行く。';
  const s6 = '東京オリンピックは延期された。';
  const s7 = '今日は雨が降っている。';
  const s8 = '田中一郎は自民党の議員である。';
  return [
    sentence('t1', s1, [ent(s1, '山田太郎', 'PERSON'), ent(s1, '東京大学', 'ORG'), ent(s1, '東京', 'LOC')]),
    sentence('t2', s2, [ent(s2, 'トヨタ自動車', 'ORG'), ent(s2, '愛知県', 'LOC')]),
    sentence('t3', s3, [ent(s3, '大阪府警', 'ORG'), ent(s3, '大阪', 'LOC')]),
    sentence('t4', s4, [ent(s4, '鈴木花子', 'PERSON'), ent(s4, 'ソニー', 'ORG')]),
    sentence('t5', s5, [ent(s5, '京都駅', 'LOC'), ent(s5, '奈良', 'LOC')]),
    sentence('t6', s6, [ent(s6, '東京オリンピック', 'EVENT'), ent(s6, '東京', 'LOC')]),
    sentence('t7', s7, []),
    sentence('t8', s8, [ent(s8, '田中一郎', 'PERSON'), ent(s8, '自民党', 'ORG')]),
  ];
}

export const TINY_TYPES = ['PERSON', 'ORG', 'LOC', 'EVENT'];
