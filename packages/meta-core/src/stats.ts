/**
 * Task statistics read from a support set: the control network's input. Everything here is plain
 * JavaScript on the support sentences except the two model-dependent numbers (prototype spread and
 * initial support loss), which the caller measures with the slow weights and passes in.
 */
import type { EntityType, Sentence } from '@nerima/core';

/** Character classes of entity mentions, in the order of {@link TaskStats.charMix}. */
export const CHAR_CLASSES = ['kanji', 'hiragana', 'katakana', 'latin', 'digit', 'other'] as const;
export type CharClass = (typeof CHAR_CLASSES)[number];

/** Raw statistics of one task (support set). */
export interface TaskStats {
  /** Number of target types. */
  n: number;
  /** Mean number of support mentions per target type (the realised K). */
  k: number;
  /** Number of support sentences. */
  sentences: number;
  /** Mean mention length in UTF-16 code units (0 when there is no mention). */
  lengthMean: number;
  /** Standard deviation of the mention length (population; 0 for fewer than two mentions). */
  lengthStd: number;
  /** Share of mention characters in each of {@link CHAR_CLASSES}; sums to 1 (all 0 without mentions). */
  charMix: number[];
  /** Mean distance between prototypes (model-dependent; 0 when unknown or N = 1). */
  protoSpread: number;
  /** Support loss before adaptation (model-dependent; 0 when unknown). */
  initialLoss: number;
}

/** Width of the vector {@link statsVector} returns. */
export const STATS_DIM = 7 + CHAR_CLASSES.length;

/** The character class of one UTF-16 code unit. */
export function charClass(code: number): CharClass {
  if ((code >= 0x4e00 && code <= 0x9fff) || (code >= 0x3400 && code <= 0x4dbf) || code === 0x3005)
    return 'kanji';
  if (code >= 0x3040 && code <= 0x309f) return 'hiragana';
  if ((code >= 0x30a0 && code <= 0x30ff) || (code >= 0xff66 && code <= 0xff9f) || code === 0x30fc)
    return 'katakana';
  if ((code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a)) return 'latin';
  if ((code >= 0xff21 && code <= 0xff3a) || (code >= 0xff41 && code <= 0xff5a)) return 'latin';
  if ((code >= 0x30 && code <= 0x39) || (code >= 0xff10 && code <= 0xff19)) return 'digit';
  return 'other';
}

/**
 * Statistics of the support set for the target `types` (mentions of other types are ignored, as
 * the episode relabels them as non-entities).
 */
export function supportStats(
  support: readonly Sentence[],
  types: readonly EntityType[],
  model: { protoSpread?: number; initialLoss?: number } = {},
): TaskStats {
  const wanted = new Set(types);
  const lengths: number[] = [];
  const mix = new Array<number>(CHAR_CLASSES.length).fill(0);
  let chars = 0;
  for (const s of support) {
    for (const e of s.entities) {
      if (!wanted.has(e.type)) continue;
      lengths.push(e.end - e.start);
      for (let i = e.start; i < e.end; i++) {
        mix[CHAR_CLASSES.indexOf(charClass(s.text.charCodeAt(i)))]! += 1;
        chars++;
      }
    }
  }
  const mean = lengths.length ? lengths.reduce((a, b) => a + b, 0) / lengths.length : 0;
  const variance = lengths.length ? lengths.reduce((a, b) => a + (b - mean) ** 2, 0) / lengths.length : 0;
  const finite = (x: number | undefined): number => (x !== undefined && Number.isFinite(x) ? x : 0);
  return {
    n: types.length,
    k: types.length ? lengths.length / types.length : 0,
    sentences: support.length,
    lengthMean: mean,
    lengthStd: Math.sqrt(variance),
    charMix: mix.map((c) => (chars ? c / chars : 0)),
    protoSpread: finite(model.protoSpread),
    initialLoss: finite(model.initialLoss),
  };
}

/**
 * The control network's input: each statistic squashed into roughly [-1, 3] (logs of counts and
 * lengths, shares as they are), so that no input dominates and degenerate tasks (K = 1, one
 * sentence, no mention) stay finite. Length {@link STATS_DIM}.
 */
export function statsVector(s: TaskStats): Float32Array {
  const v = [
    Math.log1p(s.n) / 2,
    Math.log1p(s.k) / 2,
    Math.log1p(s.sentences) / 3,
    Math.log1p(s.lengthMean) / 2,
    Math.log1p(s.lengthStd) / 2,
    Math.log1p(Math.max(0, s.protoSpread)),
    Math.log1p(Math.max(0, s.initialLoss)),
    ...s.charMix,
  ];
  return Float32Array.from(v, (x) => (Number.isFinite(x) ? Math.min(Math.max(x, -5), 5) : 0));
}
