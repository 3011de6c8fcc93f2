/** Loads a subword-vectors file (Node.js). */
import { readFile } from 'node:fs/promises';
import { SubwordVectors } from './vectors.js';

/** Reads `models/vectors/vectors.bin` (or another file written by the vectors CLI). */
export async function loadSubwordVectors(path: string): Promise<SubwordVectors> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (e) {
    throw new Error(`loadSubwordVectors: cannot read ${path}: ${e instanceof Error ? e.message : String(e)}`);
  }
  return SubwordVectors.fromBytes(bytes, path);
}
