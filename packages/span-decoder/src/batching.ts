/** Length-bucketed batches: little padding, random order, reproducible from the RNG. */
import type { Rng } from '@nerima/core';

/**
 * Splits `lengths.length` items into batches of at most `batchSize`: shuffle, cut into pools of
 * `poolBatches` batches, sort each pool by length, cut into batches, shuffle the batch order.
 * Returns item indices per batch; consumes `rng`.
 */
export function bucketBatches(
  lengths: readonly number[],
  batchSize: number,
  rng: Rng,
  poolBatches = 50,
): number[][] {
  if (!Number.isInteger(batchSize) || batchSize <= 0)
    throw new RangeError(`bucketBatches: batchSize must be a positive integer, got ${batchSize}`);
  const idx = rng.shuffle(lengths.map((_, i) => i));
  const pool = batchSize * poolBatches;
  const batches: number[][] = [];
  for (let p = 0; p < idx.length; p += pool) {
    const chunk = idx
      .slice(p, p + pool)
      .sort((a, b) => (lengths[a] as number) - (lengths[b] as number) || a - b);
    for (let i = 0; i < chunk.length; i += batchSize) batches.push(chunk.slice(i, i + batchSize));
  }
  return rng.shuffle(batches);
}
