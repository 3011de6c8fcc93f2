/**
 * Gradients of reductions and scans: Sum, Mean, Max, Min, Prod, ArgMax/ArgMin, Cumsum.
 * Ported from TensorFlow.js 4.22.0 (Apache-2.0); changes are marked "nerima:".
 */

import type {
  CumsumAttrs,
  GradConfig,
  MaxAttrs,
  MeanAttrs,
  MinAttrs,
  ProdAttrs,
  SumAttrs,
  Tensor,
} from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';
import { attrsOf, saved, single, zerosF32 } from './util.js';

/** `dy` reshaped so it broadcasts against `x` (reduced axes kept as size 1). */
function expandToInput(dy: Tensor, x: Tensor, axes: number[]): Tensor {
  const shape = x.shape.slice();
  for (const a of axes) shape[a] = 1;
  return tf.reshape(dy, shape);
}

/** Gradient of max/min: dy flows to the positions equal to the result. */
function minMaxGrad(dy: Tensor, y: Tensor, x: Tensor, axes: number[]): Tensor {
  const yk = y.rank < x.rank ? tf.reshape(y, tf.backend_util.expandShapeToKeepDim(y.shape, axes)) : y;
  const dyk = dy.rank < x.rank ? tf.reshape(dy, tf.backend_util.expandShapeToKeepDim(dy.shape, axes)) : dy;
  return tf.mul(dyk, tf.cast(tf.equal(x, yk), dyk.dtype));
}

/** Product gradient along one axis (exclusive cumulative products from both sides). */
function prodGradAxis(x: Tensor, dy: Tensor, axis: number): Tensor {
  const shape = x.shape.slice();
  shape[axis] = 1;
  const expandedDy = tf.reshape(dy, shape);
  const left = tf.cumprod(x, axis, true, false);
  const right = tf.cumprod(x, axis, true, true);
  return tf.mul(expandedDy, tf.mul(left, right));
}

export const reduceGradients: GradConfig[] = [
  {
    kernelName: 'Sum',
    inputsToSave: ['x'],
    gradFunc: (dy, s, attrs) => {
      const g = single(dy, 'Sum');
      const x = saved(s, 0, 'Sum');
      const axes = tf.util.parseAxisParam(attrsOf<SumAttrs>(attrs).axis, x.shape);
      // nerima: computed lazily inside the thunk (upstream built it eagerly).
      return { x: () => tf.mul(expandToInput(g, x, axes), tf.ones(x.shape, 'float32')) };
    },
  },
  {
    kernelName: 'Mean',
    inputsToSave: ['x'],
    gradFunc: (dy, s, attrs) => {
      const g = single(dy, 'Mean');
      const x = saved(s, 0, 'Mean');
      const axes = tf.util.parseAxisParam(attrsOf<MeanAttrs>(attrs).axis, x.shape);
      const reduceSize = tf.util.sizeFromShape(tf.backend_util.computeOutAndReduceShapes(x.shape, axes)[1]);
      return { x: () => tf.div(tf.mul(expandToInput(g, x, axes), tf.ones(x.shape, 'float32')), reduceSize) };
    },
  },
  {
    kernelName: 'Max',
    inputsToSave: ['x'],
    outputsToSave: [true],
    gradFunc: (dy, s, attrs) => {
      const x = saved(s, 0, 'Max');
      const y = saved(s, 1, 'Max');
      const axes = tf.util.parseAxisParam(attrsOf<MaxAttrs>(attrs).reductionIndices, x.shape);
      return { x: () => minMaxGrad(single(dy, 'Max'), y, x, axes) };
    },
  },
  {
    kernelName: 'Min',
    inputsToSave: ['x'],
    outputsToSave: [true],
    gradFunc: (dy, s, attrs) => {
      const x = saved(s, 0, 'Min');
      const y = saved(s, 1, 'Min');
      const axes = tf.util.parseAxisParam(attrsOf<MinAttrs>(attrs).axis, x.shape);
      return { x: () => minMaxGrad(single(dy, 'Min'), y, x, axes) };
    },
  },
  {
    kernelName: 'Prod',
    inputsToSave: ['x'],
    gradFunc: (dy, s, attrs) => {
      const g = single(dy, 'Prod');
      const x = saved(s, 0, 'Prod');
      const { axis } = attrsOf<ProdAttrs>(attrs);
      const axes = tf.util.parseAxisParam(axis ?? x.shape.map((_, i) => i), x.shape);
      return {
        x: () => {
          // Move the reduced axes last, flatten them into one, take the one-axis gradient, undo.
          const rank = x.rank;
          const perm = tf.backend_util.getAxesPermutation(axes, rank);
          const px = perm != null ? tf.transpose(x, perm) : x;
          const kept = px.shape.slice(0, rank - axes.length);
          const reduced = px.shape.slice(rank - axes.length).reduce((p, c) => p * c, 1);
          const grad = prodGradAxis(tf.reshape(px, [...kept, reduced]), g, kept.length);
          const back = tf.reshape(grad, px.shape);
          return perm != null ? tf.transpose(back, tf.backend_util.getUndoAxesPermutation(perm)) : back;
        },
      };
    },
  },
  {
    kernelName: 'ArgMax',
    inputsToSave: ['x'],
    gradFunc: (_dy, s) => ({ x: () => zerosF32(saved(s, 0, 'ArgMax')) }),
  },
  {
    kernelName: 'ArgMin',
    inputsToSave: ['x'],
    gradFunc: (_dy, s) => ({ x: () => zerosF32(saved(s, 0, 'ArgMin')) }),
  },
  {
    // nerima: upstream transposed the result for axis != last, which gives a wrongly shaped
    // gradient (the cumsum op already restores the axis order). The gradient of a cumulative
    // sum is the cumulative sum in the opposite direction.
    kernelName: 'Cumsum',
    gradFunc: (dy, _s, attrs) => {
      const { axis, exclusive, reverse } = attrsOf<CumsumAttrs>(attrs);
      return { x: () => tf.cumsum(single(dy, 'Cumsum'), axis, exclusive, !reverse) };
    },
  },
];
