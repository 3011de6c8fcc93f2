/**
 * Named parameters as plain tensors, so every forward is `(params, inputs) → outputs` and MAML can
 * pass fast weights (tensors derived from the variables) under the same names as the variables.
 */
import type { Rng } from '@nerima/core';
import * as tf from '@tensorflow/tfjs-core';

/** Named parameters: `tf.Variable`s (slow weights) or tensors of the same shapes (fast weights). */
export type ParamMap = ReadonlyMap<string, tf.Tensor>;

/** `params.get(name)`, or an error naming the missing parameter and what is there. */
export function param<T extends tf.Tensor = tf.Tensor>(params: ParamMap, name: string): T {
  const t = params.get(name);
  if (t === undefined) {
    throw new Error(
      `meta-core: parameter "${name}" is missing (have: ${[...params.keys()].join(', ') || 'none'}); pass the learner's variables or fast weights with the same names`,
    );
  }
  return t as T;
}

/** Glorot-uniform values [fanIn, fanOut] from a seeded generator. */
export function glorot(rng: Rng, fanIn: number, fanOut: number): Float32Array {
  const limit = Math.sqrt(6 / (fanIn + fanOut));
  const out = new Float32Array(fanIn * fanOut);
  for (let i = 0; i < out.length; i++) out[i] = (rng.next() * 2 - 1) * limit;
  return out;
}

/** `x · w + b` over the last axis of x (rank ≥ 2); no transpose flags (slow on wasm). */
export function dense(params: ParamMap, name: string, x: tf.Tensor, withBias = true): tf.Tensor {
  const w = param<tf.Tensor2D>(params, `${name}.w`);
  const lead = x.shape.slice(0, -1);
  const inDim = x.shape[x.shape.length - 1] as number;
  const y2 = tf.matMul(tf.reshape(x, [-1, inDim]) as tf.Tensor2D, w);
  const y = withBias ? tf.add(y2, param(params, `${name}.b`)) : y2;
  return tf.reshape(y, [...lead, w.shape[1] as number]);
}

let counter = 0;

/**
 * A process-unique tfjs variable name for parameter `name` (tfjs refuses two live variables with one
 * name, and several models may live in one process); maps stay keyed by the plain `name`.
 */
export function uniqueVariableName(name: string): string {
  counter += 1;
  return `meta/${name}/${counter}`;
}

/** A trainable variable holding a copy of `values`, under a unique tfjs name. */
export function makeVariable(name: string, values: Float32Array, shape: number[]): tf.Variable {
  return tf.tidy(() => tf.variable(tf.tensor(values, shape, 'float32'), true, uniqueVariableName(name)));
}

/** Creates named variables into `vars` (Glorot matrices, zero biases). */
export class Builder {
  constructor(
    readonly vars: Map<string, tf.Variable>,
    private readonly rng: Rng,
  ) {}

  add(name: string, values: Float32Array, shape: number[]): void {
    if (this.vars.has(name)) throw new Error(`meta-core: duplicate variable name ${name}`);
    this.vars.set(name, makeVariable(name, values, shape));
  }

  dense(name: string, fanIn: number, fanOut: number, withBias = true): void {
    this.add(`${name}.w`, glorot(this.rng, fanIn, fanOut), [fanIn, fanOut]);
    if (withBias) this.add(`${name}.b`, new Float32Array(fanOut), [fanOut]);
  }

  constant(name: string, shape: number[], value: number): void {
    this.add(name, new Float32Array(shape.reduce((a, b) => a * b, 1)).fill(value), shape);
  }
}

/** Serialisable copy of a parameter map: name → { shape, data: base64 of little-endian float32 }. */
export interface ParamSnapshot {
  [name: string]: { shape: number[]; data: string };
}

interface NodeBuffer {
  from(
    data: ArrayBufferLike | string,
    a?: number | string,
    b?: number,
  ): { toString(enc: string): string; buffer: ArrayBufferLike; byteOffset: number; byteLength: number };
}
const NodeBuf = (globalThis as { Buffer?: NodeBuffer }).Buffer;

/** Float32 values → base64 (little-endian, as typed arrays are on every supported platform). */
export function encodeFloats(values: Float32Array): string {
  const bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  if (NodeBuf) return NodeBuf.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
  let bin = '';
  for (let i = 0; i < bytes.length; i++) bin += String.fromCharCode(bytes[i] as number);
  return btoa(bin);
}

/** base64 → Float32 values; `where` names the source in errors. */
export function decodeFloats(data: string, where: string): Float32Array {
  let bytes: Uint8Array;
  if (NodeBuf) {
    const b = NodeBuf.from(data, 'base64');
    bytes = new Uint8Array(b.byteLength);
    bytes.set(new Uint8Array(b.buffer, b.byteOffset, b.byteLength));
  } else {
    const bin = atob(data);
    bytes = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  }
  if (bytes.length % 4 !== 0)
    throw new Error(`${where}: float data has ${bytes.length} bytes, not a multiple of 4`);
  return new Float32Array(bytes.buffer, 0, bytes.length / 4);
}

/** Reads every tensor of `params` into a snapshot. */
export function snapshot(params: ParamMap): ParamSnapshot {
  const out: ParamSnapshot = {};
  for (const [name, t] of params)
    out[name] = { shape: t.shape.slice(), data: encodeFloats(t.dataSync() as Float32Array) };
  return out;
}

/**
 * Assigns a snapshot to existing variables. Every variable must be present with the same shape;
 * `where` names the source in errors (a file path, say).
 */
export function restore(vars: ReadonlyMap<string, tf.Variable>, snap: ParamSnapshot, where: string): void {
  for (const [name, v] of vars) {
    const s = snap[name];
    if (!s)
      throw new Error(
        `${where}: parameter "${name}" is missing; the file was saved by a different model config`,
      );
    if (s.shape.length !== v.shape.length || s.shape.some((d, i) => d !== v.shape[i])) {
      throw new Error(
        `${where}: parameter "${name}" has shape [${s.shape}] but the model expects [${v.shape}]; use the config the file was saved with`,
      );
    }
    const values = decodeFloats(s.data, `${where}: parameter "${name}"`);
    if (values.length !== v.size)
      throw new Error(`${where}: parameter "${name}" has ${values.length} values, expected ${v.size}`);
    tf.tidy(() => v.assign(tf.tensor(values, s.shape, 'float32')));
  }
}

/** Disposes every tensor of a map (fast weights, gradients). */
export function disposeMap(m: ReadonlyMap<string, tf.Tensor> | undefined): void {
  if (m) for (const t of m.values()) t.dispose();
}
