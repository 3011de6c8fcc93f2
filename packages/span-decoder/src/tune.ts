/** Choosing decode thresholds on labelled sentences from scores computed once. */
import type { Entity } from '@nerima/core';
import { evaluateSpans } from '@nerima/eval';
import type { DecodeOptions } from './config.js';
import { decode, type TextSpanScores } from './decode.js';

/** Threshold values to try (every combination is decoded and scored). */
export interface ThresholdGrid {
  startThreshold: readonly number[];
  endThreshold: readonly number[];
  typeThreshold: readonly number[];
}

export const DEFAULT_THRESHOLD_GRID: ThresholdGrid = {
  startThreshold: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6],
  endThreshold: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6],
  typeThreshold: [0, 0.3, 0.4, 0.5, 0.6, 0.7],
};

/**
 * Returns the thresholds with the best micro F1 of `decode(scores[i], options)` against `gold[i]`
 * (ties: the earlier grid point). Score the texts with thresholds at or below the grid's minimum.
 */
export function tuneThresholds(
  scores: readonly TextSpanScores[],
  gold: readonly (readonly Entity[])[],
  base: DecodeOptions,
  grid: ThresholdGrid = DEFAULT_THRESHOLD_GRID,
  types?: readonly string[],
): { options: DecodeOptions; microF1: number } {
  if (scores.length !== gold.length)
    throw new RangeError(`tuneThresholds: ${scores.length} scores for ${gold.length} gold lists`);
  let best = { options: base, microF1: -1 };
  for (const startThreshold of grid.startThreshold) {
    for (const endThreshold of grid.endThreshold) {
      for (const typeThreshold of grid.typeThreshold) {
        const options = { ...base, startThreshold, endThreshold, typeThreshold };
        const pred = scores.map((s) => decode(s, options));
        const f1 = evaluateSpans(gold, pred, types ? { types } : {}).micro.f1;
        if (f1 > best.microF1) best = { options, microF1: f1 };
      }
    }
  }
  return best;
}
