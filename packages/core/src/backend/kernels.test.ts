import type { KernelConfig, Tensor, TensorInfo } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from './init.js';
import { originalWasmKernel } from './kernels/index.js';
import { maxRelDiff, randint, randn, valuesOn } from './test-helpers.js';

// The backends' own kernels, captured before initBackend replaces them.
const cpuSegmentSumOriginal = tf.getKernel('UnsortedSegmentSum', 'cpu') as KernelConfig;
const wasmBackpropInputOriginal = tf.getKernel('Conv2DBackpropInput', 'wasm') as KernelConfig;

beforeAll(async () => {
  expect(cpuSegmentSumOriginal).toBeDefined();
  expect(wasmBackpropInputOriginal).toBeDefined();
  await initBackend({ backend: 'wasm' });
});

function readInfo(backendName: string, info: TensorInfo): Float32Array {
  const backend = tf.findBackend(backendName) as tf.KernelBackend;
  const values = Float32Array.from(backend.readSync(info.dataId) as ArrayLike<number>);
  backend.disposeData(info.dataId);
  return values;
}

type Pad =
  | 'same'
  | 'valid'
  | number
  | [[number, number], [number, number], [number, number], [number, number]];

interface ConvCase {
  name: string;
  xShape: [number, number, number, number];
  filterShape: [number, number, number, number];
  strides: number | [number, number];
  pad: Pad;
  dataFormat?: 'NHWC' | 'NCHW';
  dilations?: number | [number, number];
}

function convInfo(c: ConvCase) {
  return tf.backend_util.computeConv2DInfo(
    c.xShape,
    c.filterShape,
    c.strides,
    c.dilations ?? 1,
    c.pad,
    undefined,
    false,
    c.dataFormat === 'NCHW' ? 'channelsFirst' : 'channelsLast',
  );
}

/** Direct-loop reference: dW[kh,kw,c,co] = Σ x[b, oh·sh−top+kh·dh, ow·sw−left+kw·dw, c] · dy[b,oh,ow,co]. */
function referenceFilterGrad(c: ConvCase, x: Float32Array, dy: Float32Array): Float32Array {
  const info = convInfo(c);
  const { batchSize: B, inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW } = info;
  const { outChannels: CO, filterHeight: KH, filterWidth: KW, strideHeight: sh, strideWidth: sw } = info;
  const { dilationHeight: dh, dilationWidth: dw } = info;
  const nchw = c.dataFormat === 'NCHW';
  const xAt = (b: number, h: number, w: number, ch: number) =>
    x[nchw ? ((b * C + ch) * H + h) * W + w : ((b * H + h) * W + w) * C + ch] as number;
  const dyAt = (b: number, h: number, w: number, co: number) =>
    dy[nchw ? ((b * CO + co) * OH + h) * OW + w : ((b * OH + h) * OW + w) * CO + co] as number;
  const out = new Float32Array(KH * KW * C * CO);
  for (let kh = 0; kh < KH; kh++)
    for (let kw = 0; kw < KW; kw++)
      for (let ch = 0; ch < C; ch++)
        for (let co = 0; co < CO; co++) {
          let s = 0;
          for (let b = 0; b < B; b++)
            for (let oh = 0; oh < OH; oh++) {
              const ih = oh * sh - info.padInfo.top + kh * dh;
              if (ih < 0 || ih >= H) continue;
              for (let ow = 0; ow < OW; ow++) {
                const iw = ow * sw - info.padInfo.left + kw * dw;
                if (iw < 0 || iw >= W) continue;
                s += xAt(b, ih, iw, ch) * dyAt(b, oh, ow, co);
              }
            }
          out[((kh * KW + kw) * C + ch) * CO + co] = s;
        }
  return out;
}

