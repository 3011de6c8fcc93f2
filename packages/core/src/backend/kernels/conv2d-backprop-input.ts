/**
 * `Conv2DBackpropInput` for the wasm backend, replacing tfjs-backend-wasm's direct C++ loop
 * (about 7× slower than the forward convolution; bench/results/backend.json): one matrix product
 * on the wasm (XNNPACK) matmul, then col2im in JS:
 *
 *   cols[N = B·OH·OW, K = KH·KW·C] = dy[N, CO] · Wᵀ[CO, K]
 *   dx[b, oh·sh − top + kh·dh, ow·sw − left + kw·dw, c] += cols[(b, oh, ow), (kh, kw, c)]
 *
 * Honours strides, padding ('same', 'valid', a number, explicit), NHWC and NCHW,
 * dimRoundingMode, and an optional `dilations` attr (not a standard attr of this kernel).
 */

import type { Conv2DBackpropInputAttrs, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';
import type { WasmBackendLike } from './backend-types.js';

const kernelFunc: KernelFunc = (params) => {
  const dy = params.inputs['dy'];
  const filter = params.inputs['filter'];
  if (dy === undefined || filter === undefined)
    throw new Error('Conv2DBackpropInput: expected inputs {dy, filter}');
  if (dy.dtype !== 'float32' || filter.dtype !== 'float32') {
    throw new Error(
      `Conv2DBackpropInput: dy and filter must be float32, got ${dy.dtype} and ${filter.dtype}`,
    );
  }
  const attrs = (params.attrs ?? {}) as unknown as Conv2DBackpropInputAttrs & {
    dilations?: number | [number, number];
  };
  const backend = params.backend as WasmBackendLike;
  const info = tf.backend_util.computeConv2DInfo(
    attrs.inputShape,
    filter.shape as [number, number, number, number],
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

  // Wᵀ: [CO, K] from the [KH, KW, C, CO] filter.
  const wT = backend.makeOutput([CO, K], 'float32');
  const dy2: TensorInfo = channelsLast
    ? { dataId: dy.dataId, shape: [N, CO], dtype: 'float32' }
    : backend.makeOutput([N, CO], 'float32');
  {
    const fv = backend.typedArrayFromHeap(filter);
    const tv = backend.typedArrayFromHeap(wT);
    for (let k = 0; k < K; k++) {
      for (let co = 0; co < CO; co++) tv[co * K + k] = fv[k * CO + co] as number;
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
  }
  const matMul = tf.getKernel('BatchMatMul', 'wasm');
  if (matMul === undefined) throw new Error('Conv2DBackpropInput: wasm BatchMatMul kernel is not registered');
  const cols = matMul.kernelFunc({
    inputs: { a: dy2, b: wT },
    backend: params.backend,
    attrs: { transposeA: false, transposeB: false },
  }) as TensorInfo;
  const out = backend.makeOutput([...attrs.inputShape], 'float32');
  // Heap views only after the last allocation.
  const ov = backend.typedArrayFromHeap(out);
  const cv = backend.typedArrayFromHeap(cols);
  ov.fill(0);
  const xsB = H * W * C;
  const xsH = channelsLast ? W * C : W;
  const xsW = channelsLast ? C : 1;
  const xsC = channelsLast ? 1 : H * W;
  let n = 0;
  for (let b = 0; b < B; b++) {
    for (let oh = 0; oh < OH; oh++) {
      for (let ow = 0; ow < OW; ow++, n++) {
        for (let kh = 0; kh < KH; kh++) {
          const ih = oh * sh - top + kh * dh;
          if (ih < 0 || ih >= H) continue;
          for (let kw = 0; kw < KW; kw++) {
            const iw = ow * sw - left + kw * dw;
            if (iw < 0 || iw >= W) continue;
            const dst = b * xsB + ih * xsH + iw * xsW;
            const src = n * K + (kh * KW + kw) * C;
            for (let c = 0; c < C; c++)
              ov[dst + c * xsC] = (ov[dst + c * xsC] as number) + (cv[src + c] as number);
          }
        }
      }
    }
  }
  backend.disposeData(wT.dataId);
  backend.disposeData(cols.dataId);
  if (!channelsLast) backend.disposeData(dy2.dataId);
  return out;
};

export const conv2DBackpropInputWasm: KernelConfig = {
  kernelName: 'Conv2DBackpropInput',
  backendName: 'wasm',
  kernelFunc,
};
