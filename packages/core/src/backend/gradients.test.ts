import type { Tensor } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from './init.js';
import { maxRelDiff, randint, randn, valuesOn } from './test-helpers.js';

beforeAll(async () => {
  await initBackend({ backend: 'wasm' });
});

interface Input {
  shape: number[];
  /** Default: normal deviates seeded by the case and input name. */
  values?: ArrayLike<number>;
  dtype?: 'float32' | 'int32' | 'bool';
  /** Differentiate with respect to this input (default true for float32). */
  diff?: boolean;
}

interface Case {
  name: string;
  inputs: Record<string, Input>;
  /** Builds the (pre-loss) output from the inputs. */
  f: (t: Record<string, Tensor>) => Tensor;
  /** Skip the finite-difference check (functions with kinks near the sample point). */
  noFiniteDiff?: boolean;
}

function valuesFor(c: Case, name: string, input: Input): ArrayLike<number> {
  if (input.values !== undefined) return input.values;
  return randn(`${c.name}/${name}`, tf.util.sizeFromShape(input.shape));
}

function makeInputs(c: Case, override?: { name: string; values: Float32Array }): Record<string, Tensor> {
  const out: Record<string, Tensor> = {};
  for (const [name, input] of Object.entries(c.inputs)) {
    const values = override?.name === name ? override.values : valuesFor(c, name, input);
    out[name] = tf.tensor(values as number[], input.shape, input.dtype ?? 'float32');
  }
  return out;
}

function diffNames(c: Case): string[] {
  return Object.entries(c.inputs)
    .filter(([, i]) => i.diff ?? (i.dtype ?? 'float32') === 'float32')
    .map(([n]) => n);
}

/** Scalar loss: Σ out · w with a fixed random w, so every output element matters differently. */
function loss(c: Case, t: Record<string, Tensor>): Tensor {
  const out = c.f(t);
  const w = tf.tensor(randn(`${c.name}/w`, out.size), out.shape);
  return tf.sum(tf.mul(out, w));
}

function gradients(c: Case): Tensor[] {
  const all = makeInputs(c);
  const names = diffNames(c);
  return tf.grads((...xs: Tensor[]) => {
    const t = { ...all };
    names.forEach((n, i) => {
      t[n] = xs[i] as Tensor;
    });
    return loss(c, t);
  })(names.map((n) => all[n] as Tensor));
}

/** Central differences on the cpu backend for up to `maxCoords` coordinates of each input. */
async function finiteDifferences(
  c: Case,
  name: string,
  maxCoords = 12,
  eps = 1e-2,
): Promise<[number[], number[]]> {
  await tf.setBackend('cpu');
  const input = c.inputs[name] as Input;
  const base = Float32Array.from(valuesFor(c, name, input));
  const coords = Array.from(
    randint(`${c.name}/${name}/coords`, Math.min(maxCoords, base.length), 0, base.length),
  );
  const fd: number[] = [];
  for (const j of coords) {
    const at = (delta: number) => {
      const v = base.slice();
      v[j] = (v[j] as number) + delta;
      return tf.tidy(() => loss(c, makeInputs(c, { name, values: v })).dataSync()[0] as number);
    };
    fd.push((at(eps) - at(-eps)) / (2 * eps));
  }
  return [coords, fd];
}

const gelu = (x: Tensor) =>
  tf.mul(
    tf.mul(x, 0.5),
    tf.add(1, tf.tanh(tf.mul(Math.sqrt(2 / Math.PI), tf.add(x, tf.mul(0.044715, tf.pow(x, 3)))))),
  );

const ids = (seed: string, n: number, hi: number): Input => ({
  shape: [n],
  values: randint(seed, n, 0, hi),
  dtype: 'int32',
});

