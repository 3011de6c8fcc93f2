/**
 * Gradients of matrix products, convolutions, pooling and softmax.
 * Ported from TensorFlow.js 4.22.0 (Apache-2.0); changes are marked "nerima:".
 */

import type {
  AvgPoolAttrs,
  BatchMatMulAttrs,
  Conv2DAttrs,
  Conv2DBackpropFilterAttrs,
  Conv2DBackpropInputAttrs,
  GradConfig,
  MaxPoolAttrs,
  SoftmaxAttrs,
  Tensor,
} from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';
import { attrsOf, pair, saved, single } from './util.js';

type Pad = Conv2DAttrs['pad'];
type Rounding = Conv2DAttrs['dimRoundingMode'];
type DataFormat = Conv2DAttrs['dataFormat'];

function conv2d(
  x: Tensor,
  filter: Tensor,
  strides: [number, number] | number,
  pad: Pad,
  dataFormat: DataFormat,
  dimRoundingMode: Rounding,
): Tensor {
  return tf.engine().runKernel(
    'Conv2D',
    { x, filter },
    {
      strides,
      pad,
      dataFormat,
      dilations: 1,
      ...(dimRoundingMode !== undefined ? { dimRoundingMode } : {}),
    },
  );
}

function backpropInput(
  inputShape: number[],
  dy: Tensor,
  filter: Tensor,
  strides: [number, number] | number,
  pad: Pad,
  dataFormat: DataFormat,
  dimRoundingMode: Rounding,
): Tensor {
  return tf.engine().runKernel(
    'Conv2DBackpropInput',
    { dy, filter },
    {
      strides,
      pad,
      dataFormat,
      inputShape,
      ...(dimRoundingMode !== undefined ? { dimRoundingMode } : {}),
    },
  );
}

function backpropFilter(
  x: Tensor,
  dy: Tensor,
  filterShape: number[],
  strides: [number, number] | number,
  pad: Pad,
  dataFormat: DataFormat,
  dimRoundingMode: Rounding,
): Tensor {
  return tf.engine().runKernel(
    'Conv2DBackpropFilter',
    { x, dy },
    {
      strides,
      pad,
      dataFormat,
      filterShape,
      ...(dimRoundingMode !== undefined ? { dimRoundingMode } : {}),
    },
  );
}

/**
 * A `[kh, kw, ci, co]` filter with `dh - 1` / `dw - 1` zero rows/columns inserted between taps:
 * a dilated convolution equals an undilated one with this filter, so its gradients can use the
 * dilation-free backprop kernels.
 */
export function dilateFilter(filter: Tensor, dh: number, dw: number): Tensor {
  const [kh, kw, ci, co] = filter.shape as [number, number, number, number];
  const spread = tf.pad(tf.reshape(filter, [kh, 1, kw, 1, ci, co]), [
    [0, 0],
    [0, dh - 1],
    [0, 0],
    [0, dw - 1],
    [0, 0],
    [0, 0],
  ]);
  return tf.slice(
    tf.reshape(spread, [kh * dh, kw * dw, ci, co]),
    [0, 0, 0, 0],
    [(kh - 1) * dh + 1, (kw - 1) * dw + 1, ci, co],
  );
}

/** Inverse of {@link dilateFilter} for a gradient: keep the taps, drop the inserted zeros. */
function undilateFilter(grad: Tensor, kh: number, kw: number, dh: number, dw: number): Tensor {
  const [eh, ew, ci, co] = grad.shape as [number, number, number, number];
  const padded = tf.pad(grad, [
    [0, kh * dh - eh],
    [0, kw * dw - ew],
    [0, 0],
    [0, 0],
  ]);
  const taps = tf.slice(
    tf.reshape(padded, [kh, dh, kw, dw, ci, co]),
    [0, 0, 0, 0, 0, 0],
    [kh, 1, kw, 1, ci, co],
  );
  return tf.reshape(taps, [kh, kw, ci, co]);
}

