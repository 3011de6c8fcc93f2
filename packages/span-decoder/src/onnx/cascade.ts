/**
 * The start → end → type cascade in plain JS over the exported graph's outputs (`start`, the
 * end scorer's per-position `proj`, and the rows models' projections at selected starts and inside
 * candidate spans). Same maths as SpanDecoder.score (forward.ts):
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
  const { layout, endWidth, endOutW } = w;
  const Pw = layout.width;
  const RW = layout.rowsWidth;
  const [endE] = layout.endE;
  const [bk] = layout.bk;
  const relu = w.config.activation === 'relu';
  const act = activationFn(w.config.activation);
  const out = new Float32Array(starts.batch.length * K);
  // The hot loop of the JS side (a few hundred multiply-adds per (start, end) pair): plain
  // indices, relu inlined.
  for (let g = 0; g < starts.batch.length; g++) {
    const b = starts.batch[g] as number;
    const s = starts.start[g] as number;
    const len = lengths[b] as number;
    const sBase = g * RW + layout.endS[0];
    const qBase = g * RW + layout.bq[0];
    for (let k = 0; k < K && s + k < len; k++) {
      const row = (b * T + s + k) * Pw;
      const eBase = row + endE;
      const wBase = k * H;
      let logit = w.endOutB;
      if (relu) {
        for (let j = 0; j < H; j++) {
          const v =
            (rowsProj[sBase + j] as number) + (proj[eBase + j] as number) + (endWidth[wBase + j] as number);
          if (v > 0) logit += v * (endOutW[j] as number);
        }
      } else {
        for (let j = 0; j < H; j++) {
          const v =
            (rowsProj[sBase + j] as number) + (proj[eBase + j] as number) + (endWidth[wBase + j] as number);
          logit += act(v) * (endOutW[j] as number);
        }
      }
      const kBase = row + bk;
      for (let r = 0; r < R; r++) logit += (rowsProj[qBase + r] as number) * (proj[kBase + r] as number);
      out[g * K + k] = sigmoid(logit);
    }
  }
  return out;
}

/**
 * Fills `typeProbs` of each candidate of text row b. `spanRowOf[b*T + t]` is the row of position t
 * in `spanProj` (every position inside a candidate has one), `rowOf` the row of a start in `rowsProj`.
 */
function typeProbabilities(
  w: CascadeWeights,
  spanProj: Float32Array,
  spanRowOf: Int32Array,
  rowsProj: Float32Array,
  rowOf: Int32Array,
  b: number,
  T: number,
  candidates: readonly CandidateSpan[],
): void {
  const { maxWidth: K, spanDim: S } = w.config;
  const { layout } = w;
  const SW = layout.spanWidth;
  const [mOff] = layout.spanM;
  const [eOff] = layout.spanE;
  const C = w.typeB.length;
  const act = activationFn(w.config.activation);
  const rep = new Float64Array(S);
  const logits = new Float64Array(C);
  for (const c of candidates) {
    rep.fill(0);
    for (let t = c.start; t < c.end; t++) {
      const row = (spanRowOf[b * T + t] as number) * SW + mOff;
      for (let j = 0; j < S; j++) rep[j] = (rep[j] as number) + (spanProj[row + j] as number);
    }
    const sRow = (rowOf[b * T + c.start] as number) * layout.rowsWidth + layout.spanS[0];
    const eRow = (spanRowOf[b * T + c.end - 1] as number) * SW + eOff;
    const k = Math.min(c.end - c.start, K) - 1;
    const inv = 1 / (c.end - c.start);
    for (let j = 0; j < S; j++) {
      rep[j] = act(
        (rowsProj[sRow + j] as number) +
          (spanProj[eRow + j] as number) +
          (rep[j] as number) * inv +
          (w.spanWidth[k * S + j] as number),
      );
    }
    for (let i = 0; i < C; i++) logits[i] = w.typeB[i] as number;
    for (let j = 0; j < S; j++) {
      const x = rep[j] as number;
      if (x === 0) continue;
      for (let i = 0; i < C; i++) logits[i] = (logits[i] as number) + x * (w.typeW[j * C + i] as number);
    }
    let max = -Infinity;
    for (let i = 0; i < C; i++) max = Math.max(max, logits[i] as number);
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

/** Runs a rows model: `rows` [R, inputDim] → its projection [R, width]. */
export type RowsProjector = (rows: Float32Array, count: number) => Promise<Float32Array>;

/** Copies rows `positions` (indices b*T + t) of h into one [R, d] array. */
function gatherRows(h: Float32Array, positions: ArrayLike<number>, count: number, d: number): Float32Array {
  const rows = new Float32Array(count * d);
  for (let g = 0; g < count; g++) {
    const r = positions[g] as number;
    rows.set(h.subarray(r * d, (r + 1) * d), g * d);
  }
  return rows;
}

/**
 * Scores of each text from the per-position outputs (`start`, `proj`, `h`, rows b·T + t), the
 * start-rows model for the selected starts and the span-rows model for the positions inside
 * candidates. Thresholds and the per-text cap as in SpanDecoder.score.
 */
export async function cascadeScores(
  w: CascadeWeights,
  texts: readonly string[],
  outputs: { start: Float32Array; proj: Float32Array; h: Float32Array },
  T: number,
  o: ScoreOptions,
  project: { starts: RowsProjector; covered: RowsProjector },
): Promise<TextSpanScores[]> {
  const { start, proj, h } = outputs;
  const lengths = texts.map((t) => Math.min(t.length, T));
  const starts = selectStarts(start, lengths, T, o.startThreshold);
  const K = w.config.maxWidth;
  const G = starts.batch.length;
  const d = w.layout.inputDim;
  let perText: CandidateSpan[][] = texts.map(() => []);
  if (G > 0) {
    const startPos = new Int32Array(G);
    const rowOf = new Int32Array(texts.length * T).fill(-1);
    for (let g = 0; g < G; g++) {
      startPos[g] = (starts.batch[g] as number) * T + (starts.start[g] as number);
      rowOf[startPos[g] as number] = g;
    }
    const rowsProj = await project.starts(gatherRows(h, startPos, G, d), G);
    const endProbs = endProbabilities(w, proj, rowsProj, starts, lengths, T);
    perText = collectCandidates(start, endProbs, starts, lengths, T, K, o.endThreshold);
    flattenCandidates(perText, o.maxCandidatesPerText); // caps each text's list in place
    // The positions inside some candidate, each once.
    const spanRowOf = new Int32Array(texts.length * T).fill(-1);
    const covered: number[] = [];
    perText.forEach((list, b) => {
      for (const c of list) {
        for (let t = c.start; t < c.end; t++) {
          const p = b * T + t;
          if (spanRowOf[p] === -1) {
            spanRowOf[p] = covered.length;
            covered.push(p);
          }
        }
      }
    });
    if (covered.length > 0) {
      const spanProj = await project.covered(gatherRows(h, covered, covered.length, d), covered.length);
      perText.forEach((list, b) => {
        typeProbabilities(w, spanProj, spanRowOf, rowsProj, rowOf, b, T, list);
      });
    }
  }
  return texts.map((text, b) => ({
    text,
    types: w.config.types,
    startProbs: start.slice(b * T, b * T + (lengths[b] as number)),
    candidates: perText[b] as CandidateSpan[],
  }));
}