/** Direct-loop reference: dx[b, oh·sh−top+kh·dh, ow·sw−left+kw·dw, c] += W[kh,kw,c,co] · dy[b,oh,ow,co]. */
function referenceInputGrad(c: ConvCase, w: Float32Array, dy: Float32Array): Float32Array {
  const info = convInfo(c);
  const { batchSize: B, inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW } = info;
  const { outChannels: CO, filterHeight: KH, filterWidth: KW, strideHeight: sh, strideWidth: sw } = info;
  const { dilationHeight: dh, dilationWidth: dw } = info;
  const nchw = c.dataFormat === 'NCHW';
  const xIdx = (b: number, h: number, x: number, ch: number) =>
    nchw ? ((b * C + ch) * H + h) * W + x : ((b * H + h) * W + x) * C + ch;
  const dyAt = (b: number, h: number, x: number, co: number) =>
    dy[nchw ? ((b * CO + co) * OH + h) * OW + x : ((b * OH + h) * OW + x) * CO + co] as number;
  const out = new Float32Array(B * H * W * C);
  for (let b = 0; b < B; b++)
    for (let oh = 0; oh < OH; oh++)
      for (let ow = 0; ow < OW; ow++)
        for (let kh = 0; kh < KH; kh++) {
          const ih = oh * sh - info.padInfo.top + kh * dh;
          if (ih < 0 || ih >= H) continue;
          for (let kw = 0; kw < KW; kw++) {
            const iw = ow * sw - info.padInfo.left + kw * dw;
            if (iw < 0 || iw >= W) continue;
            for (let ch = 0; ch < C; ch++)
              for (let co = 0; co < CO; co++) {
                const i = xIdx(b, ih, iw, ch);
                out[i] =
                  (out[i] as number) +
                  (w[((kh * KW + kw) * C + ch) * CO + co] as number) * dyAt(b, oh, ow, co);
              }
          }
        }
  return out;
}

const convCases: ConvCase[] = [
  { name: 'conv1d same stride 1', xShape: [2, 1, 9, 3], filterShape: [1, 3, 3, 4], strides: 1, pad: 'same' },
  {
    name: 'conv1d same stride 2',
    xShape: [2, 1, 9, 3],
    filterShape: [1, 3, 3, 4],
    strides: [1, 2],
    pad: 'same',
  },
  {
    name: 'conv1d valid stride 2',
    xShape: [3, 1, 10, 2],
    filterShape: [1, 4, 2, 3],
    strides: [1, 2],
    pad: 'valid',
  },
  {
    name: 'conv1d explicit pad (2, 1)',
    xShape: [2, 1, 8, 3],
    filterShape: [1, 3, 3, 2],
    strides: 1,
    pad: [
      [0, 0],
      [0, 0],
      [2, 1],
      [0, 0],
    ],
  },
  {
    name: 'conv2d same strides [2, 1]',
    xShape: [2, 7, 6, 3],
    filterShape: [3, 2, 3, 5],
    strides: [2, 1],
    pad: 'same',
  },
  { name: 'conv2d numeric pad 1', xShape: [1, 5, 5, 2], filterShape: [3, 3, 2, 2], strides: 2, pad: 1 },
  {
    name: 'conv2d NCHW valid',
    xShape: [2, 3, 7, 6],
    filterShape: [3, 3, 3, 4],
    strides: 1,
    pad: 'valid',
    dataFormat: 'NCHW',
  },
];