const cases: Case[] = [
  // --- embeddings (GatherV2 → UnsortedSegmentSum on the backward pass)
  {
    name: 'embedding lookup with repeated ids',
    inputs: {
      emb: { shape: [20, 6] },
      ids: { shape: [3, 5], values: randint('emb-ids', 15, 0, 20), dtype: 'int32' },
    },
    f: (t) => tf.gather(t.emb as Tensor, t.ids as Tensor),
  },
  {
    name: 'gather on axis 1',
    inputs: { x: { shape: [4, 7, 3] }, idx: ids('g1', 5, 7) },
    f: (t) => tf.gather(t.x as Tensor, t.idx as Tensor, 1),
  },
  {
    name: 'gather with batchDims 1',
    inputs: {
      x: { shape: [3, 6, 4] },
      idx: { shape: [3, 2], values: randint('gb', 6, 0, 6), dtype: 'int32' },
    },
    f: (t) => tf.gather(t.x as Tensor, t.idx as Tensor, 1, 1),
  },
  // --- convolutions
  {
    name: 'conv1d same stride 1',
    inputs: { x: { shape: [2, 9, 3] }, w: { shape: [3, 3, 4] } },
    f: (t) => tf.conv1d(t.x as tf.Tensor3D, t.w as tf.Tensor3D, 1, 'same'),
  },
  {
    name: 'conv1d valid stride 2',
    inputs: { x: { shape: [2, 10, 3] }, w: { shape: [4, 3, 2] } },
    f: (t) => tf.conv1d(t.x as tf.Tensor3D, t.w as tf.Tensor3D, 2, 'valid'),
  },
  {
    name: 'conv1d same dilation 2',
    inputs: { x: { shape: [2, 11, 3] }, w: { shape: [3, 3, 4] } },
    f: (t) => tf.conv1d(t.x as tf.Tensor3D, t.w as tf.Tensor3D, 1, 'same', 'NWC', 2),
  },
  {
    name: 'conv2d same strides [2, 1]',
    inputs: { x: { shape: [2, 6, 5, 3] }, w: { shape: [3, 3, 3, 4] } },
    f: (t) => tf.conv2d(t.x as tf.Tensor4D, t.w as tf.Tensor4D, [2, 1], 'same'),
  },
  {
    name: 'conv2d valid dilations [2, 2]',
    inputs: { x: { shape: [1, 7, 7, 2] }, w: { shape: [2, 3, 2, 3] } },
    f: (t) => tf.conv2d(t.x as tf.Tensor4D, t.w as tf.Tensor4D, 1, 'valid', 'NHWC', [2, 2]),
  },
  {
    name: 'conv2d explicit padding',
    inputs: { x: { shape: [1, 5, 6, 2] }, w: { shape: [3, 2, 2, 3] } },
    f: (t) =>
      tf.conv2d(t.x as tf.Tensor4D, t.w as tf.Tensor4D, 1, [
        [0, 0],
        [1, 2],
        [0, 1],
        [0, 0],
      ]),
  },
  // --- matrix products
  {
    name: 'matMul',
    inputs: { a: { shape: [4, 5] }, b: { shape: [5, 3] } },
    f: (t) => tf.matMul(t.a as Tensor, t.b as Tensor),
  },
  {
    name: 'matMul transposeB',
    inputs: { a: { shape: [4, 5] }, b: { shape: [3, 5] } },
    f: (t) => tf.matMul(t.a as Tensor, t.b as Tensor, false, true),
  },
  {
    name: 'matMul transposeA',
    inputs: { a: { shape: [5, 4] }, b: { shape: [5, 3] } },
    f: (t) => tf.matMul(t.a as Tensor, t.b as Tensor, true, false),
  },
  {
    name: 'matMul both transposed',
    inputs: { a: { shape: [5, 4] }, b: { shape: [3, 5] } },
    f: (t) => tf.matMul(t.a as Tensor, t.b as Tensor, true, true),
  },
  {
    name: 'batchMatMul',
    inputs: { a: { shape: [2, 3, 4] }, b: { shape: [2, 4, 5] } },
    f: (t) => tf.matMul(t.a as Tensor, t.b as Tensor),
  },
  {
    name: 'batchMatMul with broadcast batch',
    inputs: { a: { shape: [2, 3, 4] }, b: { shape: [1, 4, 5] } },
    f: (t) => tf.matMul(t.a as Tensor, t.b as Tensor),
  },
  {
    name: 'fused matMul + bias + relu (batched)',
    inputs: { a: { shape: [2, 3, 4] }, b: { shape: [2, 4, 5] }, bias: { shape: [5] } },
    f: (t) =>
      tf.fused.matMul({
        a: t.a as tf.Tensor3D,
        b: t.b as tf.Tensor3D,
        bias: t.bias as Tensor,
        activation: 'relu',
      }),
    noFiniteDiff: true,
  },
  // --- activations and normalisation
  { name: 'softmax', inputs: { x: { shape: [3, 5] } }, f: (t) => tf.softmax(t.x as Tensor) },
  { name: 'logSoftmax', inputs: { x: { shape: [3, 5] } }, f: (t) => tf.logSoftmax(t.x as Tensor) },
  { name: 'sigmoid', inputs: { x: { shape: [4, 3] } }, f: (t) => tf.sigmoid(t.x as Tensor) },
  { name: 'tanh', inputs: { x: { shape: [4, 3] } }, f: (t) => tf.tanh(t.x as Tensor) },
  { name: 'relu', inputs: { x: { shape: [4, 3] } }, f: (t) => tf.relu(t.x as Tensor), noFiniteDiff: true },
  { name: 'elu', inputs: { x: { shape: [4, 3] } }, f: (t) => tf.elu(t.x as Tensor), noFiniteDiff: true },
  {
    name: 'leakyRelu',
    inputs: { x: { shape: [4, 3] } },
    f: (t) => tf.leakyRelu(t.x as Tensor, 0.1),
    noFiniteDiff: true,
  },
  { name: 'gelu (tanh approximation)', inputs: { x: { shape: [4, 3] } }, f: (t) => gelu(t.x as Tensor) },
  {
    name: 'gelu (erf)',
    inputs: { x: { shape: [4, 3] } },
    f: (t) => tf.mul(tf.mul(t.x as Tensor, 0.5), tf.add(1, tf.erf(tf.div(t.x as Tensor, Math.SQRT2)))),
  },
  { name: 'softplus', inputs: { x: { shape: [4, 3] } }, f: (t) => tf.softplus(t.x as Tensor) },
  {
    name: 'layerNorm via moments',
    inputs: { x: { shape: [3, 6] }, gamma: { shape: [6] }, beta: { shape: [6] } },
    f: (t) => {
      const { mean, variance } = tf.moments(t.x as Tensor, -1, true);
      const norm = tf.div(tf.sub(t.x as Tensor, mean), tf.sqrt(tf.add(variance, 1e-5)));
      return tf.add(tf.mul(norm, t.gamma as Tensor), t.beta as Tensor);
    },
  },
  {
    name: 'dropout-style mask multiply',
    inputs: { x: { shape: [4, 5] }, mask: { shape: [4, 5], values: randint('mask', 20, 0, 2), diff: false } },
    f: (t) => tf.div(tf.mul(t.x as Tensor, t.mask as Tensor), 0.5),
  },
  {
    name: 'mask built from x (comparison on the tape)',
    inputs: { x: { shape: [4, 5] } },
    f: (t) => tf.mul(t.x as Tensor, tf.cast(tf.greater(t.x as Tensor, 0.2), 'float32')),
    noFiniteDiff: true,
  },
  // --- shape ops
  {
    name: 'concat axis 1',
    inputs: { a: { shape: [2, 3] }, b: { shape: [2, 1] }, c: { shape: [2, 4] } },
    f: (t) => tf.concat([t.a as Tensor, t.b as Tensor, t.c as Tensor], 1),
  },
  { name: 'slice', inputs: { x: { shape: [4, 6] } }, f: (t) => tf.slice(t.x as Tensor, [1, 2], [2, 3]) },
  {
    name: 'stridedSlice with strides 2',
    inputs: { x: { shape: [5, 7] } },
    f: (t) => tf.stridedSlice(t.x as Tensor, [0, 1], [5, 7], [2, 2]),
  },
  {
    // (tfjs 4.22's StridedSlice forward, cpu and wasm alike, returns wrong elements when a shrink
    // axis is combined with a non-unit stride, so shrinkAxisMask is tested with unit strides.)
    name: 'stridedSlice negative strides and a new axis',
    inputs: { x: { shape: [4, 6, 3] } },
    f: (t) => tf.stridedSlice(t.x as Tensor, [3, 5, 0], [0, 0, 3], [-1, -2, 1], 0, 0, 0, 0b010),
  },
  {
    name: 'stridedSlice with begin/end masks and a shrink axis',
    inputs: { x: { shape: [4, 6, 3] } },
    f: (t) => tf.stridedSlice(t.x as Tensor, [1, 2, 1], [0, 5, 0], [1, 1, 1], 0b001, 0b001, 0, 0, 0b100),
  },
  {
    name: 'stack / unstack / split / transpose / reshape',
    inputs: { a: { shape: [2, 6] }, b: { shape: [2, 6] } },
    f: (t) => {
      const s = tf.stack([t.a as Tensor, t.b as Tensor], 1); // [2, 2, 6]
      const [u0, u1] = tf.unstack(s, 1) as [Tensor, Tensor];
      const [p, q] = tf.split(tf.add(u0, tf.mul(u1, 2)), [2, 4], 1) as [Tensor, Tensor];
      return tf.reshape(tf.transpose(tf.concat([q, p], 1), [1, 0]), [3, 4]);
    },
  },
  {
    name: 'pad',
    inputs: { x: { shape: [3, 4] } },
    f: (t) =>
      tf.pad(
        t.x as Tensor,
        [
          [1, 2],
          [0, 3],
        ],
        0.5,
      ),
  },
  {
    name: 'mirrorPad reflect',
    inputs: { x: { shape: [3, 4] } },
    f: (t) =>
      tf.mirrorPad(
        t.x as Tensor,
        [
          [1, 1],
          [2, 0],
        ],
        'reflect',
      ),
  },
  {
    name: 'mirrorPad symmetric',
    inputs: { x: { shape: [3, 4] } },
    f: (t) =>
      tf.mirrorPad(
        t.x as Tensor,
        [
          [2, 3],
          [0, 4],
        ],
        'symmetric',
      ),
  },
  { name: 'tile rank 2', inputs: { x: { shape: [2, 3] } }, f: (t) => tf.tile(t.x as Tensor, [2, 3]) },
  {
    name: 'tile rank 5',
    inputs: { x: { shape: [1, 2, 1, 2, 1] } },
    f: (t) => tf.tile(t.x as Tensor, [2, 1, 3, 1, 2]),
  },
  { name: 'reverse axis 1', inputs: { x: { shape: [2, 5, 3] } }, f: (t) => tf.reverse(t.x as Tensor, 1) },
  { name: 'cumsum axis 1', inputs: { x: { shape: [3, 5] } }, f: (t) => tf.cumsum(t.x as Tensor, 1) },
  {
    name: 'cumsum axis 0, exclusive, reverse',
    inputs: { x: { shape: [4, 3] } },
    f: (t) => tf.cumsum(t.x as Tensor, 0, true, true),
  },
  // --- reductions and selection
  { name: 'sum over axis 0', inputs: { x: { shape: [4, 3] } }, f: (t) => tf.sum(t.x as Tensor, 0) },
  {
    name: 'mean over all',
    inputs: { x: { shape: [4, 3] } },
    f: (t) => tf.reshape(tf.mean(t.x as Tensor), [1]),
  },
  {
    name: 'max over axis 1',
    inputs: { x: { shape: [4, 5] } },
    f: (t) => tf.max(t.x as Tensor, 1),
    noFiniteDiff: true,
  },
  {
    name: 'min over axis 0',
    inputs: { x: { shape: [4, 5] } },
    f: (t) => tf.min(t.x as Tensor, 0),
    noFiniteDiff: true,
  },
  { name: 'prod over axis 1', inputs: { x: { shape: [3, 4] } }, f: (t) => tf.prod(t.x as Tensor, 1) },
  {
    name: 'maximum with broadcasting',
    inputs: { a: { shape: [3, 4] }, b: { shape: [4] } },
    f: (t) => tf.maximum(t.a as Tensor, t.b as Tensor),
    noFiniteDiff: true,
  },
  {
    name: 'minimum',
    inputs: { a: { shape: [3, 4] }, b: { shape: [3, 4] } },
    f: (t) => tf.minimum(t.a as Tensor, t.b as Tensor),
    noFiniteDiff: true,
  },
  {
    name: 'where',
    inputs: {
      cond: { shape: [3, 4], values: randint('cond', 12, 0, 2), dtype: 'bool' },
      a: { shape: [3, 4] },
      b: { shape: [3, 4] },
    },
    f: (t) => tf.where(t.cond as Tensor, t.a as Tensor, t.b as Tensor),
  },
  {
    name: 'clipByValue / abs',
    inputs: { x: { shape: [4, 4] } },
    f: (t) => tf.add(tf.clipByValue(t.x as Tensor, -0.5, 0.7), tf.abs(t.x as Tensor)),
    noFiniteDiff: true,
  },
  // --- arithmetic with broadcasting
  {
    name: 'sub / div / squaredDifference with broadcasting',
    inputs: { a: { shape: [3, 4] }, b: { shape: [1, 4] } },
    f: (t) => {
      const a = t.a as Tensor;
      const b = t.b as Tensor;
      return tf.add(tf.div(tf.sub(a, b), tf.add(tf.square(b), 1)), tf.squaredDifference(a, b));
    },
  },
  {
    name: 'exp / log / sqrt / rsqrt / pow / reciprocal',
    inputs: { x: { shape: [2, 5] } },
    f: (t) => {
      const p = tf.add(tf.square(t.x as Tensor), 0.5);
      return tf.addN([
        tf.exp(tf.mul(t.x as Tensor, 0.3)),
        tf.log(p),
        tf.sqrt(p),
        tf.rsqrt(p),
        tf.pow(p, 1.7),
        tf.reciprocal(p),
      ]);
    },
  },
  // --- losses
  {
    name: 'oneHot cross-entropy (logSoftmax)',
    inputs: { logits: { shape: [5, 4] }, labels: ids('labels', 5, 4) },
    f: (t) => {
      const oh = tf.oneHot(t.labels as Tensor, 4);
      return tf.reshape(tf.neg(tf.mean(tf.sum(tf.mul(oh, tf.logSoftmax(t.logits as Tensor)), -1))), [1]);
    },
  },
  {
    name: 'sparse cross-entropy via gather of logSoftmax',
    inputs: { logits: { shape: [5, 4] }, labels: ids('labels2', 5, 4) },
    f: (t) => {
      const lsm = tf.logSoftmax(t.logits as Tensor);
      const flat = tf.reshape(lsm, [-1]);
      const pick = tf.add(tf.mul(tf.range(0, 5, 1, 'int32'), tf.scalar(4, 'int32')), t.labels as Tensor);
      return tf.neg(tf.gather(flat, pick));
    },
  },
  {
    name: 'tf.losses.softmaxCrossEntropy',
    inputs: { logits: { shape: [5, 4] }, labels: ids('labels3', 5, 4) },
    f: (t) =>
      tf.reshape(tf.losses.softmaxCrossEntropy(tf.oneHot(t.labels as Tensor, 4), t.logits as Tensor), [1]),
  },
  // --- a backward LSTM pass over a reversed sequence (BiLSTM half)
  {
    name: 'LSTM over a reversed sequence',
    inputs: { seq: { shape: [2, 4, 3] }, kernel: { shape: [3 + 2, 8] }, bias: { shape: [8] } },
    f: (t) => {
      const rev = tf.reverse(t.seq as Tensor, 1);
      let c = tf.zeros([2, 2]) as tf.Tensor2D;
      let h = tf.zeros([2, 2]) as tf.Tensor2D;
      const outs: Tensor[] = [];
      for (const step of tf.unstack(rev, 1)) {
        [c, h] = tf.basicLSTMCell(
          tf.scalar(1),
          t.kernel as tf.Tensor2D,
          t.bias as tf.Tensor1D,
          step as tf.Tensor2D,
          c,
          h,
        );
        outs.push(h);
      }
      return tf.reverse(tf.stack(outs, 1), 1);
    },
  },
  // --- new gradients (none in TensorFlow.js)
  {
    name: 'gatherND',
    inputs: {
      x: { shape: [4, 3, 2] },
      idx: { shape: [5, 2], values: [0, 1, 3, 2, 0, 1, 2, 0, 1, 1], dtype: 'int32' },
    },
    f: (t) => tf.gatherND(t.x as Tensor, t.idx as Tensor),
  },
  {
    name: 'scatterND (updates)',
    inputs: { u: { shape: [3, 2] }, idx: { shape: [3, 1], values: [0, 2, 0], dtype: 'int32' } },
    f: (t) => tf.scatterND(t.idx as Tensor, t.u as Tensor, [4, 2]),
  },
  {
    name: 'unsortedSegmentSum (x)',
    inputs: { x: { shape: [6, 3] }, seg: ids('seg', 6, 4) },
    f: (t) => tf.unsortedSegmentSum(t.x as Tensor, t.seg as tf.Tensor1D, 4),
  },
];

