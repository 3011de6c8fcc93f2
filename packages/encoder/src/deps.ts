/** The @nerima/core functions this package uses, in one place. */
import { readFile } from 'node:fs/promises';
import { deserializeWeights, type LoadedWeights, type WeightsExpectation } from '@nerima/core';

export { createRng, initBackend, type Rng, readLines, saveWeights, writeFileAtomic } from '@nerima/core';

/**
 * core's loadWeights, reading the file into a plain Uint8Array first: `Buffer#slice` shares memory,
 * so decoding slices of a Node Buffer (as core 0.1.0 does) yields wrong tensor lengths.
 */
export async function loadWeights<C = unknown>(
  path: string,
  expect: WeightsExpectation,
): Promise<LoadedWeights<C>> {
  let buf: Buffer;
  try {
    buf = await readFile(path);
  } catch (e) {
    throw new Error(`loadWeights: cannot read ${path}: ${e instanceof Error ? e.message : String(e)}`);
  }
  return deserializeWeights<C>(
    new Uint8Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength)),
    expect,
    path,
  );
}
