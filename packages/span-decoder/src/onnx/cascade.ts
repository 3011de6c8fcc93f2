/**
 * The start → end → type cascade over the exported graph's outputs: start selection, gathering
 * rows for the starts model (P(end | start) in onnxruntime), candidate collection, then the type
 * scores in plain JS from the covered-rows model's projections. Same maths as SpanDecoder.score
 * (forward.ts):
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

/**
 * The `proj` rows at s + k for each selected start s and k < K, as [G, K, width] (zeros past the
 * text end): the starts model's `ends` input.
 */
function gatherEnds(
  w: CascadeWeights,
  proj: Float32Array,
  starts: StartIndex,
  lengths: readonly number[],
  T: number,
): Float32Array {
  const K = w.config.maxWidth;
  const Pw = w.layout.width;
  const G = starts.batch.length;
  const out = new Float32Array(G * K * Pw);
  for (let g = 0; g < G; g++) {
    const b = starts.batch[g] as number;
    const s = starts.start[g] as number;
    const n = Math.min(K, (lengths[b] as number) - s);
    const from = (b * T + s) * Pw;
    // Positions s..s+n−1 are consecutive rows of proj: one copy per start.
    out.set(proj.subarray(from, from + n * Pw), g * K * Pw);
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

/** Runs the covered-rows model: `rows` [R, inputDim] → `spanProj` [R, layout.spanWidth]. */
export type RowsProjector = (rows: Float32Array, count: number) => Promise<Float32Array>;

/** Runs the starts model: rows of h and gathered `ends` → `rowsProj` and `endProbs` [G, K]. */
export type StartsScorer = (
  rows: Float32Array,
  ends: Float32Array,
  count: number,
) => Promise<{ rowsProj: Float32Array; endProbs: Float32Array }>;

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
  project: { starts: StartsScorer; covered: RowsProjector },
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
    const { rowsProj, endProbs } = await project.starts(
      gatherRows(h, startPos, G, d),
      gatherEnds(w, proj, starts, lengths, T),
      G,
    );
    // Widths past the text end were scored on zero rows: not candidates.
    for (let g = 0; g < G; g++) {
      const room = (lengths[starts.batch[g] as number] as number) - (starts.start[g] as number);
      for (let k = room; k < K; k++) endProbs[g * K + k] = 0;
    }
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
