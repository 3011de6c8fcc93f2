/**
 * Training batches of name pairs. A share of batches is "hard": all pairs of one entity type, half
 * of them a run of neighbours in the type's list sorted by Japanese name (shared prefixes: the same
 * surname, the same city), so the in-batch negatives are names a model confuses.
 */
import type { Rng } from '@nerima/core';
import type { NamePair } from './kb.js';

/** Options of {@link PairSampler}. */
export interface SamplerOptions {
  batchSize: number;
  /** Share of hard (single-type, neighbour-run) batches, 0..1. */
  hardFraction: number;
}

/** Draws batches of distinct pairs; deterministic for a given RNG. */
export class PairSampler {
  private readonly order: number[];
  private cursor = 0;
  /** Pair indices per type, each sorted by Japanese name. */
  private readonly byType: number[][];
  private readonly typeWeights: number[];
  /** Full passes over the pairs made by the random batches. */
  epochs = 0;

  constructor(
    private readonly pairs: readonly NamePair[],
    private readonly options: SamplerOptions,
    private readonly rng: Rng,
  ) {
    if (pairs.length < 2) throw new Error(`PairSampler: needs at least 2 pairs, got ${pairs.length}`);
    if (!Number.isInteger(options.batchSize) || options.batchSize < 2)
      throw new Error(`PairSampler: batchSize must be an integer ≥ 2, got ${options.batchSize}`);
    this.order = rng.shuffle(pairs.map((_, i) => i));
    const groups = new Map<string, number[]>();
    pairs.forEach((p, i) => {
      const t = p.type ?? '';
      const g = groups.get(t) ?? [];
      groups.set(t, g);
      g.push(i);
    });
    const cmp = (a: number, b: number) => {
      const x = pairs[a] as NamePair;
      const y = pairs[b] as NamePair;
      return x.jaKey < y.jaKey ? -1 : x.jaKey > y.jaKey ? 1 : a - b;
    };
    this.byType = [...groups.keys()]
      .sort()
      .map((t) => (groups.get(t) as number[]).sort(cmp))
      .filter((g) => g.length >= 2);
    this.typeWeights = this.byType.map((g) => g.length);
  }

  /** The next batch: `min(batchSize, pairs)` distinct pairs. */
  next(): NamePair[] {
    const size = Math.min(this.options.batchSize, this.pairs.length);
    const taken = new Set<number>();
    if (this.byType.length > 0 && this.rng.next() < this.options.hardFraction) this.hard(size, taken);
    while (taken.size < size) {
      if (this.cursor >= this.order.length) {
        this.rng.shuffle(this.order);
        this.cursor = 0;
        this.epochs++;
      }
      taken.add(this.order[this.cursor++] as number);
    }
    return [...taken].map((i) => this.pairs[i] as NamePair);
  }

  private hard(size: number, taken: Set<number>): void {
    const total = this.typeWeights.reduce((a, b) => a + b, 0);
    let r = this.rng.next() * total;
    let g = this.byType[0] as number[];
    for (let k = 0; k < this.byType.length; k++) {
      r -= this.typeWeights[k] as number;
      if (r < 0) {
        g = this.byType[k] as number[];
        break;
      }
    }
    if (g.length <= size) {
      for (const i of g) taken.add(i);
      return;
    }
    const run = Math.floor(size / 2);
    const start = this.rng.int(g.length - run + 1);
    for (let k = 0; k < run; k++) taken.add(g[start + k] as number);
    // the other half: random pairs of the same type
    let guard = 0;
    while (taken.size < size && guard++ < size * 20) taken.add(g[this.rng.int(g.length)] as number);
  }
}
