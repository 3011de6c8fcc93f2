/**
 * Gradients of shape, indexing and data-movement kernels.
 * Ported from TensorFlow.js 4.22.0 (Apache-2.0); changes are marked "nerima:". StridedSlice,
 * GatherNd and ScatterNd have no gradient in TensorFlow.js; theirs here are new.
 */

import type {
  ConcatAttrs,
  GatherV2Attrs,
  GradConfig,
  MirrorPadAttrs,
  PackAttrs,
  PadV2Attrs,
  ReverseAttrs,
  SliceAttrs,
  SplitVAttrs,
  StridedSliceAttrs,
  Tensor,
  TileAttrs,
  TransposeAttrs,
  UnpackAttrs,
} from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';
import { attrsOf, many, saved, single, zerosF32 } from './util.js';

/** Gradient of a gather along `axis` (batchDims 0): scatter-add dy rows back into x's shape. */
function gatherGrad(x: Tensor, indices: Tensor, dy: Tensor, axis: number): Tensor {
  const paramsShape = x.shape;
  const indicesSize = indices.size;
  const outerShape = paramsShape.slice(0, axis);
  const innerShape = paramsShape.slice(axis + 1);
  const outerDims = outerShape.length;
  const innerDims = innerShape.length;
  const values = tf.reshape(dy, [...outerShape, indicesSize, ...innerShape]);
  const flatIndices = tf.reshape(indices, [indicesSize]) as tf.Tensor1D;
  const perm = [outerDims];
  for (let i = 0; i < outerDims; i++) perm.push(i);
  for (let i = outerDims + 1; i < outerDims + 1 + innerDims; i++) perm.push(i);
  const valuesT = outerDims > 0 ? tf.transpose(values, perm) : values;
  const summed = tf.unsortedSegmentSum(valuesT, flatIndices, paramsShape[axis] as number);
  return outerDims > 0 ? tf.transpose(summed, tf.backend_util.getUndoAxesPermutation(perm)) : summed;
}

/**
 * Flat indices into `xShape` of the elements a strided slice selects, in output order.
 * Uses the same normalisation as the kernels (`slice_util.sliceInfo`).
 */
function stridedSliceIndices(xShape: number[], attrs: StridedSliceAttrs): Int32Array {
  const info = tf.slice_util.sliceInfo(
    xShape,
    attrs.begin,
    attrs.end,
    attrs.strides,
    attrs.beginMask,
    attrs.endMask,
    attrs.ellipsisMask,
    attrs.newAxisMask,
    attrs.shrinkAxisMask,
  );
  const rank = xShape.length;
  // Elements taken per input dim (the "processing shape"; shrunk dims take 1, new axes add none).
  const counts = xShape.map((_, d) => {
    const interval = (info.end[d] as number) - (info.begin[d] as number);
    const stride = info.strides[d] as number;
    if (interval === 0 || interval < 0 !== stride < 0) return 0;
    return Math.ceil(Math.abs(interval) / Math.abs(stride));
  });
  const total = tf.util.sizeFromShape(counts);
  const xStrides = tf.util.computeStrides(xShape);
  const out = new Int32Array(total);
  const coord = new Array<number>(rank).fill(0);
  for (let n = 0; n < total; n++) {
    let flat = 0;
    for (let d = 0; d < rank; d++) {
      const pos = (info.begin[d] as number) + (coord[d] as number) * (info.strides[d] as number);
      flat += d === rank - 1 ? pos : pos * (xStrides[d] as number);
    }
    out[n] = flat;
    for (let d = rank - 1; d >= 0; d--) {
      const next = (coord[d] as number) + 1;
      if (next < (counts[d] as number)) {
        coord[d] = next;
        break;
      }
      coord[d] = 0;
    }
  }
  return out;
}

/** `t` sliced to `[begin, begin + size)` along `axis`. */
function sliceAxis(t: Tensor, axis: number, begin: number, size: number): Tensor {
  const b = t.shape.map(() => 0);
  const s = t.shape.slice();
  b[axis] = begin;
  s[axis] = size;
  return tf.slice(t, b, s);
}

/** `t` zero-padded by `before`/`after` along `axis`. */
function padAxis(t: Tensor, axis: number, before: number, after: number): Tensor {
  return tf.pad(
    t,
    t.shape.map((_, i): [number, number] => (i === axis ? [before, after] : [0, 0])),
  );
}

/**
 * nerima: gradient of MirrorPad. Upstream only sliced the centre out, dropping the gradient of
 * the mirrored copies; here each padded strip is reversed and added back onto the elements it
 * copies ('reflect' skips the edge element, 'symmetric' includes it).
 */
