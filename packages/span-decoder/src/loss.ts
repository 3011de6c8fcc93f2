/**
 * The joint span loss:
 *
 *   L = w_start · BCE(start) + w_end · BCE(end | gold start) + w_type · CE(type | gold ∪ negative spans)
 *
 * End given start is a *binary* cross-entropy over the K candidate ends of each gold start, not a
 * softmax: a start can have several gold ends (nested mentions sharing a start, e.g. 東京 inside
 * 東京大学), which a softmax would force to compete, and decoding thresholds each end's probability
 * independently, which is what a sigmoid calibrates. Type is a softmax over [none, types] on gold
 * spans and on sampled negative spans labelled none.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { SpanDecoderConfig } from './config.js';
import { endLogitsAt, spanRepresentations, startLogits } from './forward.js';
import type { ParamMap } from './params.js';
import type { SpanTargets } from './targets.js';
import type { SpanTypeScorer } from './type-scorer.js';

/** The total loss and its parts (scalars; the parts are unweighted). */
export interface JointLoss {
  total: tf.Scalar;
  start: tf.Scalar;
  end: tf.Scalar;
  type: tf.Scalar;
}

/** Weighted mean binary cross-entropy with logits: Σ w·(softplus(x) − x·y) / Σ w. */
export function weightedBce(logits: tf.Tensor, labels: Float32Array, weights: Float32Array): tf.Scalar {
  return tf.tidy(() => {
    const x = tf.reshape(logits, [-1]);
    const y = tf.tensor1d(labels);
    const w = tf.tensor1d(weights);
    const per = tf.sub(tf.softplus(x), tf.mul(x, y));
    const denom = Math.max(
      weights.reduce((a, b) => a + b, 0),
      1e-6,
    );
    return tf.div(tf.sum(tf.mul(per, w)), denom) as tf.Scalar;
  });
}

/** Mean softmax cross-entropy of logits [S, C] against integer labels [S]. */
export function softmaxCe(logits: tf.Tensor2D, labels: Int32Array): tf.Scalar {
  return tf.tidy(() => {
    const [S, C] = logits.shape;
    if (S === 0) return tf.scalar(0);
    const logp = tf.logSoftmax(logits);
    const onehot = tf.oneHot(tf.tensor1d(labels, 'int32'), C);
    return tf.div(tf.neg(tf.sum(tf.mul(logp, onehot))), S) as tf.Scalar;
  });
}

/**
 * Joint loss on features h [B, T, D] (already dropped out if training). Pure in `params`: pass the
 * variables for supervised training or fast weights for MAML.
 */
export function jointLoss(
  params: ParamMap,
  h: tf.Tensor3D,
  targets: SpanTargets,
  config: SpanDecoderConfig,
  scorer: SpanTypeScorer,
): JointLoss {
  return tf.tidy(() => {
    const start = weightedBce(startLogits(params, h, config), targets.startLabels, targets.startWeights);
    const end =
      targets.goldStarts.batch.length > 0
        ? weightedBce(
            endLogitsAt(params, h, targets.goldStarts, config),
            targets.endLabels,
            targets.endWeights,
          )
        : tf.scalar(0);
    const type =
      targets.typeLabels.length > 0
        ? softmaxCe(
            scorer.scores(spanRepresentations(params, h, targets.typeSpans, config), params),
            targets.typeLabels,
          )
        : tf.scalar(0);
    const w = config.lossWeights;
    const total = tf.addN([tf.mul(start, w.start), tf.mul(end, w.end), tf.mul(type, w.type)]) as tf.Scalar;
    return { total, start, end, type };
  });
}
