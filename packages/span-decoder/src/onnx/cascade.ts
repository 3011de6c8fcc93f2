/**
 * The start → end → type cascade in plain JS over per-position projections (the `start` and
 * `proj` outputs of the exported graph). Same maths as SpanDecoder.score (forward.ts):
 * end logit = v · act(P_s[s] + P_e[s+k] + W[k]) + b + q_s · k_{s+k}; span representation =
 * act(A[s] + E[e−1] + mean M[s..e) + W'[k]); type = softmax(x W + b). Per candidate that is a few
 * hundred multiply-adds, far cheaper than a tensor round trip.
 */
import { collectCandidates, flattenCandidates, selectStarts } from '../candidates.js';
import type { CandidateSpan, TextSpanScores } from '../decode.js';
import type { ScoreOptions } from '../decoder.js';
import type { StartIndex } from '../forward.js';
import type { CascadeWeights } from './export.js';

type Act = (x: number) => number;

function activationFn(name: CascadeWeights['config']['activation']): Act {
  if (name === 'relu') return (x) => Math.max(x, 0);
  if (name === 'tanh') return Math.tanh;
  const c = Math.sqrt(2 / Math.PI);
  return (x) => 0.5 * x * (1 + Math.tanh(c * (x + 0.044715 * x * x * x)));
}

function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

/** P(end | start) [G * K] for the selected starts (columns past the text end are left 0). */
function endProbabilities(
  w: CascadeWeights,
  proj: Float32Array,
  rowsProj: Float32Array,
  starts: StartIndex,
  lengths: readonly number[],
  T: number,
): Float32Array {
  const { maxWidth: K, endHidden: H, biaffineRank: R } = w.config;
  const { layout } = w;
  const Pw = layout.width;
  const RW = layout.rowsWidth;
  const act = activationFn(w.config.activation);
  const out = new Float32Array(starts.batch.length * K);
  for (let g = 0; g < starts.batch.length; g++) {
    const b = starts.batch[g] as number;
    const s = starts.start[g] as number;
    const len = lengths[b] as number;
    const sRow = g * RW;
    for (let k = 0; k < K && s + k < len; k++) {
      const eRow = (b * T + s + k) * Pw;
      let logit = w.endOutB;
      for (let j = 0; j < H; j++) {
        const v =
          (rowsProj[sRow + layout.endS[0] + j] as number) +
          (proj[eRow + layout.endE[0] + j] as number) +
          (w.endWidth[k * H + j] as number);
        logit += act(v) * (w.endOutW[j] as number);
      }
      for (let r = 0; r < R; r++)
        logit += (rowsProj[sRow + layout.bq[0] + r] as number) * (proj[eRow + layout.bk[0] + r] as number);
      out[g * K + k] = sigmoid(logit);
    }
  }
  return out;
}

/** Fills `typeProbs` of each candidate of text row b. */
function typeProbabilities(
  w: CascadeWeights,
  proj: Float32Array,
  rowsProj: Float32Array,
  rowOf: Int32Array,
  b: number,
  T: number,
  candidates: readonly CandidateSpan[],
): void {
  if (candidates.length === 0) return;
  const { maxWidth: K, spanDim: S } = w.config;
  const { layout } = w;
  const Pw = layout.width;
  const C = w.typeB.length;
  const act = activationFn(w.config.activation);
  // Cumulative sums of M over the positions the candidates cover (float64, then one division).
  const maxEnd = Math.max(...candidates.map((c) => c.end));
  const cum = new Float64Array((maxEnd + 1) * S);
  for (let t = 0; t < maxEnd; t++) {
    const row = (b * T + t) * Pw + layout.spanM[0];
    for (let j = 0; j < S; j++) cum[(t + 1) * S + j] = (cum[t * S + j] as number) + (proj[row + j] as number);
  }
  const rep = new Float64Array(S);
  for (const c of candidates) {
    const sRow = (rowOf[b * T + c.start] as number) * layout.rowsWidth + layout.spanS[0];
    const eRow = (b * T + c.end - 1) * Pw + layout.spanE[0];
    const k = Math.min(c.end - c.start, K) - 1;
    const inv = 1 / (c.end - c.start);
    for (let j = 0; j < S; j++) {
      const mean = ((cum[c.end * S + j] as number) - (cum[c.start * S + j] as number)) * inv;
      rep[j] = act(
        (rowsProj[sRow + j] as number) +
          (proj[eRow + j] as number) +
          mean +
          (w.spanWidth[k * S + j] as number),
      );
    }
    const logits = new Float64Array(C);
    for (let i = 0; i < C; i++) logits[i] = w.typeB[i] as number;
    for (let j = 0; j < S; j++) {
      const x = rep[j] as number;
      if (x === 0) continue;
      for (let i = 0; i < C; i++) logits[i] = (logits[i] as number) + x * (w.typeW[j * C + i] as number);
    }
    let max = -Infinity;
    for (const v of logits) max = Math.max(max, v);
    let sum = 0;
    const probs = new Float32Array(C);
    for (let i = 0; i < C; i++) {
      const e = Math.exp((logits[i] as number) - max);
      probs[i] = e;
      sum += e;
    }
    for (let i = 0; i < C; i++) probs[i] = (probs[i] as number) / sum;
    c.typeProbs = probs;
  }
}

/** Runs the rows model: `rows` [R, inputDim] → [R, layout.rowsWidth]. */
export type RowsProjector = (rows: Float32Array, count: number) => Promise<Float32Array>;

/**
 * Scores of each text from the per-position outputs (`start`, `proj`, `h`, rows b·T + t) and the
 * rows model for the selected starts. Thresholds and the per-text cap as in SpanDecoder.score.
 */
export async function cascadeScores(
  w: CascadeWeights,
  texts: readonly string[],
  outputs: { start: Float32Array; proj: Float32Array; h: Float32Array },
  T: number,
  o: ScoreOptions,
  projectRows: RowsProjector,
): Promise<TextSpanScores[]> {
  const { start, proj, h } = outputs;
  const lengths = texts.map((t) => Math.min(t.length, T));
  const starts = selectStarts(start, lengths, T, o.startThreshold);
  const K = w.config.maxWidth;
  const G = starts.batch.length;
  let perText: CandidateSpan[][] = texts.map(() => []);
  if (G > 0) {
    const d = w.layout.inputDim;
    const rows = new Float32Array(G * d);
    const rowOf = new Int32Array(texts.length * T).fill(-1);
    for (let g = 0; g < G; g++) {
      const r = (starts.batch[g] as number) * T + (starts.start[g] as number);
      rows.set(h.subarray(r * d, (r + 1) * d), g * d);
      rowOf[r] = g;
    }
    const rowsProj = await projectRows(rows, G);
    const endProbs = endProbabilities(w, proj, rowsProj, starts, lengths, T);
    perText = collectCandidates(start, endProbs, starts, lengths, T, K, o.endThreshold);
    flattenCandidates(perText, o.maxCandidatesPerText); // caps each text's list in place
    perText.forEach((list, b) => {
      typeProbabilities(w, proj, rowsProj, rowOf, b, T, list);
    });
  }
  return texts.map((text, b) => ({
    text,
    types: w.config.types,
    startProbs: start.slice(b * T, b * T + (lengths[b] as number)),
    candidates: perText[b] as CandidateSpan[],
  }));
}
