/**
 * The weights file format shared by all nerima model packages: one binary file holding a JSON
 * header (model format name, version, config, tensor table) and the tensor data.
 *
 * Layout (little-endian):
 *
 * | bytes      | content                                                            |
 * |------------|--------------------------------------------------------------------|
 * | 0..7       | magic `NERIMAWT`                                                    |
 * | 8..11      | uint32 container version (1)                                        |
 * | 12..15     | uint32 byte length H of the JSON header                             |
 * | 16..16+H   | UTF-8 JSON {@link WeightsHeader}                                    |
 * | then       | zero padding to a multiple of 8, then tensor data; each tensor's   |
 * |            | `offset` is relative to the data start and a multiple of 8         |
 *
 * float32 tensors are stored as float32 or, with `dtype: 'float16'`, as IEEE half floats
 * (relative error ≤ 2^-11 in the normal range; loaded back as float32). int32 and bool tensors are
 * always stored exactly.
 */

import type { DataType, Tensor } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';
import { decodeFloat16, encodeFloat16 } from './float16.js';
import { importOptional } from './runtime.js';

/** The 8 magic bytes at the start of every weights file. */
export const WEIGHTS_MAGIC = 'NERIMAWT';
/** Version of the container layout (not of the model format, which is `meta.version`). */
export const WEIGHTS_CONTAINER_VERSION = 1;

/** Tensors to save: a Map or a plain object, name → tensor. */
export type NamedTensors = Map<string, Tensor> | Record<string, Tensor>;

/** Stored element type of one tensor. */
export type StoredDtype = 'float32' | 'float16' | 'int32' | 'bool';

/** Model-level metadata written into the header. */
export interface WeightsMeta {
  /** Model format name, e.g. `nerima-encoder`. Checked on load. */
  format: string;
  /** Model format version (an integer). Checked on load. */
  version: number;
  /** The model's config (JSON-serialisable), returned by the loader as is. */
  config: unknown;
  /** Storage type of float32 tensors. Default `float32` (exact). */
  dtype?: 'float32' | 'float16';
}

/** What the loader expects; any difference is an error that names it. */
export interface WeightsExpectation {
  format: string;
  version: number;
  /** Tensors that must be present, with their shapes. Extra tensors in the file are allowed. */
  shapes?: Record<string, number[]>;
}

/** One entry of the header's tensor table. */
export interface WeightsTensorEntry {
  name: string;
  shape: number[];
  /** Stored type; float16 tensors load as float32. */
  dtype: StoredDtype;
  /** Byte offset from the start of the data section. */
  offset: number;
  byteLength: number;
}

/** The JSON header of a weights file. */
export interface WeightsHeader {
  format: string;
  version: number;
  config: unknown;
  tensors: WeightsTensorEntry[];
}

/** A loaded weights file. The caller owns (and must dispose) the tensors. */
export interface LoadedWeights<C = unknown> {
  tensors: Map<string, Tensor>;
  config: C;
  format: string;
  version: number;
}

const PREFIX_BYTES = 16;
const ALIGN = 8;

function align(n: number): number {
  return Math.ceil(n / ALIGN) * ALIGN;
}

function assertLittleEndian(): void {
  if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) {
    throw new Error('nerima weights: big-endian platforms are not supported');
  }
}

function entriesOf(tensors: NamedTensors): [string, Tensor][] {
  return tensors instanceof Map ? [...tensors.entries()] : Object.entries(tensors);
}

