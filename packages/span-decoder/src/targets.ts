/**
 * Training targets for the joint loss, built in plain JS from gold entities: start labels per
 * position, multi-hot end labels for each gold start, and typed spans (gold + sampled negatives).
 */
import type { Entity, Rng } from '@nerima/core';
import type { SpanDecoderConfig } from './config.js';
import type { SpanIndex, StartIndex } from './forward.js';

/** Everything the joint loss needs besides the features. */
export interface SpanTargets {
  /** Start labels [B*T] (1 at gold starts). */
  startLabels: Float32Array;
  /** Start loss weights [B*T]: 0 on padding, `startPosWeight` at gold starts, 1 elsewhere. */
  startWeights: Float32Array;
  /** Distinct gold starts. */
  goldStarts: StartIndex;
  /** End labels [G*K]: 1 where `[start, start+k+1)` is a gold span. */
  endLabels: Float32Array;
  /** End weights [G*K]: 0 past the text end, `endPosWeight` on gold ends, 1 elsewhere. */
  endWeights: Float32Array;
  /** Spans for the type loss (gold first, then negatives). */
  typeSpans: SpanIndex;
  /** Their classes: 0 = none, i + 1 = `config.types[i]`. */
  typeLabels: Int32Array;
  /** Number of gold spans (in `typeSpans`) and of negatives. */
  numGold: number;
  numNegatives: number;
}

/**
 * Builds targets for a batch. Entities of types not in `config.types` are ignored (neither positive
 * nor sampled as negatives). Gold spans longer than `maxWidth` still train the start and type
 * scorers but cannot be produced by the end scorer.
 */
export function buildTargets(
  entities: readonly (readonly Entity[])[],
  lengths: readonly number[],
  T: number,
  config: SpanDecoderConfig,
  rng: Rng,
): SpanTargets {
  const B = lengths.length;
  const K = config.maxWidth;
  const typeIndex = new Map(config.types.map((t, i) => [t, i + 1]));
  const startLabels = new Float32Array(B * T);
  const startWeights = new Float32Array(B * T);
  const gsBatch: number[] = [];
  const gsStart: number[] = [];
  const endPos: number[][] = [];
  const spB: number[] = [];
  const spS: number[] = [];
  const spE: number[] = [];
  const spL: number[] = [];
  const negB: number[] = [];
  const negS: number[] = [];
  const negE: number[] = [];

  for (let b = 0; b < B; b++) {
    const len = lengths[b] as number;
    for (let t = 0; t < len; t++) startWeights[b * T + t] = 1;
    const all = entities[b] ?? [];
    const gold = all.filter((e) => typeIndex.has(e.type));
    // Every annotated span (known type or not) is excluded from the negatives.
    const goldKeys = new Set<number>(all.map((e) => e.start * (T + 1) + e.end));
    const startsHere = new Map<number, number[]>();
    for (const e of gold) {
      if (!(e.end > e.start && e.start >= 0 && e.end <= len)) {
        throw new RangeError(
          `buildTargets: row ${b}: entity [${e.start}, ${e.end}) ${e.type} is outside the text (length ${len})`,
        );
      }
      startLabels[b * T + e.start] = 1;
      startWeights[b * T + e.start] = config.startPosWeight;
      const ks = startsHere.get(e.start) ?? [];
      if (e.end - e.start <= K) ks.push(e.end - e.start - 1);
      startsHere.set(e.start, ks);
      spB.push(b);
      spS.push(e.start);
      spE.push(e.end);
      spL.push(typeIndex.get(e.type) as number);
    }
    for (const [s, ks] of [...startsHere.entries()].sort((x, y) => x[0] - y[0])) {
      gsBatch.push(b);
      gsStart.push(s);
      endPos.push(ks);
    }
    const wanted = Math.max(config.minNegatives, Math.round(config.negativeRatio * gold.length));
    const negs = sampleNegatives(gold, len, K, wanted, config.hardNegativeShare, goldKeys, T, rng);
    for (const [s, e] of negs) {
      negB.push(b);
      negS.push(s);
      negE.push(e);
    }
  }

  const G = gsBatch.length;
  const endLabels = new Float32Array(G * K);
  const endWeights = new Float32Array(G * K);
  for (let g = 0; g < G; g++) {
    const len = lengths[gsBatch[g] as number] as number;
    const s = gsStart[g] as number;
    for (let k = 0; k < K; k++) endWeights[g * K + k] = s + k + 1 <= len ? 1 : 0;
    for (const k of endPos[g] as number[]) {
      endLabels[g * K + k] = 1;
      endWeights[g * K + k] = config.endPosWeight;
    }
  }
  const numGold = spB.length;
  const numNegatives = negB.length;
  return {
    startLabels,
    startWeights,
    goldStarts: { batch: Int32Array.from(gsBatch), start: Int32Array.from(gsStart) },
    endLabels,
    endWeights,
    typeSpans: {
      batch: Int32Array.from([...spB, ...negB]),
      start: Int32Array.from([...spS, ...negS]),
      end: Int32Array.from([...spE, ...negE]),
    },
    typeLabels: Int32Array.from([...spL, ...new Array<number>(numNegatives).fill(0)]),
    numGold,
    numNegatives,
  };
}

/**
 * Samples up to `count` distinct non-gold spans of width ≤ maxWidth in a text of length `len`.
 * A `hardShare` of them are near misses of a gold span (same start or same end with another width,
 * or shifted by one or two characters); the rest are uniform (start uniform, width uniform).
 */
export function sampleNegatives(
  gold: readonly Entity[],
  len: number,
  maxWidth: number,
  count: number,
  hardShare: number,
  goldKeys: ReadonlySet<number>,
  T: number,
  rng: Rng,
): Array<[number, number]> {
  if (len <= 0 || count <= 0) return [];
  // Total spans of width ≤ K: cap the request so tiny texts terminate.
  let total = 0;
  for (let s = 0; s < len; s++) total += Math.min(maxWidth, len - s);
  const target = Math.min(count, total - goldKeys.size);
  const out: Array<[number, number]> = [];
  const seen = new Set<number>(goldKeys);
  const tryAdd = (s: number, e: number): void => {
    if (s < 0 || e > len || e <= s || e - s > maxWidth) return;
    const key = s * (T + 1) + e;
    if (seen.has(key)) return;
    seen.add(key);
    out.push([s, e]);
  };
  const hardWanted = gold.length > 0 ? Math.round(target * hardShare) : 0;
  for (let attempt = 0; out.length < hardWanted && attempt < hardWanted * 10; attempt++) {
    const g = rng.pick(gold);
    const w = g.end - g.start;
    switch (rng.int(3)) {
      case 0: // same start, other width
        tryAdd(g.start, g.start + 1 + rng.int(Math.min(maxWidth, len - g.start)));
        break;
      case 1: // same end, other width
        tryAdd(g.end - 1 - rng.int(Math.min(maxWidth, g.end)), g.end);
        break;
      default: {
        // shifted by ±1 or ±2, same width
        const shift = (rng.int(2) + 1) * (rng.int(2) === 0 ? -1 : 1);
        tryAdd(g.start + shift, g.start + shift + w);
      }
    }
  }
  for (let attempt = 0; out.length < target && attempt < target * 20; attempt++) {
    const s = rng.int(len);
    tryAdd(s, s + 1 + rng.int(Math.min(maxWidth, len - s)));
  }
  return out;
}
