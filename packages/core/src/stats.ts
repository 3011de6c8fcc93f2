/** Corpus statistics: sentence and entity counts, entity length distribution. */
import type { EntityType, Sentence } from './types.js';

/** Summary of a list of lengths (UTF-16 code units). Percentiles use the nearest-rank method. */
export interface LengthSummary {
  count: number;
  /** 0 for an empty list, like every other field. */
  mean: number;
  min: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

/** What {@link datasetStats} returns. */
export interface DatasetStats {
  sentences: number;
  sentencesWithoutEntities: number;
  entities: number;
  /** Mentions per type, most frequent first (ties by name). */
  perType: Record<EntityType, number>;
  /** Sentences containing at least one mention of the type. */
  sentencesPerType: Record<EntityType, number>;
  /** Entity lengths in UTF-16 code units. */
  entityLength: LengthSummary;
  /** Sentence text lengths in UTF-16 code units. */
  textLength: LengthSummary;
  /** Entities that overlap (nest in or cross) another entity of the same sentence. */
  overlappingEntities: number;
}

/** Nearest-rank percentile of an ascending list (`p` in [0, 100]); 0 for an empty list. */
export function percentile(sortedAscending: readonly number[], p: number): number {
  const n = sortedAscending.length;
  if (n === 0) return 0;
  const rank = Math.max(1, Math.ceil((p / 100) * n));
  return sortedAscending[Math.min(n, rank) - 1] as number;
}

/** {@link LengthSummary} of any list of numbers. */
export function lengthSummary(values: readonly number[]): LengthSummary {
  const sorted = [...values].sort((a, b) => a - b);
  const n = sorted.length;
  if (n === 0) return { count: 0, mean: 0, min: 0, p50: 0, p90: 0, p99: 0, max: 0 };
  let sum = 0;
  for (const v of sorted) sum += v;
  return {
    count: n,
    mean: sum / n,
    min: sorted[0] as number,
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    max: sorted[n - 1] as number,
  };
}

function sortedRecord(counts: Map<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))) {
    out[k] = v;
  }
  return out;
}

function countOverlapping(s: Sentence): number {
  const es = [...s.entities].sort((a, b) => a.start - b.start || b.end - a.end);
  const hit = new Array<boolean>(es.length).fill(false);
  for (let i = 0; i < es.length; i++) {
    const a = es[i] as (typeof es)[number];
    for (let j = i + 1; j < es.length; j++) {
      const b = es[j] as (typeof es)[number];
      if (b.start >= a.end) break;
      hit[i] = true;
      hit[j] = true;
    }
  }
  return hit.filter(Boolean).length;
}

/**
 * Counts for a corpus.
 * @example datasetStats(sentences).perType // { PERSON: 2254, CORPORATION: 1878, ... }
 */
export function datasetStats(sentences: readonly Sentence[]): DatasetStats {
  const perType = new Map<string, number>();
  const sentencesPerType = new Map<string, number>();
  const lengths: number[] = [];
  const textLengths: number[] = [];
  let empty = 0;
  let overlapping = 0;
  for (const s of sentences) {
    textLengths.push(s.text.length);
    if (s.entities.length === 0) empty++;
    const seen = new Set<string>();
    for (const e of s.entities) {
      perType.set(e.type, (perType.get(e.type) ?? 0) + 1);
      seen.add(e.type);
      lengths.push(e.end - e.start);
    }
    for (const t of seen) sentencesPerType.set(t, (sentencesPerType.get(t) ?? 0) + 1);
    if (s.entities.length > 1) overlapping += countOverlapping(s);
  }
  return {
    sentences: sentences.length,
    sentencesWithoutEntities: empty,
    entities: lengths.length,
    perType: sortedRecord(perType),
    sentencesPerType: sortedRecord(sentencesPerType),
    entityLength: lengthSummary(lengths),
    textLength: lengthSummary(textLengths),
    overlappingEntities: overlapping,
  };
}

/** Share (0..1) of entities longer than `width` UTF-16 code units; 0 when there are no entities. */
export function shareLongerThan(sentences: readonly Sentence[], width: number): number {
  let total = 0;
  let longer = 0;
  for (const s of sentences) {
    for (const e of s.entities) {
      total++;
      if (e.end - e.start > width) longer++;
    }
  }
  return total === 0 ? 0 : longer / total;
}

/**
 * The smallest width W such that at most `1 - coverage` of the entities are longer than W, e.g. a
 * span decoder's maximum span width covering 99% of the mentions (`coverage` default 0.99).
 */
export function widthForCoverage(sentences: readonly Sentence[], coverage = 0.99): number {
  if (!(coverage > 0 && coverage <= 1)) throw new RangeError(`coverage must be in (0, 1], got ${coverage}`);
  const lengths: number[] = [];
  for (const s of sentences) for (const e of s.entities) lengths.push(e.end - e.start);
  if (lengths.length === 0) return 0;
  lengths.sort((a, b) => a - b);
  // Need count(length > W) <= (1 - coverage) * n, i.e. W = the ceil(coverage * n)-th smallest length.
  const n = lengths.length;
  const rank = Math.ceil(coverage * n - 1e-9);
  return lengths[Math.max(1, rank) - 1] as number;
}