function shapeText(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

function storedBytes(values: tf.TypedArray, stored: StoredDtype): Uint8Array {
  if (stored === 'float16') {
    const bits = encodeFloat16(values);
    return new Uint8Array(bits.buffer, bits.byteOffset, bits.byteLength);
  }
  return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
}

/**
 * Serialises tensors and metadata into the weights format (for browsers, or to store elsewhere).
 * Reads tensor data asynchronously; does not dispose the tensors.
 */
export async function serializeWeights(tensors: NamedTensors, meta: WeightsMeta): Promise<Uint8Array> {
  assertLittleEndian();
  if (!Number.isInteger(meta.version))
    throw new Error(`serializeWeights: meta.version must be an integer, got ${meta.version}`);
  const half = meta.dtype === 'float16';
  const entries: WeightsTensorEntry[] = [];
  const blobs: Uint8Array[] = [];
  let offset = 0;
  for (const [name, t] of entriesOf(tensors)) {
    const dtype: DataType = t.dtype;
    let stored: StoredDtype;
    if (dtype === 'float32') stored = half ? 'float16' : 'float32';
    else if (dtype === 'int32' || dtype === 'bool') stored = dtype;
    else
      throw new Error(
        `serializeWeights: tensor '${name}' has dtype ${dtype}; only float32, int32 and bool are stored`,
      );
    const values = (await t.data()) as tf.TypedArray;
    const bytes = storedBytes(values, stored);
    entries.push({ name, shape: [...t.shape], dtype: stored, offset, byteLength: bytes.byteLength });
    blobs.push(bytes);
    offset = align(offset + bytes.byteLength);
  }
  const header: WeightsHeader = {
    format: meta.format,
    version: meta.version,
    config: meta.config,
    tensors: entries,
  };
  const json = JSON.stringify(header);
  if (json === undefined) throw new Error('serializeWeights: header is not JSON-serialisable');
  const headerBytes = new TextEncoder().encode(json);
  const dataStart = align(PREFIX_BYTES + headerBytes.byteLength);
  const out = new Uint8Array(dataStart + offset);
  out.set(new TextEncoder().encode(WEIGHTS_MAGIC), 0);
  const view = new DataView(out.buffer);
  view.setUint32(8, WEIGHTS_CONTAINER_VERSION, true);
  view.setUint32(12, headerBytes.byteLength, true);
  out.set(headerBytes, PREFIX_BYTES);
  entries.forEach((e, i) => {
    out.set(blobs[i] as Uint8Array, dataStart + e.offset);
  });
  return out;
}

/** Reads and checks the header of a serialised weights buffer. `source` names it in errors. */
export function readWeightsHeader(
  bytes: Uint8Array,
  source = 'weights buffer',
): { header: WeightsHeader; dataStart: number } {
  const magic = new TextDecoder().decode(bytes.subarray(0, 8));
  if (bytes.byteLength < PREFIX_BYTES || magic !== WEIGHTS_MAGIC) {
    throw new Error(
      `${source} is not a nerima weights file (it does not start with the bytes '${WEIGHTS_MAGIC}')`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const container = view.getUint32(8, true);
  if (container !== WEIGHTS_CONTAINER_VERSION) {
    throw new Error(
      `${source} uses weights container version ${container}; this @nerima/core reads version ${WEIGHTS_CONTAINER_VERSION}: upgrade @nerima/core`,
    );
  }
  const headerLength = view.getUint32(12, true);
  if (PREFIX_BYTES + headerLength > bytes.byteLength) {
    throw new Error(
      `${source}: header (${headerLength} bytes) runs past the end of the file (${bytes.byteLength} bytes): file truncated?`,
    );
  }
  let header: WeightsHeader;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(PREFIX_BYTES, PREFIX_BYTES + headerLength)));
  } catch (e) {
    throw new Error(`${source}: header is not valid JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  if (
    typeof header?.format !== 'string' ||
    typeof header.version !== 'number' ||
    !Array.isArray(header.tensors)
  ) {
    throw new Error(`${source}: header lacks format/version/tensors`);
  }
  return { header, dataStart: align(PREFIX_BYTES + headerLength) };
}

function decodeEntry(bytes: Uint8Array, start: number, e: WeightsTensorEntry, source: string): tf.TypedArray {
  const size = e.shape.reduce((p, c) => p * c, 1);
  const width = e.dtype === 'float16' ? 2 : e.dtype === 'bool' ? 1 : 4;
  if (e.byteLength !== size * width) {
    throw new Error(
      `${source}: tensor '${e.name}' holds ${e.byteLength} bytes, but shape ${shapeText(e.shape)} as ${e.dtype} needs ${size * width}`,
    );
  }
  const from = start + e.offset;
  if (from + e.byteLength > bytes.byteLength) {
    throw new Error(
      `${source}: tensor '${e.name}' lies past the end of the file (${bytes.byteLength} bytes): file truncated?`,
    );
  }
  // Copy into a fresh, aligned buffer (the source may be at any byte offset, and Node's
  // Buffer#slice would return a view of its shared pool rather than a copy).
  const copyBytes = new Uint8Array(e.byteLength);
  copyBytes.set(bytes.subarray(from, from + e.byteLength));
  const copy = copyBytes.buffer;
  if (e.dtype === 'float16') return decodeFloat16(new Uint16Array(copy));
  if (e.dtype === 'float32') return new Float32Array(copy);
  if (e.dtype === 'int32') return new Int32Array(copy);
  if (e.dtype === 'bool') return new Uint8Array(copy);
  throw new Error(`${source}: tensor '${e.name}' has unknown stored dtype '${String(e.dtype)}'`);
}

/**
 * Parses a serialised weights buffer, checking format, version and (if given) shapes, and creates
 * the tensors on the current backend (call `initBackend()` first). `source` names the buffer in
 * errors (a file path, a URL).
 */
export function deserializeWeights<C = unknown>(
  bytes: Uint8Array,
  expect: WeightsExpectation,
  source = 'weights buffer',
): LoadedWeights<C> {
  assertLittleEndian();
  const { header, dataStart } = readWeightsHeader(bytes, source);
  if (header.format !== expect.format || header.version !== expect.version) {
    throw new Error(
      `${source} has format ${header.format} v${header.version}, expected ${expect.format} v${expect.version}`,
    );
  }
  const byName = new Map(header.tensors.map((e) => [e.name, e]));
  for (const [name, shape] of Object.entries(expect.shapes ?? {})) {
    const e = byName.get(name);
    if (e === undefined) {
      const have = header.tensors.map((t) => t.name);
      throw new Error(
        `${source}: tensor '${name}' (shape ${shapeText(shape)}) is missing; the file has ${have.length} tensors: ${have.slice(0, 20).join(', ')}${have.length > 20 ? ', …' : ''}`,
      );
    }
    if (!tf.util.arraysEqual(e.shape, shape)) {
      throw new Error(
        `${source}: tensor '${name}' has shape ${shapeText(e.shape)}, expected ${shapeText(shape)}`,
      );
    }
  }
  const decoded = header.tensors.map((e) => [e, decodeEntry(bytes, dataStart, e, source)] as const);
  const tensors = new Map<string, Tensor>();
  for (const [e, values] of decoded) {
    const dtype: DataType = e.dtype === 'float16' ? 'float32' : e.dtype;
    tensors.set(e.name, tf.tensor(values, e.shape, dtype));
  }
  return { tensors, config: header.config as C, format: header.format, version: header.version };
}

/**
 * Writes tensors and metadata to `path` as one weights file, atomically (temporary file in the
 * same directory, then rename): readers never see a partial file. Node.js only.
 *
 * @example
 * await saveWeights('model/encoder.nrw', { 'emb/w': emb }, { format: 'nerima-encoder', version: 1, config, dtype: 'float16' });
 */
export async function saveWeights(path: string, tensors: NamedTensors, meta: WeightsMeta): Promise<void> {
  const bytes = await serializeWeights(tensors, meta);
  // `#atomic` is ../atomic.ts, or a stand-in that throws in browser builds (package.json "imports").
  const { writeFileAtomic } = await import('#atomic');
  await writeFileAtomic(path, bytes);
}

/**
 * Reads a weights file written by {@link saveWeights}, checking format, version and shapes; errors
 * name the file and what differs. Node.js only (use {@link deserializeWeights} in browsers).
 *
 * @example
 * const { tensors, config } = await loadWeights<EncoderConfig>('model/encoder.nrw', { format: 'nerima-encoder', version: 1 });
 */
export async function loadWeights<C = unknown>(
  path: string,
  expect: WeightsExpectation,
): Promise<LoadedWeights<C>> {
  const { readFile } = await importOptional<typeof import('node:fs/promises')>('node:fs/promises');
  let buf: Uint8Array;
  try {
    buf = await readFile(path);
  } catch (e) {
    throw new Error(`loadWeights: cannot read ${path}: ${e instanceof Error ? e.message : String(e)}`);
  }
  return deserializeWeights<C>(buf, expect, path);
}
