/**
 * Masked-character prediction (the self-supervised pre-training objective).
 *
 * 15% of the characters that are in the character vocabulary are chosen as targets; their input id
 * becomes [MASK] (and their class feature "unknown") 80% of the time, a random vocabulary character
 * 10%, unchanged 10% (as in BERT). Word-level features would give the answer away (the word id of
 * 東京 names both characters; the POS of a one-character function word such as を nearly names it),
 * so every word that contains a target gets its word id AND its POS id replaced by [MASK] at all its
 * positions, whichever of the three cases applied. B/I/E/S tags are kept: they only say where word
 * boundaries are. The head is tied to the character embedding: logits = LN(gelu(h·W + b))·Eᵀ + bias
 * over the real vocabulary entries only (no hashing buckets).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { PreparedBatch } from './contract.js';
import type { Rng } from './deps.js';
import type { NerimaEncoder } from './encoder.js';
import { BIES } from './features.js';
import { dense, gelu, initValues, layerNorm } from './layers.js';
import { MASK_ID, NUM_SPECIAL } from './vocab.js';

export interface MaskedBatch {
  batch: PreparedBatch;
  /** Flat indices (b * T + t) of the target positions. */
  positions: Int32Array;
  /** Original character ids at those positions. */
  targets: Int32Array;
}

/** Applies the masking scheme above to a copy of `prepared`. */
export function maskBatch(prepared: PreparedBatch, vocabSize: number, rng: Rng, rate = 0.15): MaskedBatch {
  const T = prepared.length;
  const inputs = prepared.inputs;
  const charIds = Int32Array.from(inputs['charIds'] as Int32Array);
  const classIds = Int32Array.from(inputs['classIds'] as Int32Array);
  const wordIds = inputs['wordIds'] ? Int32Array.from(inputs['wordIds'] as Int32Array) : undefined;
  const posIds = inputs['posIds'] ? Int32Array.from(inputs['posIds'] as Int32Array) : undefined;
  const bies = inputs['bies'] as Int32Array | undefined;
  const positions: number[] = [];
  const targets: number[] = [];
  for (let b = 0; b < prepared.texts.length; b++) {
    const text = prepared.texts[b]!;
    const len = prepared.lengths[b]!;
    for (let t = 0; t < len; t++) {
      const i = b * T + t;
      const code = text.charCodeAt(t);
      if (code >= 0xdc00 && code <= 0xdfff && t > 0) continue; // low half: follows its high half
      const id = charIds[i]!;
      if (id < NUM_SPECIAL || id >= vocabSize) continue;
      if (rng.next() >= rate) continue;
      const pair = code >= 0xd800 && code <= 0xdbff && t + 1 < len ? 2 : 1;
      positions.push(i);
      targets.push(id);
      const r = rng.next();
      for (let k = 0; k < pair; k++) {
        if (r < 0.8) {
          charIds[i + k] = MASK_ID;
          classIds[i + k] = 0;
        } else if (r < 0.9) {
          charIds[i + k] = NUM_SPECIAL + rng.int(vocabSize - NUM_SPECIAL);
        }
      }
      if (wordIds && posIds && bies) {
        // the whole word around t
        let s = t;
        while (s > 0 && bies[b * T + s] !== BIES.B && bies[b * T + s] !== BIES.S) s--;
        let e = t;
        while (e < len - 1 && bies[b * T + e] !== BIES.E && bies[b * T + e] !== BIES.S) e++;
        for (let k = s; k <= e; k++) {
          wordIds[b * T + k] = MASK_ID;
          posIds[b * T + k] = MASK_ID;
        }
      }
    }
  }
  const newInputs: Record<string, Int32Array | Float32Array> = { ...inputs, charIds, classIds };
  if (wordIds && posIds) Object.assign(newInputs, { wordIds, posIds });
  return {
    batch: { ...prepared, inputs: newInputs },
    positions: Int32Array.from(positions),
    targets: Int32Array.from(targets),
  };
}