describe('wasm Conv2DBackpropFilter', () => {
  for (const c of convCases) {
    it(`matches the cpu kernel and a direct loop: ${c.name}`, async () => {
      const info = convInfo(c);
      const x = randn(`x/${c.name}`, tf.util.sizeFromShape(c.xShape));
      const dyShape = info.outShape;
      const dy = randn(`dy/${c.name}`, tf.util.sizeFromShape(dyShape));
      const attrs = {
        strides: c.strides,
        pad: c.pad,
        dataFormat: c.dataFormat ?? 'NHWC',
        filterShape: c.filterShape,
      };
      const run = () => [
        tf
          .engine()
          .runKernel(
            'Conv2DBackpropFilter',
            { x: tf.tensor(x, c.xShape), dy: tf.tensor(dy, dyShape) },
            attrs as unknown as tf.NamedAttrMap,
          ) as Tensor,
      ];
      const [wasm] = await valuesOn('wasm', run);
      const [cpu] = await valuesOn('cpu', run);
      const ref = referenceFilterGrad(c, x, dy);
      expect(maxRelDiff(wasm as Float32Array, cpu as Float32Array)).toBeLessThan(1e-5);
      expect(maxRelDiff(wasm as Float32Array, ref)).toBeLessThan(1e-5);
    });
  }

  it('honours a dilations attr (checked against the direct loop)', async () => {
    const c: ConvCase = {
      name: 'dilated',
      xShape: [2, 1, 11, 3],
      filterShape: [1, 3, 3, 2],
      strides: 1,
      pad: 'same',
      dilations: [1, 2],
    };
    const info = convInfo(c);
    const x = randn('x/dil', tf.util.sizeFromShape(c.xShape));
    const dy = randn('dy/dil', tf.util.sizeFromShape(info.outShape));
    const [wasm] = await valuesOn('wasm', () => [
      tf
        .engine()
        .runKernel(
          'Conv2DBackpropFilter',
          { x: tf.tensor(x, c.xShape), dy: tf.tensor(dy, info.outShape) },
          { strides: 1, pad: 'same', dataFormat: 'NHWC', filterShape: c.filterShape, dilations: [1, 2] },
        ) as Tensor,
    ]);
    expect(maxRelDiff(wasm as Float32Array, referenceFilterGrad(c, x, dy))).toBeLessThan(1e-5);
  });

  it('hand-computed 1-D case: x = [1, 2, 3], dy = [1, 1] (valid, k = 2) gives dW = [3, 5]', async () => {
    const [w] = await valuesOn('wasm', () => [
      tf
        .engine()
        .runKernel(
          'Conv2DBackpropFilter',
          { x: tf.tensor4d([1, 2, 3], [1, 1, 3, 1]), dy: tf.tensor4d([1, 1], [1, 1, 2, 1]) },
          { strides: 1, pad: 'valid', dataFormat: 'NHWC', filterShape: [1, 2, 1, 1] },
        ) as Tensor,
    ]);
    expect(Array.from(w as Float32Array)).toEqual([3, 5]);
  });
});

describe('wasm Conv2DBackpropInput (replaced)', () => {
  for (const c of convCases) {
    it(`matches the cpu kernel, the shipped wasm kernel and a direct loop: ${c.name}`, async () => {
      const info = convInfo(c);
      const w = randn(`w/${c.name}`, tf.util.sizeFromShape(c.filterShape));
      const dy = randn(`dy/${c.name}`, tf.util.sizeFromShape(info.outShape));
      const attrs = {
        strides: c.strides,
        pad: c.pad,
        dataFormat: c.dataFormat ?? 'NHWC',
        inputShape: c.xShape,
      };
      const run = () => [
        tf
          .engine()
          .runKernel(
            'Conv2DBackpropInput',
            { dy: tf.tensor(dy, info.outShape), filter: tf.tensor(w, c.filterShape) },
            attrs as unknown as tf.NamedAttrMap,
          ) as Tensor,
      ];
      const [wasm] = await valuesOn('wasm', run);
      const [cpu] = await valuesOn('cpu', run);
      await tf.setBackend('wasm');
      // initBackend replaced the shipped kernel before the wasm backend started, so it was never set up.
      wasmBackpropInputOriginal.setupFunc?.(tf.findBackend('wasm') as object);
      const dyT = tf.tensor(dy, info.outShape);
      const wT = tf.tensor(w, c.filterShape);
      const shipped = readInfo(
        'wasm',
        wasmBackpropInputOriginal.kernelFunc({
          inputs: { dy: dyT, filter: wT },
          backend: tf.findBackend('wasm') as object,
          attrs: attrs as unknown as tf.NamedAttrMap,
        }) as TensorInfo,
      );
      tf.dispose([dyT, wT]);
      expect(maxRelDiff(wasm as Float32Array, cpu as Float32Array)).toBeLessThan(1e-5);
      expect(maxRelDiff(wasm as Float32Array, shipped)).toBeLessThan(1e-5);
      expect(maxRelDiff(wasm as Float32Array, referenceInputGrad(c, w, dy))).toBeLessThan(1e-5);
    });
  }

  it('honours a dilations attr (checked against the direct loop)', async () => {
    const c: ConvCase = {
      name: 'dilated input',
      xShape: [2, 1, 11, 3],
      filterShape: [1, 3, 3, 2],
      strides: 1,
      pad: 'same',
      dilations: [1, 2],
    };
    const info = convInfo(c);
    const w = randn('w/dil', tf.util.sizeFromShape(c.filterShape));
    const dy = randn('dy/dil-in', tf.util.sizeFromShape(info.outShape));
    const [wasm] = await valuesOn('wasm', () => [
      tf
        .engine()
        .runKernel(
          'Conv2DBackpropInput',
          { dy: tf.tensor(dy, info.outShape), filter: tf.tensor(w, c.filterShape) },
          { strides: 1, pad: 'same', dataFormat: 'NHWC', inputShape: c.xShape, dilations: [1, 2] },
        ) as Tensor,
    ]);
    expect(maxRelDiff(wasm as Float32Array, referenceInputGrad(c, w, dy))).toBeLessThan(1e-5);
  });
});

