/**
 * Turning start / end-given-start probabilities into candidate spans: shared by this package's
 * `SpanDecoder.score` and by other scorers of the same start → end → type cascade (meta-core).
 */
import type { CandidateSpan } from './decode.js';
import type { SpanIndex, StartIndex } from './forward.js';

/**
 * The positions whose start probability reaches `threshold`. `startProbs` is [B, T] row-major;
 * only the first `lengths[b]` positions of row b are text.
 */
export function selectStarts(
  startProbs: Float32Array,
  lengths: readonly number[],
  T: number,
  threshold: number,
): StartIndex {
  const sb: number[] = [];
  const ss: number[] = [];
  lengths.forEach((len, b) => {
    for (let s = 0; s < len; s++) {
      if ((startProbs[b * T + s] as number) >= threshold) {
        sb.push(b);
        ss.push(s);
      }
    }
  });
  return { batch: Int32Array.from(sb), start: Int32Array.from(ss) };
}

/**
 * Candidate spans per text: for each selected start g, the widths k + 1 (k < K) whose end
 * probability `endProbs[g * K + k]` reaches `endThreshold` and that stay inside the text.
 * `typeProbs` is left empty for the type scorer to fill.
 */
export function collectCandidates(
  startProbs: Float32Array,
  endProbs: Float32Array,
  starts: StartIndex,
  lengths: readonly number[],
  T: number,
  K: number,
  endThreshold: number,
): CandidateSpan[][] {
  const perText: CandidateSpan[][] = lengths.map(() => []);
  for (let g = 0; g < starts.batch.length; g++) {
    const b = starts.batch[g] as number;
    const s = starts.start[g] as number;
    const ps = startProbs[b * T + s] as number;
    for (let k = 0; k < K && s + k + 1 <= (lengths[b] as number); k++) {
      const pe = endProbs[g * K + k] as number;
      if (pe >= endThreshold) {
        (perText[b] as CandidateSpan[]).push({
          start: s,
          end: s + k + 1,
          startProb: ps,
          endProb: pe,
          typeProbs: [],
        });
      }
    }
  }
  return perText;
}

/**
 * Caps each text's candidates at `maxPerText` (highest P(start)·P(end) first; ties by position),
 * in place, and flattens them with their index arrays for one batched type scoring.
 */
export function flattenCandidates(
  perText: CandidateSpan[][],
  maxPerText: number,
): { flat: CandidateSpan[]; spans: SpanIndex } {
  const flat: CandidateSpan[] = [];
  const cb: number[] = [];
  const cs: number[] = [];
  const ce: number[] = [];
  perText.forEach((all, b) => {
    let list = all;
    if (list.length > maxPerText) {
      list = list
        .sort(
          (x, y) => y.startProb * y.endProb - x.startProb * x.endProb || x.start - y.start || x.end - y.end,
        )
        .slice(0, maxPerText);
      perText[b] = list;
    }
    for (const c of list) {
      flat.push(c);
      cb.push(b);
      cs.push(c.start);
      ce.push(c.end);
    }
  });
  return {
    flat,
    spans: { batch: Int32Array.from(cb), start: Int32Array.from(cs), end: Int32Array.from(ce) },
  };
}
