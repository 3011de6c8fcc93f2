/**
 * `Conv2DBackpropFilter` for the wasm backend (missing there): the gradient of conv1d/conv2d
 * weights. Computed as im2col + one matrix product on the wasm backend's own (XNNPACK) matmul:
 *
 *   colsT[(kh·KW + kw)·C + c, (b·OH + oh)·OW + ow] = x[b, oh·sh − top + kh·dh, ow·sw − left + kw·dw, c]
 *   dW[K = KH·KW·C, CO] = colsT[K, N] · dy[N = B·OH·OW, CO]
 *
 * which is dW in `[KH, KW, C, CO]` layout. Honours strides, padding ('same', 'valid', a number,
 * explicit), NHWC and NCHW, dimRoundingMode, and an optional `dilations` attr (the kernel's
 * standard attrs have none; the cpu kernel ignores it — nerima's Conv2D gradient never sets it).
 */

import type { Conv2DBackpropFilterAttrs, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';
import type { WasmBackendLike } from './backend-types.js';

const kernelFunc: KernelFunc = (params) => {
  const x = params.inputs['x'];
  const dy = params.inputs['dy'];
  if (x === undefined || dy === undefined) throw new Error('Conv2DBackpropFilter: expected inputs {x, dy}');
  if (x.dtype !== 'float32' || dy.dtype !== 'float32') {
    throw new Error(`Conv2DBackpropFilter: x and dy must be float32, got ${x.dtype} and ${dy.dtype}`);
  }
  const attrs = (params.attrs ?? {}) as unknown as Conv2DBackpropFilterAttrs & {
    dilations?: number | [number, number];
  };
  const backend = params.backend as WasmBackendLike;
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    attrs.filterShape,
    attrs.strides,
    attrs.dilations ?? 1,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    tf.backend_util.convertConv2DDataFormat(attrs.dataFormat ?? 'NHWC'),
  );
  const channelsLast = info.dataFormat === 'channelsLast';
  const B = info.batchSize;
  const H = info.inHeight;
  const W = info.inWidth;
  const C = info.inChannels;
  const OH = info.outHeight;
  const OW = info.outWidth;
  const CO = info.outChannels;
  const KH = info.filterHeight;
  const KW = info.filterWidth;
  const sh = info.strideHeight;
  const sw = info.strideWidth;
  const dh = info.dilationHeight;
  const dw = info.dilationWidth;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  const K = KH * KW * C;
  const N = B * OH * OW;

  const cols = backend.makeOutput([K, N], 'float32');
  // dy as an [N, CO] matrix: NHWC data already is one (same buffer); NCHW needs a reorder.
  const dy2: TensorInfo = channelsLast
    ? { dataId: dy.dataId, shape: [N, CO], dtype: 'float32' }
    : backend.makeOutput([N, CO], 'float32');
  // Heap views only after the last allocation.
  const xv = backend.typedArrayFromHeap(x);
  const cv = backend.typedArrayFromHeap(cols);
  // Element strides of x along (b, h, w, c).
  const xsB = H * W * C;
  const xsH = channelsLast ? W * C : W;
  const xsW = channelsLast ? C : 1;
  const xsC = channelsLast ? 1 : H * W;
  for (let kh = 0; kh < KH; kh++) {
    for (let kw = 0; kw < KW; kw++) {
      for (let c = 0; c < C; c++) {
        let o = ((kh * KW + kw) * C + c) * N;
        for (let b = 0; b < B; b++) {
          for (let oh = 0; oh < OH; oh++) {
            const ih = oh * sh - top + kh * dh;
            if (ih < 0 || ih >= H) {
              cv.fill(0, o, o + OW);
              o += OW;
              continue;
            }
            const base = b * xsB + ih * xsH + c * xsC;
            for (let ow = 0; ow < OW; ow++) {
              const iw = ow * sw - left + kw * dw;
              cv[o++] = iw >= 0 && iw < W ? (xv[base + iw * xsW] as number) : 0;
            }
          }
        }
      }
    }
  }
  if (!channelsLast) {
    const dv = backend.typedArrayFromHeap(dy);
    const d2 = backend.typedArrayFromHeap(dy2);
    const plane = OH * OW;
    for (let b = 0; b < B; b++) {
      for (let co = 0; co < CO; co++) {
        const src = (b * CO + co) * plane;
        for (let p = 0; p < plane; p++) d2[(b * plane + p) * CO + co] = dv[src + p] as number;
      }
    }
  }
  const matMul = tf.getKernel('BatchMatMul', 'wasm');
  if (matMul === undefined)
    throw new Error('Conv2DBackpropFilter: wasm BatchMatMul kernel is not registered');
  const out = matMul.kernelFunc({
    inputs: { a: cols, b: dy2 },
    backend: params.backend,
    attrs: { transposeA: false, transposeB: false },
  }) as TensorInfo;
  backend.disposeData(cols.dataId);
  if (!channelsLast) backend.disposeData(dy2.dataId);
  return { dataId: out.dataId, shape: [...attrs.filterShape], dtype: 'float32' };
};

export const conv2DBackpropFilterWasm: KernelConfig = {
  kernelName: 'Conv2DBackpropFilter',
  backendName: 'wasm',
  kernelFunc,
};