describe('gradients: wasm equals cpu, and both equal finite differences', () => {
  for (const c of cases) {
    it(c.name, async () => {
      const wasm = await valuesOn('wasm', () => gradients(c));
      const cpu = await valuesOn('cpu', () => gradients(c));
      const names = diffNames(c);
      expect(wasm).toHaveLength(names.length);
      names.forEach((n, i) => {
        expect(maxRelDiff(wasm[i] as Float32Array, cpu[i] as Float32Array), `${n}: wasm vs cpu`).toBeLessThan(
          1e-5,
        );
      });
      if (c.noFiniteDiff) return;
      for (const [i, n] of names.entries()) {
        const [coords, fd] = await finiteDifferences(c, n);
        const analytic = coords.map((j) => (cpu[i] as Float32Array)[j] as number);
        expect(maxRelDiff(analytic, fd), `${n}: analytic vs finite differences`).toBeLessThan(2e-2);
      }
    });
  }
});

describe('second-order gradients (MAML-style grad of grad)', () => {
  // Without the tape fix (tape-fix.ts) tfjs-core treats saved outputs as constants on the second
  // pass, and each of these second derivatives comes out as 0.
  const second: [string, (x: Tensor) => Tensor, (v: number) => number][] = [
    ['tanh', tf.tanh, (v) => -2 * Math.tanh(v) * (1 - Math.tanh(v) ** 2)],
    [
      'sigmoid',
      tf.sigmoid,
      (v) => {
        const s = 1 / (1 + Math.exp(-v));
        return s * (1 - s) * (1 - 2 * s);
      },
    ],
    ['exp', tf.exp, (v) => Math.exp(v)],
  ];
  for (const [name, f, expected] of second) {
    it(`d²/dx² Σ ${name}(x) is exact on wasm and cpu`, async () => {
      const xs = [-1.5, -0.2, 0.3, 1.1];
      for (const backend of ['wasm', 'cpu'] as const) {
        const [g2] = await valuesOn(backend, () => [
          tf.grad((x: Tensor) => tf.sum(tf.grad((y: Tensor) => tf.sum(f(y)))(x)))(tf.tensor1d(xs)),
        ]);
        xs.forEach((v, i) => {
          expect((g2 as Float32Array)[i], `${backend} x=${v}`).toBeCloseTo(expected(v), 5);
        });
      }
    });
  }

  it('d/dx of the gradient of Σ c·logSoftmax(x) (a customGrad op) matches finite differences', async () => {
    const c = [0.2, -1, 0.5, 1.3];
    const inner = (x: Tensor) => tf.grad((y: Tensor) => tf.sum(tf.mul(tf.logSoftmax(y), tf.tensor1d(c))))(x);
    const h = (x: Tensor) => tf.sum(tf.square(inner(x)));
    const x0 = [0.1, -0.4, 0.7, 0.2];
    const [wasm] = await valuesOn('wasm', () => [tf.grad(h)(tf.tensor1d(x0))]);
    const [cpu] = await valuesOn('cpu', () => [tf.grad(h)(tf.tensor1d(x0))]);
    expect(maxRelDiff(wasm as Float32Array, cpu as Float32Array)).toBeLessThan(1e-5);
    const eps = 1e-2;
    const fd = x0.map((_, j) => {
      const at = (d: number) =>
        tf.tidy(() => h(tf.tensor1d(x0.map((v, i) => (i === j ? v + d : v)))).dataSync()[0] as number);
      return (at(eps) - at(-eps)) / (2 * eps);
    });
    expect(maxRelDiff(cpu as Float32Array, fd)).toBeLessThan(2e-3);
  });

  // A tiny MLP: inner SGD step on a support batch, loss of the adapted weights on a query batch.
  const mlp = (w1: Tensor, b1: Tensor, w2: Tensor, x: Tensor) =>
    tf.matMul(tf.tanh(tf.add(tf.matMul(x, w1), b1)), w2);
  const ce = (logits: Tensor, labels: Tensor) =>
    tf.neg(tf.mean(tf.sum(tf.mul(tf.oneHot(labels, 3), tf.logSoftmax(logits)), -1)));

  function metaLoss(w1: Tensor, b1: Tensor, w2: Tensor): Tensor {
    const xs = tf.tensor2d(randn('sx', 5 * 4), [5, 4]);
    const ys = tf.tensor1d(randint('sy', 5, 0, 3), 'int32');
    const xq = tf.tensor2d(randn('qx', 6 * 4), [6, 4]);
    const yq = tf.tensor1d(randint('qy', 6, 0, 3), 'int32');
    const [g1, gb, g2] = tf.grads((a: Tensor, b: Tensor, c: Tensor) => ce(mlp(a, b, c, xs), ys))([
      w1,
      b1,
      w2,
    ]) as [Tensor, Tensor, Tensor];
    const lr = 0.5;
    return ce(
      mlp(tf.sub(w1, tf.mul(g1, lr)), tf.sub(b1, tf.mul(gb, lr)), tf.sub(w2, tf.mul(g2, lr)), xq),
      yq,
    );
  }

  const params = () => [
    tf.tensor2d(randn('w1', 32, 0.5), [4, 8]),
    tf.tensor1d(randn('b1', 8, 0.1)),
    tf.tensor2d(randn('w2', 24, 0.5), [8, 3]),
  ];

  it('a tiny MLP: wasm equals cpu and finite differences of the meta-loss', async () => {
    const run = () => tf.grads((a: Tensor, b: Tensor, c: Tensor) => metaLoss(a, b, c))(params());
    const wasm = await valuesOn('wasm', run);
    const cpu = await valuesOn('cpu', run);
    for (const [i, g] of wasm.entries()) expect(maxRelDiff(g, cpu[i] as Float32Array)).toBeLessThan(1e-5);
    await tf.setBackend('cpu');
    const w1 = Float32Array.from(randn('w1', 32, 0.5));
    const eps = 1e-2;
    for (const j of [0, 7, 19, 31]) {
      const at = (d: number) =>
        tf.tidy(() => {
          const v = w1.slice();
          v[j] = (v[j] as number) + d;
          const [, b1, w2] = params() as [Tensor, Tensor, Tensor];
          return metaLoss(tf.tensor2d(v, [4, 8]), b1, w2).dataSync()[0] as number;
        });
      const fd = (at(eps) - at(-eps)) / (2 * eps);
      expect(Math.abs(fd - ((cpu[0] as Float32Array)[j] as number))).toBeLessThan(1e-3 * (1 + Math.abs(fd)));
    }
  });

  it('embedding + conv1d encoder: second-order gradients run on wasm and equal cpu', async () => {
    const tokens = tf.tensor2d(randint('tok', 2 * 7, 0, 10), [2, 7], 'int32');
    const labels = tf.tensor1d(randint('lab', 2 * 7, 0, 3), 'int32');
    const encode = (emb: Tensor, conv: Tensor, out: Tensor, toks: Tensor) => {
      const e = tf.gather(emb, toks); // [2, 7, 4]
      const h = tf.relu(tf.conv1d(e as tf.Tensor3D, conv as tf.Tensor3D, 1, 'same')); // [2, 7, 5]
      return tf.reshape(tf.matMul(tf.reshape(h, [14, 5]), out), [14, 3]);
    };
    const inner = (emb: Tensor, conv: Tensor, out: Tensor, toks: Tensor, y: Tensor) => {
      const logits = encode(emb, conv, out, toks);
      return tf.neg(tf.mean(tf.sum(tf.mul(tf.oneHot(y, 3), tf.logSoftmax(logits)), -1)));
    };
    const run = () => {
      const toks = tf.tensor2d(tokens.dataSync(), [2, 7], 'int32');
      const y = tf.tensor1d(labels.dataSync(), 'int32');
      const p = [
        tf.tensor2d(randn('emb', 40, 0.5), [10, 4]),
        tf.tensor3d(randn('conv', 60, 0.3), [3, 4, 5]),
        tf.tensor2d(randn('out', 15, 0.5), [5, 3]),
      ];
      return tf.grads((emb: Tensor, conv: Tensor, out: Tensor) => {
        const [ge, gc, go] = tf.grads((a: Tensor, b: Tensor, c: Tensor) => inner(a, b, c, toks, y))([
          emb,
          conv,
          out,
        ]) as [Tensor, Tensor, Tensor];
        return inner(
          tf.sub(emb, tf.mul(ge, 0.5)),
          tf.sub(conv, tf.mul(gc, 0.5)),
          tf.sub(out, tf.mul(go, 0.5)),
          toks,
          y,
        );
      })(p);
    };
    await tf.setBackend('cpu');
    const wasm = await valuesOn('wasm', run);
    const cpu = await valuesOn('cpu', run);
    tf.dispose([tokens, labels]);
    for (const [i, g] of wasm.entries()) expect(maxRelDiff(g, cpu[i] as Float32Array)).toBeLessThan(1e-5);
  });
});

describe('memory', () => {
  it('tf.memory().numTensors is flat after repeated gradient calls on wasm', async () => {
    await tf.setBackend('wasm');
    const c = cases.find((x) => x.name === 'conv1d same stride 1') as Case;
    const e = cases.find((x) => x.name === 'embedding lookup with repeated ids') as Case;
    const step = () => tf.tidy(() => [...gradients(c), ...gradients(e)].map((g) => tf.sum(g).dataSync()[0]));
    step(); // warm-up (kernel setup, caches)
    const before = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) step();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('numTensors is flat after repeated second-order gradient calls on wasm', async () => {
    await tf.setBackend('wasm');
    const w = tf.tensor2d(randn('mem-w', 12), [3, 4]);
    const x = tf.tensor2d(randn('mem-x', 6), [2, 3]);
    const step = () =>
      tf.tidy(() => {
        const g2 = tf.grad((v: Tensor) => {
          const g = tf.grad((u: Tensor) => tf.sum(tf.logSoftmax(tf.tanh(tf.matMul(x, u)))))(v);
          return tf.sum(tf.square(g));
        })(w);
        return tf.sum(g2).dataSync()[0];
      });
    step();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) step();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([w, x]);
  });
});
