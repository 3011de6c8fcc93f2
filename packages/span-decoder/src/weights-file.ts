/** Reading weights files written by @nerima/core's saveWeights. */
import { readFile } from 'node:fs/promises';
import { deserializeWeights, type LoadedWeights, type WeightsExpectation } from '@nerima/core';

/**
 * Loads a weights file. Reads into a plain Uint8Array first: core's `loadWeights` passes Node's
 * pooled `Buffer`, whose `slice()` is a view, not a copy.
 */
export async function readWeightsFile<C = unknown>(
  path: string,
  expect: WeightsExpectation,
): Promise<LoadedWeights<C>> {
  let buf: Uint8Array;
  try {
    buf = new Uint8Array(await readFile(path));
  } catch (e) {
    throw new Error(`cannot read ${path}: ${e instanceof Error ? e.message : String(e)}`);
  }
  return deserializeWeights<C>(buf, expect, path);
}