export const nnGradients: GradConfig[] = [
  {
    kernelName: 'BatchMatMul',
    inputsToSave: ['a', 'b'],
    gradFunc: (dy, s, attrs) => {
      const g = single(dy, 'BatchMatMul');
      const a = saved(s, 0, 'BatchMatMul');
      const b = saved(s, 1, 'BatchMatMul');
      const { transposeA, transposeB } = attrsOf<BatchMatMulAttrs>(attrs);
      // nerima: gradients are reduced to each input's shape, so broadcast batch dims work.
      const fit = (t: Tensor, like: Tensor): Tensor => {
        if (t.rank === like.rank && tf.util.arraysEqual(t.shape, like.shape)) return t;
        const lead = t.rank - like.rank;
        const axes: number[] = [];
        for (let i = 0; i < t.rank - 2; i++) {
          if (i < lead || like.shape[i - lead] === 1) axes.push(i);
        }
        return tf.reshape(axes.length > 0 ? tf.sum(t, axes) : t, like.shape);
      };
      if (!transposeA && !transposeB) {
        return {
          a: () => fit(tf.matMul(g, b, false, true), a),
          b: () => fit(tf.matMul(a, g, true, false), b),
        };
      }
      if (!transposeA && transposeB) {
        return {
          a: () => fit(tf.matMul(g, b, false, false), a),
          b: () => fit(tf.matMul(g, a, true, false), b),
        };
      }
      if (transposeA && !transposeB) {
        return {
          a: () => fit(tf.matMul(b, g, false, true), a),
          b: () => fit(tf.matMul(a, g, false, false), b),
        };
      }
      return { a: () => fit(tf.matMul(b, g, true, true), a), b: () => fit(tf.matMul(g, a, true, true), b) };
    },
  },
  {
    // nerima: dilations > 1 are supported (upstream threw), through an explicitly dilated filter.
    kernelName: 'Conv2D',
    inputsToSave: ['x', 'filter'],
    gradFunc: (dy, s, attrs) => {
      const g = single(dy, 'Conv2D');
      const x = saved(s, 0, 'Conv2D');
      const filter = saved(s, 1, 'Conv2D');
      const { strides, pad, dataFormat, dilations, dimRoundingMode } = attrsOf<Conv2DAttrs>(attrs);
      const [dh, dw] = pair(dilations ?? 1);
      if (dh === 1 && dw === 1) {
        return {
          x: () => backpropInput(x.shape, g, filter, strides, pad, dataFormat, dimRoundingMode),
          filter: () => backpropFilter(x, g, filter.shape, strides, pad, dataFormat, dimRoundingMode),
        };
      }
      const [kh, kw] = filter.shape as [number, number];
      return {
        x: () =>
          backpropInput(x.shape, g, dilateFilter(filter, dh, dw), strides, pad, dataFormat, dimRoundingMode),
        filter: () => {
          const dilatedShape = [
            (kh - 1) * dh + 1,
            (kw - 1) * dw + 1,
            filter.shape[2] as number,
            filter.shape[3] as number,
          ];
          const grad = backpropFilter(x, g, dilatedShape, strides, pad, dataFormat, dimRoundingMode);
          return undilateFilter(grad, kh, kw, dh, dw);
        },
      };
    },
  },
  {
    kernelName: 'Conv2DBackpropInput',
    inputsToSave: ['dy', 'filter'],
    gradFunc: (ddx, s, attrs) => {
      const g = single(ddx, 'Conv2DBackpropInput');
      const dy = saved(s, 0, 'Conv2DBackpropInput');
      const filter = saved(s, 1, 'Conv2DBackpropInput');
      const { strides, pad, dataFormat, dimRoundingMode } = attrsOf<Conv2DBackpropInputAttrs>(attrs);
      return {
        dy: () => conv2d(g, filter, strides, pad, dataFormat, dimRoundingMode),
        filter: () => backpropFilter(g, dy, filter.shape, strides, pad, dataFormat, dimRoundingMode),
      };
    },
  },
  {
    // nerima: new (TensorFlow.js has none), needed for second-order gradients through convs.
    // dW = conv2dBackpropFilter(x, dy) is bilinear in x and dy (as in TF's _Conv2DBackpropFilterGrad).
    kernelName: 'Conv2DBackpropFilter',
    inputsToSave: ['x', 'dy'],
    gradFunc: (ddw, s, attrs) => {
      const g = single(ddw, 'Conv2DBackpropFilter');
      const x = saved(s, 0, 'Conv2DBackpropFilter');
      const dy = saved(s, 1, 'Conv2DBackpropFilter');
      const { strides, pad, dataFormat, dimRoundingMode } = attrsOf<Conv2DBackpropFilterAttrs>(attrs);
      return {
        x: () => backpropInput(x.shape, dy, g, strides, pad, dataFormat, dimRoundingMode),
        dy: () => conv2d(x, g, strides, pad, dataFormat, dimRoundingMode),
      };
    },
  },
  {
    kernelName: 'MaxPool',
    inputsToSave: ['x'],
    outputsToSave: [true],
    gradFunc: (dy, s, attrs) => {
      const x = saved(s, 0, 'MaxPool');
      const y = saved(s, 1, 'MaxPool');
      const { filterSize, strides, pad, dimRoundingMode } = attrsOf<MaxPoolAttrs>(attrs);
      return {
        x: () =>
          tf
            .engine()
            .runKernel(
              'MaxPoolGrad',
              { dy: single(dy, 'MaxPool'), input: x, output: y },
              { filterSize, strides, pad, ...(dimRoundingMode !== undefined ? { dimRoundingMode } : {}) },
            ),
      };
    },
  },
  {
    kernelName: 'AvgPool',
    inputsToSave: ['x'],
    gradFunc: (dy, s, attrs) => {
      const x = saved(s, 0, 'AvgPool');
      const { filterSize, strides, pad } = attrsOf<AvgPoolAttrs>(attrs);
      return {
        x: () =>
          tf
            .engine()
            .runKernel('AvgPoolGrad', { dy: single(dy, 'AvgPool'), input: x }, { filterSize, strides, pad }),
      };
    },
  },
  {
    kernelName: 'Softmax',
    outputsToSave: [true],
    gradFunc: (dy, s, attrs) => {
      const g = single(dy, 'Softmax');
      const y = saved(s, 0, 'Softmax');
      const { dim } = attrsOf<SoftmaxAttrs>(attrs);
      return {
        logits: () => {
          const dyTimesY = tf.mul(g, y);
          return tf.sub(dyTimesY, tf.mul(tf.sum(dyTimesY, [dim], true), y));
        },
      };
    },
  },
];
