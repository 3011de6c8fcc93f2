/**
 * Gradients of element-wise kernels: unary math, activations and broadcasting binary arithmetic.
 * Ported from TensorFlow.js 4.22.0 (Apache-2.0); changes are marked "nerima:".
 */

import type { ClipByValueAttrs, GradConfig, LeakyReluAttrs, Tensor } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';
import { attrsOf, broadcastShape, f32, saved, single, sumToShape, zerosF32 } from './util.js';

const SELU_SCALEALPHA = 1.7580993408473766;
const SELU_SCALE = 1.0507009873554805;

/** A unary kernel whose gradient is `f(dy, x)` with `x` the saved input. */
function unaryX(kernelName: string, f: (dy: Tensor, x: Tensor) => Tensor): GradConfig {
  return {
    kernelName,
    inputsToSave: ['x'],
    gradFunc: (dy, s) => {
      const g = single(dy, kernelName);
      const x = saved(s, 0, kernelName);
      return { x: () => f(g, x) };
    },
  };
}

/** A unary kernel whose gradient is `f(dy, y)` with `y` the saved output. */
function unaryY(kernelName: string, f: (dy: Tensor, y: Tensor) => Tensor): GradConfig {
  return {
    kernelName,
    outputsToSave: [true],
    gradFunc: (dy, s) => {
      const g = single(dy, kernelName);
      const y = saved(s, 0, kernelName);
      return { x: () => f(g, y) };
    },
  };
}

/** A piecewise-constant unary kernel: zero gradient. */
function zeroUnary(kernelName: string): GradConfig {
  return { kernelName, gradFunc: (dy) => ({ x: () => tf.zerosLike(single(dy, kernelName)) }) };
}

/**
 * nerima: a comparison / logical kernel (bool output). TensorFlow.js registers only
 * GreaterEqual; without a gradient for the others, any tape path through e.g.
 * `cast(greater(x, 0))` (masks built from x, second-order gradients of relu6) throws
 * "gradient function not found". Gradients must be float32, so zeros are float32.
 */
function zeroBinary(kernelName: string): GradConfig {
  return {
    kernelName,
    inputsToSave: ['a', 'b'],
    gradFunc: (_dy, s) => {
      const a = saved(s, 0, kernelName);
      const b = saved(s, 1, kernelName);
      return { a: () => zerosF32(a), b: () => zerosF32(b) };
    },
  };
}

/** A binary broadcasting kernel with gradients `fa(dy, a, b)` and `fb(dy, a, b)` before unbroadcasting. */
function binary(
  kernelName: string,
  fa: (dy: Tensor, a: Tensor, b: Tensor, y: Tensor | undefined) => Tensor,
  fb: (dy: Tensor, a: Tensor, b: Tensor, y: Tensor | undefined) => Tensor,
  saveOutput = false,
): GradConfig {
  return {
    kernelName,
    inputsToSave: ['a', 'b'],
    ...(saveOutput ? { outputsToSave: [true] } : {}),
    gradFunc: (dy, s) => {
      const g = single(dy, kernelName);
      const a = saved(s, 0, kernelName);
      const b = saved(s, 1, kernelName);
      const y = saveOutput ? saved(s, 2, kernelName) : undefined;
      const outShape = broadcastShape(a, b);
      return {
        a: () => sumToShape(fa(g, a, b, y), a.shape, outShape),
        b: () => sumToShape(fb(g, a, b, y), b.shape, outShape),
      };
    },
  };
}

const one = (): Tensor => tf.scalar(1);