describe('UnsortedSegmentSum', () => {
  it('hand-computed: rows summed per segment, empty segments are zero', async () => {
    for (const backend of ['wasm', 'cpu'] as const) {
      const [out] = await valuesOn(backend, () => [
        tf.unsortedSegmentSum(tf.tensor2d([1, 2, 3, 4, 5, 6], [3, 2]), tf.tensor1d([1, 0, 1], 'int32'), 3),
      ]);
      expect(Array.from(out as Float32Array), backend).toEqual([3, 4, 6, 8, 0, 0]);
    }
  });

  it('drops negative and out-of-range ids, like the original cpu kernel', async () => {
    for (const backend of ['wasm', 'cpu'] as const) {
      const [out] = await valuesOn(backend, () => [
        tf.unsortedSegmentSum(tf.tensor1d([1, 2, 3]), tf.tensor1d([-1, 2, 5], 'int32'), 3),
      ]);
      expect(Array.from(out as Float32Array), backend).toEqual([0, 0, 2]);
    }
  });

  /** Direct loop: out[s, j] = Σ_{i : ids[i] = s} x[i, j], ids outside [0, n) dropped. */
  function reference(x: ArrayLike<number>, ids: ArrayLike<number>, n: number): Float32Array {
    const inner = x.length / ids.length;
    const out = new Float32Array(n * inner);
    for (let i = 0; i < ids.length; i++) {
      const s = ids[i] as number;
      if (s < 0 || s >= n) continue;
      for (let j = 0; j < inner; j++)
        out[s * inner + j] = (out[s * inner + j] as number) + (x[i * inner + j] as number);
    }
    return out;
  }

  const shapes: { x: number[]; ids: number[]; n: number; dtype: 'float32' | 'int32' }[] = [
    { x: [50, 8], ids: [50], n: 20, dtype: 'float32' },
    { x: [30], ids: [30], n: 4, dtype: 'float32' },
    { x: [12, 3], ids: [12], n: 5, dtype: 'int32' },
    // 2-D ids: the original cpu kernel gets this wrong (it broadcasts ids against the wrong
    // axes), so it is compared with the direct loop only.
    { x: [4, 5, 3], ids: [4, 5], n: 7, dtype: 'float32' },
  ];
  for (const s of shapes) {
    it(`wasm and cpu match the reference: x ${JSON.stringify(s.x)} ids ${JSON.stringify(s.ids)} (${s.dtype})`, async () => {
      const size = tf.util.sizeFromShape(s.x);
      const x = s.dtype === 'int32' ? randint(`x${s.x}`, size, -9, 9) : randn(`x${s.x}`, size);
      const ids = randint(`ids${s.x}`, tf.util.sizeFromShape(s.ids), -1, s.n);
      const run = () => {
        const idsT: Tensor = tf.tensor(ids, s.ids, 'int32');
        return [tf.unsortedSegmentSum(tf.tensor(x, s.x, s.dtype), idsT as tf.Tensor1D, s.n)];
      };
      const [wasm] = await valuesOn('wasm', run);
      const [cpu] = await valuesOn('cpu', run);
      const ref = reference(x, ids, s.n);
      expect(maxRelDiff(wasm as Float32Array, ref)).toBeLessThan(1e-5);
      expect(maxRelDiff(cpu as Float32Array, ref)).toBeLessThan(1e-5);
      if (s.ids.length === 1) {
        await tf.setBackend('cpu');
        const xt = tf.tensor(x, s.x, s.dtype);
        const it = tf.tensor(ids, s.ids, 'int32');
        const info = cpuSegmentSumOriginal.kernelFunc({
          inputs: { x: xt, segmentIds: it },
          backend: tf.findBackend('cpu') as object,
          attrs: { numSegments: s.n },
        }) as TensorInfo;
        const original = readInfo('cpu', info);
        tf.dispose([xt, it]);
        expect(maxRelDiff(original, ref)).toBeLessThan(1e-5);
      }
    });
  }
});

