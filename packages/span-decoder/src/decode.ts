/**
 * Decoding from probabilities (plain JS, no tensors): threshold starts, ends and types, score each
 * span by start·end·type, keep nested spans, resolve crossing spans greedily by score.
 */
import type { Prediction } from '@nerima/core';
import { DEFAULT_DECODE_OPTIONS, type DecodeOptions } from './config.js';

/** One candidate span with all its probabilities. */
export interface CandidateSpan {
  start: number;
  /** Exclusive end. */
  end: number;
  /** P(start) from the start scorer. */
  startProb: number;
  /** P(end | start) from the end scorer. */
  endProb: number;
  /** Softmax over [none, ...types] from the type scorer (length 1 + types.length). */
  typeProbs: Float32Array | readonly number[];
}

/** Everything the decoder computed for one text (candidates are already above some minimal thresholds). */
export interface TextSpanScores {
  text: string;
  types: readonly string[];
  /** P(start) for every position of the text. */
  startProbs: Float32Array;
  candidates: CandidateSpan[];
}

/** True when the two spans partially overlap (neither contains the other). */
export function crosses(a: { start: number; end: number }, b: { start: number; end: number }): boolean {
  return (
    (a.start < b.start && b.start < a.end && a.end < b.end) ||
    (b.start < a.start && a.start < b.end && b.end < a.end)
  );
}

function overlaps(a: { start: number; end: number }, b: { start: number; end: number }): boolean {
  return a.start < b.end && b.start < a.end;
}

/**
 * Turns scores into predictions. A candidate is kept when P(start) ≥ startThreshold, P(end|start) ≥
 * endThreshold and its best entity type t has P(t) ≥ typeThreshold and P(t) > P(none); its score is
 * P(start)·P(end|start)·P(t). Then, highest score first, a span is accepted unless it crosses an
 * accepted span, has the same boundaries as one, or (with `allowNested: false`) overlaps one at all.
 * Output is sorted by (start, end).
 */
export function decode(scores: TextSpanScores, options: Partial<DecodeOptions> = {}): Prediction[] {
  const o = { ...DEFAULT_DECODE_OPTIONS, ...options };
  const kept: Prediction[] = [];
  for (const c of scores.candidates) {
    if (c.startProb < o.startThreshold || c.endProb < o.endThreshold) continue;
    const probs = c.typeProbs;
    const none = probs[0] as number;
    let best = -1;
    let bestP = -1;
    for (let i = 1; i < probs.length; i++) {
      const p = probs[i] as number;
      if (p > bestP) {
        bestP = p;
        best = i - 1;
      }
    }
    if (best < 0 || bestP < o.typeThreshold || !(bestP > none)) continue;
    const type = scores.types[best];
    if (type === undefined) {
      throw new RangeError(
        `decode: typeProbs has ${probs.length} entries but there are ${scores.types.length} types`,
      );
    }
    kept.push({
      start: c.start,
      end: c.end,
      type,
      text: scores.text.slice(c.start, c.end),
      score: c.startProb * c.endProb * bestP,
    });
  }
  // Highest score first; ties broken by position so the result does not depend on candidate order.
  kept.sort((a, b) => b.score - a.score || a.start - b.start || a.end - b.end);
  const accepted: Prediction[] = [];
  for (const p of kept) {
    const conflict = accepted.some(
      (a) => (a.start === p.start && a.end === p.end) || crosses(a, p) || (!o.allowNested && overlaps(a, p)),
    );
    if (!conflict) accepted.push(p);
  }
  return accepted.sort((a, b) => a.start - b.start || a.end - b.end);
}