export const elementwiseGradients: GradConfig[] = [
  // --- unary math
  unaryX('Abs', (dy, x) => tf.mul(dy, tf.step(f32(x), -1))),
  unaryX('Acos', (dy, x) => tf.neg(tf.div(dy, tf.sqrt(tf.sub(one(), tf.square(f32(x))))))),
  unaryX('Acosh', (dy, x) => tf.div(dy, tf.sqrt(tf.sub(tf.square(f32(x)), 1)))),
  unaryX('Asin', (dy, x) => tf.div(dy, tf.sqrt(tf.sub(one(), tf.square(f32(x)))))),
  unaryX('Asinh', (dy, x) => tf.div(dy, tf.sqrt(tf.add(one(), tf.square(f32(x)))))),
  unaryX('Atan', (dy, x) => tf.div(dy, tf.add(tf.square(f32(x)), 1))),
  unaryX('Atanh', (dy, x) => tf.div(dy, tf.sub(one(), tf.square(f32(x))))),
  unaryX('Cos', (dy, x) => tf.mul(tf.neg(tf.sin(f32(x))), dy)),
  unaryX('Cosh', (dy, x) => tf.mul(tf.sinh(f32(x)), dy)),
  unaryX('Sin', (dy, x) => tf.mul(tf.cos(f32(x)), dy)),
  unaryX('Sinh', (dy, x) => tf.mul(tf.cosh(f32(x)), dy)),
  unaryX('Tan', (dy, x) => tf.div(dy, tf.square(tf.cos(x)))),
  // nerima: the coefficient is computed inside the thunk (upstream computed it eagerly).
  unaryX('Erf', (dy, x) => tf.mul(dy, tf.mul(tf.exp(tf.neg(tf.square(x))), 2 / Math.sqrt(Math.PI)))),
  unaryY('Exp', (dy, y) => tf.mul(dy, y)),
  unaryX('Expm1', (dy, x) => tf.mul(dy, tf.exp(x))),
  unaryX('Log', (dy, x) => tf.div(dy, f32(x))),
  unaryX('Log1p', (dy, x) => tf.div(dy, tf.add(x, 1))),
  { kernelName: 'Neg', gradFunc: (dy) => ({ x: () => tf.neg(single(dy, 'Neg')) }) },
  unaryX('Reciprocal', (dy, x) => tf.div(dy, tf.neg(tf.square(x)))),
  unaryX('Rsqrt', (dy, x) => tf.neg(tf.div(dy, tf.mul(tf.pow(x, 1.5), 2)))),
  unaryX('Sqrt', (dy, x) => tf.div(dy, tf.mul(tf.sqrt(f32(x)), 2))),
  unaryX('Square', (dy, x) => tf.mul(dy, tf.mul(f32(x), 2))),
  zeroUnary('Ceil'),
  zeroUnary('Floor'),
  zeroUnary('Round'),
  zeroUnary('Sign'),
  zeroUnary('Step'),
  zeroUnary('IsFinite'),
  zeroUnary('IsInf'),
  zeroUnary('IsNan'),
  zeroUnary('OnesLike'),
  zeroUnary('ZerosLike'),
  { kernelName: 'Cast', gradFunc: (dy) => ({ x: () => single(dy, 'Cast').clone() }) },
  { kernelName: 'Identity', gradFunc: (dy) => ({ x: () => f32(single(dy, 'Identity')) }) },
  // nerima: LogicalNot has a bool input; its (zero) gradient keeps mask paths differentiable.
  {
    kernelName: 'LogicalNot',
    inputsToSave: ['x'],
    gradFunc: (_dy, s) => ({ x: () => zerosF32(saved(s, 0, 'LogicalNot')) }),
  },

  // --- activations
  unaryY('Sigmoid', (dy, y) => tf.mul(dy, tf.mul(y, tf.sub(one(), y)))),
  unaryY('Tanh', (dy, y) => tf.mul(tf.sub(one(), tf.square(y)), dy)),
  unaryX('Softplus', (dy, x) => tf.mul(dy, tf.sigmoid(x))),
  unaryX('Relu', (dy, x) => tf.mul(dy, f32(tf.step(x)))),
  unaryX('Relu6', (dy, x) => tf.mul(dy, tf.mul(f32(tf.lessEqual(x, 6)), f32(tf.step(x))))),
  // nerima: d elu/dx = 1 (y > 0) or y + 1, written with differentiable ops instead of the
  // EluGrad kernel (which has no gradient), so second-order gradients work.
  unaryY('Elu', (dy, y) => tf.where(tf.greater(y, 0), dy, tf.mul(dy, tf.add(y, 1)))),
  unaryX('Selu', (dy, x) =>
    tf.where(
      tf.greater(x, tf.scalar(0)),
      tf.mul(dy, tf.scalar(SELU_SCALE)),
      tf.mul(tf.mul(dy, tf.scalar(SELU_SCALEALPHA)), tf.exp(f32(x))),
    ),
  ),
  {
    kernelName: 'LeakyRelu',
    inputsToSave: ['x'],
    gradFunc: (dy, s, attrs) => {
      const g = single(dy, 'LeakyRelu');
      const x = saved(s, 0, 'LeakyRelu');
      const { alpha } = attrsOf<LeakyReluAttrs>(attrs);
      return { x: () => tf.where(tf.greater(x, 0), g, tf.mul(g, alpha)) };
    },
  },
  {
    kernelName: 'Prelu',
    inputsToSave: ['x', 'alpha'],
    gradFunc: (dy, s) => {
      const g = single(dy, 'Prelu');
      const x = saved(s, 0, 'Prelu');
      const alpha = saved(s, 1, 'Prelu');
      const mask = (): Tensor => tf.greater(x, 0);
      return {
        x: () => tf.where(mask(), g, tf.mul(g, alpha)),
        alpha: () => sumToShape(tf.where(mask(), tf.zerosLike(g), tf.mul(g, x)), alpha.shape, g.shape),
      };
    },
  },
  {
    kernelName: 'ClipByValue',
    inputsToSave: ['x'],
    gradFunc: (dy, s, attrs) => {
      const g = single(dy, 'ClipByValue');
      const x = saved(s, 0, 'ClipByValue');
      const { clipValueMin, clipValueMax } = attrsOf<ClipByValueAttrs>(attrs);
      return {
        x: () =>
          tf.where(
            tf.logicalAnd(tf.greaterEqual(x, clipValueMin), tf.lessEqual(x, clipValueMax)),
            g,
            tf.zerosLike(g),
          ),
      };
    },
  },

  // --- binary arithmetic (broadcasting)
  binary(
    'Add',
    (dy) => dy,
    (dy) => dy,
  ),
  binary(
    'Sub',
    (dy) => dy,
    (dy) => tf.neg(dy),
  ),
  binary(
    'Multiply',
    (dy, _a, b) => tf.mul(dy, f32(b)),
    (dy, a) => tf.mul(dy, f32(a)),
  ),
  binary(
    'RealDiv',
    (dy, _a, b) => tf.div(dy, f32(b)),
    (dy, a, b) => tf.neg(tf.div(tf.mul(dy, f32(a)), f32(tf.square(b)))),
  ),
  binary(
    'FloorDiv',
    (dy, _a, b) => tf.div(dy, f32(b)),
    (dy, a, b) => tf.neg(tf.div(tf.mul(dy, f32(a)), f32(tf.square(b)))),
  ),
  binary(
    'Mod',
    (dy) => dy,
    (dy, a, b) => tf.mul(dy, tf.neg(tf.floor(tf.div(a, b)))),
  ),
  binary(
    'SquaredDifference',
    (dy, a, b) => tf.mul(dy, tf.mul(tf.scalar(2), tf.sub(a, b))),
    (dy, a, b) => tf.mul(dy, tf.mul(tf.scalar(2), tf.sub(b, a))),
  ),
  binary(
    'Pow',
    (dy, a, b) => {
      const e = f32(b);
      return tf.mul(dy, tf.mul(e, tf.pow(a, tf.sub(e, tf.scalar(1)))));
    },
    (dy, a, _b, y) => {
      const logBase = tf.where(tf.greater(a, 0), tf.log(a), tf.zerosLike(a));
      return tf.mul(dy, tf.mul(y as Tensor, logBase));
    },
    true,
  ),
  binary(
    'Atan2',
    (dy, a, b) => tf.mul(dy, tf.div(b, tf.add(tf.square(a), tf.square(b)))),
    (dy, a, b) => tf.neg(tf.mul(dy, tf.div(a, tf.add(tf.square(a), tf.square(b))))),
  ),
  // nerima: Maximum/Minimum unbroadcast their gradients (upstream assumed equal shapes).
  binary(
    'Maximum',
    (dy, a, b) => tf.mul(dy, f32(tf.greaterEqual(a, b))),
    (dy, a, b) => tf.mul(dy, f32(tf.less(a, b))),
  ),
  binary(
    'Minimum',
    (dy, a, b) => tf.mul(dy, f32(tf.lessEqual(a, b))),
    (dy, a, b) => tf.mul(dy, f32(tf.greater(a, b))),
  ),
  {
    kernelName: 'AddN',
    saveAllInputs: true,
    gradFunc: (dy, s) => {
      const g = single(dy, 'AddN');
      return Object.fromEntries(s.map((_, i) => [String(i), () => g.clone()]));
    },
  },
  zeroBinary('Greater'),
  zeroBinary('GreaterEqual'),
  zeroBinary('Less'),
  zeroBinary('LessEqual'),
  zeroBinary('Equal'),
  zeroBinary('NotEqual'),
  zeroBinary('LogicalAnd'),
  zeroBinary('LogicalOr'),
];