describe('wasm matMul with transpose flags', () => {
  it('is wrapped (the wasm kernel differs from the original)', () => {
    expect(originalWasmKernel('BatchMatMul')).toBeDefined();
    expect(tf.getKernel('BatchMatMul', 'wasm')?.kernelFunc).not.toBe(
      originalWasmKernel('BatchMatMul')?.kernelFunc,
    );
  });

  const cases: [number[], number[], boolean, boolean][] = [
    [[4, 5], [5, 6], false, false],
    [[4, 5], [6, 5], false, true],
    [[5, 4], [5, 6], true, false],
    [[5, 4], [6, 5], true, true],
    [[3, 4, 5], [3, 6, 5], false, true],
    [[3, 5, 4], [1, 5, 6], true, false],
  ];
  for (const [as, bs, ta, tb] of cases) {
    it(`matMul ${JSON.stringify(as)}${ta ? 'ᵀ' : ''} × ${JSON.stringify(bs)}${tb ? 'ᵀ' : ''} equals cpu`, async () => {
      const a = randn(`a${as}`, tf.util.sizeFromShape(as));
      const b = randn(`b${bs}`, tf.util.sizeFromShape(bs));
      const run = () => [tf.matMul(tf.tensor(a, as), tf.tensor(b, bs), ta, tb)];
      const [w] = await valuesOn('wasm', run);
      const [c] = await valuesOn('cpu', run);
      expect(maxRelDiff(w as Float32Array, c as Float32Array)).toBeLessThan(1e-5);
    });
  }

  const fusedCases: {
    name: string;
    a: number[];
    b: number[];
    bias: number[];
    tb: boolean;
    act: tf.fused.Activation;
  }[] = [
    { name: '2-D, bias, relu', a: [4, 5], b: [5, 6], bias: [6], tb: false, act: 'relu' },
    { name: 'batched, transposeB, bias, relu', a: [3, 4, 5], b: [3, 6, 5], bias: [6], tb: true, act: 'relu' },
    { name: 'batched, shared b, bias', a: [2, 4, 5], b: [1, 5, 6], bias: [6], tb: false, act: 'linear' },
    {
      name: 'batched, rank-2 bias, sigmoid',
      a: [2, 4, 5],
      b: [2, 5, 6],
      bias: [4, 6],
      tb: false,
      act: 'sigmoid',
    },
  ];
  for (const c of fusedCases) {
    it(`fused matMul (${c.name}) equals cpu (wasm's own kernel mis-adds batched biases)`, async () => {
      const a = randn(`fa${c.name}`, tf.util.sizeFromShape(c.a));
      const b = randn(`fb${c.name}`, tf.util.sizeFromShape(c.b));
      const bias = randn(`fbias${c.name}`, tf.util.sizeFromShape(c.bias));
      const run = () => [
        tf.fused.matMul({
          a: tf.tensor(a, c.a),
          b: tf.tensor(b, c.b),
          transposeB: c.tb,
          bias: tf.tensor(bias, c.bias),
          activation: c.act,
        }),
      ];
      const [w] = await valuesOn('wasm', run);
      const [cpu] = await valuesOn('cpu', run);
      expect(maxRelDiff(w as Float32Array, cpu as Float32Array)).toBeLessThan(1e-5);
    });
  }
});