let headCounter = 0;

/** Names of the head's variables (kept in `encoder.extras`, saved with the model). */
export const MLM_PARAMS = ['mlm/proj/w', 'mlm/proj/b', 'mlm/ln/g', 'mlm/ln/b', 'mlm/bias'] as const;

/** The tied output head; creates its variables in `encoder.extras` when missing. */
export class MlmHead {
  readonly vocabSize: number;
  constructor(
    private readonly encoder: NerimaEncoder,
    rng: Rng,
  ) {
    this.vocabSize = encoder.charVocab.size;
    const E = encoder.config.char.embDim;
    const D = encoder.dim;
    const shapes: Record<string, number[]> = {
      'mlm/proj/w': [D, E],
      'mlm/proj/b': [E],
      'mlm/ln/g': [E],
      'mlm/ln/b': [E],
      'mlm/bias': [this.vocabSize],
    };
    for (const name of MLM_PARAMS) {
      const shape = shapes[name]!;
      const have = encoder.extras.get(name);
      if (have) {
        if (have.shape.join(',') !== shape.join(',')) {
          throw new Error(`mlm head: ${name} has shape [${have.shape}], expected [${shape}]`);
        }
        continue;
      }
      const init =
        name === 'mlm/proj/w'
          ? { kind: 'glorot' as const }
          : name === 'mlm/ln/g'
            ? { kind: 'ones' as const }
            : { kind: 'zeros' as const };
      const t = tf.tensor(initValues(shape, init, rng.fork(name)), shape);
      headCounter += 1;
      encoder.extras.set(name, tf.variable(t, true, `enc/${name}/h${headCounter}`));
      t.dispose();
    }
  }

  variables(): tf.Variable[] {
    return MLM_PARAMS.map((n) => this.encoder.extras.get(n)!);
  }

  private v(name: (typeof MLM_PARAMS)[number]): tf.Variable {
    return this.encoder.extras.get(name)!;
  }

  /** Logits [M, vocabSize] for context rows h [M, D]. */
  logits(h: tf.Tensor2D): tf.Tensor2D {
    const z = layerNorm(
      gelu(dense(h, this.v('mlm/proj/w') as tf.Tensor2D, this.v('mlm/proj/b') as tf.Tensor1D)),
      this.v('mlm/ln/g') as tf.Tensor1D,
      this.v('mlm/ln/b') as tf.Tensor1D,
    );
    const emb = tf.slice(this.encoder.params.get('char/emb')!, [0, 0], [this.vocabSize, -1]);
    const embT = tf.transpose(emb); // explicit transpose before matMul (fast on wasm)
    return tf.add(tf.matMul(z, embT), this.v('mlm/bias')) as tf.Tensor2D;
  }

  /**
   * Mean cross-entropy over the targets and the number predicted right. Synchronous: call inside
   * tf.tidy / variableGrads.
   */
  loss(masked: MaskedBatch, training: boolean): { loss: tf.Scalar; correct: tf.Scalar } {
    const f = this.encoder.encode(masked.batch, { training });
    const [B, T, D] = f.context.shape;
    if (masked.positions.length === 0)
      return { loss: tf.mul(tf.sum(f.context), 0) as tf.Scalar, correct: tf.scalar(0) };
    const rows = tf.gather(
      tf.reshape(f.context, [B * T, D]),
      tf.tensor1d(masked.positions, 'int32'),
    ) as tf.Tensor2D;
    const logits = this.logits(rows);
    const targets = tf.tensor1d(masked.targets, 'int32');
    const logp = tf.logSoftmax(logits);
    const onehot = tf.oneHot(targets, this.vocabSize);
    const loss = tf.neg(tf.mean(tf.sum(tf.mul(logp, onehot), 1))) as tf.Scalar;
    const correct = tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), targets), 'float32')) as tf.Scalar;
    return { loss, correct };
  }
}