function mirrorPadGrad(dy: Tensor, xShape: number[], attrs: MirrorPadAttrs): Tensor {
  const off = attrs.mode === 'reflect' ? 1 : 0;
  let g = dy;
  attrs.paddings.forEach(([before, after], axis) => {
    const n = xShape[axis] as number;
    let acc = sliceAxis(g, axis, before, n);
    if (before > 0) {
      const strip = tf.reverse(sliceAxis(g, axis, 0, before), axis);
      acc = tf.add(acc, padAxis(strip, axis, off, n - before - off));
    }
    if (after > 0) {
      const strip = tf.reverse(sliceAxis(g, axis, before + n, after), axis);
      acc = tf.add(acc, padAxis(strip, axis, n - after - off, off));
    }
    g = acc;
  });
  return g;
}

export const shapeGradients: GradConfig[] = [
  {
    kernelName: 'Reshape',
    inputsToSave: ['x'],
    gradFunc: (dy, s) => ({ x: () => tf.reshape(single(dy, 'Reshape'), saved(s, 0, 'Reshape').shape) }),
  },
  {
    kernelName: 'ExpandDims',
    inputsToSave: ['input'],
    gradFunc: (dy, s) => ({
      input: () => tf.reshape(single(dy, 'ExpandDims'), saved(s, 0, 'ExpandDims').shape),
    }),
  },
  {
    kernelName: 'Transpose',
    gradFunc: (dy, _s, attrs) => {
      const undo = tf.backend_util.getUndoAxesPermutation(attrsOf<TransposeAttrs>(attrs).perm);
      return { x: () => tf.transpose(single(dy, 'Transpose'), undo) };
    },
  },
  {
    kernelName: 'Concat',
    saveAllInputs: true,
    gradFunc: (dy, s, attrs) => {
      const first = saved(s, 0, 'Concat');
      const axis = tf.util.parseAxisParam(attrsOf<ConcatAttrs>(attrs).axis, first.shape)[0] as number;
      const sizes = s.map((t) => t.shape[axis] as number);
      const parts = tf.split(single(dy, 'Concat'), sizes, axis);
      return Object.fromEntries(parts.map((p, i) => [String(i), () => p]));
    },
  },
  {
    kernelName: 'Pack',
    saveAllInputs: true,
    gradFunc: (dy, _s, attrs) => {
      const parts = tf.unstack(single(dy, 'Pack'), attrsOf<PackAttrs>(attrs).axis);
      return Object.fromEntries(parts.map((p, i) => [String(i), () => p]));
    },
  },
  {
    kernelName: 'Unpack',
    gradFunc: (dy, _s, attrs) => ({ value: () => tf.stack(many(dy), attrsOf<UnpackAttrs>(attrs).axis) }),
  },
  {
    kernelName: 'SplitV',
    gradFunc: (dy, _s, attrs) => ({ x: () => tf.concat(many(dy), attrsOf<SplitVAttrs>(attrs).axis) }),
  },
  {
    kernelName: 'Slice',
    inputsToSave: ['x'],
    gradFunc: (dy, s, attrs) => {
      const g = single(dy, 'Slice');
      const x = saved(s, 0, 'Slice');
      const { begin, size } = attrsOf<SliceAttrs>(attrs);
      const [begin_, size_] = tf.slice_util.parseSliceParams(x, begin, size) as [number[], number[]];
      const paddings = x.shape.map((dim, i): [number, number] => {
        const b = begin_[i] as number;
        return [b, dim - b - (size_[i] as number)];
      });
      return { x: () => tf.pad(g, paddings) };
    },
  },
  {
    // nerima: new. Scatter-add dy into zeros at the positions the slice read.
    kernelName: 'StridedSlice',
    inputsToSave: ['x'],
    gradFunc: (dy, s, attrs) => {
      const g = single(dy, 'StridedSlice');
      const x = saved(s, 0, 'StridedSlice');
      return {
        x: () => {
          const idx = tf.tensor1d(stridedSliceIndices(x.shape, attrsOf<StridedSliceAttrs>(attrs)), 'int32');
          return tf.reshape(tf.unsortedSegmentSum(tf.reshape(g, [-1]), idx, x.size), x.shape);
        },
      };
    },
  },
  {
    kernelName: 'PadV2',
    inputsToSave: ['x'],
    gradFunc: (dy, s, attrs) => {
      const x = saved(s, 0, 'PadV2');
      const { paddings } = attrsOf<PadV2Attrs>(attrs);
      return {
        x: () =>
          tf.slice(
            single(dy, 'PadV2'),
            paddings.map((p) => p[0]),
            x.shape,
          ),
      };
    },
  },
  {
    kernelName: 'MirrorPad',
    inputsToSave: ['x'],
    gradFunc: (dy, s, attrs) => {
      const x = saved(s, 0, 'MirrorPad');
      return { x: () => mirrorPadGrad(single(dy, 'MirrorPad'), x.shape, attrsOf<MirrorPadAttrs>(attrs)) };
    },
  },
  {
    // nerima: reshape-and-sum for any rank (upstream: one slice per repetition, rank <= 4).
    kernelName: 'Tile',
    inputsToSave: ['x'],
    gradFunc: (dy, s, attrs) => {
      const g = single(dy, 'Tile');
      const x = saved(s, 0, 'Tile');
      const { reps } = attrsOf<TileAttrs>(attrs);
      return {
        x: () => {
          const split: number[] = [];
          const axes: number[] = [];
          x.shape.forEach((dim, i) => {
            axes.push(split.length);
            split.push(reps[i] as number, dim);
          });
          return tf.sum(tf.reshape(g, split), axes);
        },
      };
    },
  },
  {
    kernelName: 'Reverse',
    gradFunc: (dy, _s, attrs) => {
      const g = single(dy, 'Reverse');
      const axes = tf.util.parseAxisParam(attrsOf<ReverseAttrs>(attrs).dims, g.shape);
      return { x: () => tf.reverse(g, axes) };
    },
  },
  {
    kernelName: 'GatherV2',
    inputsToSave: ['x', 'indices'],
    gradFunc: (dy, s, attrs) => {
      const g = single(dy, 'GatherV2');
      const x = saved(s, 0, 'GatherV2');
      const indices = saved(s, 1, 'GatherV2');
      const { axis, batchDims } = attrsOf<GatherV2Attrs>(attrs);
      const parsedAxis = tf.util.parseAxisParam(axis, x.shape)[0] as number;
      const derX = (): Tensor => {
        if (batchDims === 1) {
          const batch = x.shape[0] as number;
          const xs = tf.split(x, batch, 0);
          const rows = xs.map((xi, i) =>
            gatherGrad(xi, tf.slice(indices, i, 1), tf.slice(g, i, 1), parsedAxis),
          );
          return tf.reshape(tf.stack(rows), x.shape);
        }
        return gatherGrad(x, indices, g, parsedAxis);
      };
      return { x: derX, indices: () => zerosF32(indices) };
    },
  },
  {
    kernelName: 'UnsortedSegmentSum',
    inputsToSave: ['segmentIds'],
    gradFunc: (dy, s) => {
      const g = single(dy, 'UnsortedSegmentSum');
      const ids = saved(s, 0, 'UnsortedSegmentSum');
      return {
        x: () => {
          // Gather dy rows for non-negative ids, zeros for negative ones (TF _GatherDropNegatives).
          const gathered = tf.gather(g, tf.maximum(ids, tf.zerosLike(ids)));
          let keep = tf.greaterEqual(ids, tf.scalar(0, 'int32'));
          for (let i = 0; i < gathered.rank - ids.rank; i++) keep = tf.expandDims(keep, i + 1);
          keep = tf.logicalAnd(keep, tf.ones(gathered.shape, 'bool'));
          return tf.where(keep, gathered, tf.zerosLike(gathered));
        },
        segmentIds: () => zerosF32(ids),
      };
    },
  },
  {
    // nerima: new. d gatherND / d params = scatterND(indices, dy) (duplicates accumulate).
    kernelName: 'GatherNd',
    inputsToSave: ['params', 'indices'],
    gradFunc: (dy, s) => {
      const params = saved(s, 0, 'GatherNd');
      const indices = saved(s, 1, 'GatherNd');
      return {
        params: () => tf.scatterND(indices, single(dy, 'GatherNd'), params.shape),
        indices: () => zerosF32(indices),
      };
    },
  },
  {
    // nerima: new. d scatterND / d updates = gatherND(dy, indices).
    kernelName: 'ScatterNd',
    inputsToSave: ['indices'],
    gradFunc: (dy, s) => {
      const indices = saved(s, 0, 'ScatterNd');
      return {
        updates: () => tf.gatherND(single(dy, 'ScatterNd'), indices),
        indices: () => zerosF32(indices),
      };
    },
  },
  {
    kernelName: 'OneHot',
    inputsToSave: ['indices'],
    gradFunc: (_dy, s) => ({ indices: () => zerosF32(saved(s, 0, 'OneHot')) }),
  },
  {
    kernelName: 'Select',
    inputsToSave: ['condition'],
    gradFunc: (dy, s) => {
      const g = single(dy, 'Select');
      const condition = saved(s, 0, 'Select');
      return {
        condition: () => zerosF32(condition),
        t: () => tf.mul(g, tf.cast(condition, g.dtype)),
        e: () => tf.mul(g, tf.cast(tf.logicalNot(condition), g.dtype)),
      };
    },
  },
];
