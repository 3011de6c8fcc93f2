/**
 * Held-out evaluation: cosine of true pairs against random pairs, and retrieval accuracy at 1 and
 * 10 in both directions over a fixed candidate pool.
 */
import { createRng } from '@nerima/core';
import * as tf from '@tensorflow/tfjs-core';
import type { NameAligner } from './aligner.js';
import type { NamePair } from './kb.js';
import type { PairLang } from './names.js';

/** Retrieval accuracy of one direction. */
export interface RetrievalScores {
  /** Queries (= candidates) in the pool. */
  pool: number;
  /** Share of queries whose counterpart ranks first / in the top 10. */
  at1: number;
  at10: number;
  /** Mean reciprocal rank. */
  mrr: number;
}

/** Evaluation of one counterpart language on one pool. */
export interface PairEvaluation {
  lang: PairLang;
  /** Pairs in the pool (distinct Japanese names and distinct counterparts). */
  pool: number;
  /** Mean cosine of the true pairs. */
  trueCosine: number;
  /** Mean cosine of mismatched pairs (each Japanese name with another pair's counterpart). */
  randomCosine: number;
  /** Japanese name → counterpart among the pool's counterparts. */
  jaTo: RetrievalScores;
  /** Counterpart → Japanese name among the pool's Japanese names. */
  toJa: RetrievalScores;
}

/**
 * A deterministic evaluation pool: up to `size` pairs with distinct Japanese names and distinct
 * counterparts, drawn from `pairs` in a seeded order.
 */
export function evaluationPool(
  pairs: readonly NamePair[],
  size: number,
  seed: number | string = 'pool',
): NamePair[] {
  const order = createRng(seed).shuffle(pairs.map((_, i) => i));
  const ja = new Set<string>();
  const other = new Set<string>();
  const out: NamePair[] = [];
  for (const i of order) {
    if (out.length >= size) break;
    const p = pairs[i] as NamePair;
    if (ja.has(p.jaKey) || other.has(p.key)) continue;
    ja.add(p.jaKey);
    other.add(p.key);
    out.push(p);
  }
  return out;
}

/** Cosine matrix [n × n] of unit vectors (row-major), via one matMul. */
async function similarities(q: Float32Array, c: Float32Array, n: number, dim: number): Promise<Float32Array> {
  const t = tf.tidy(() => tf.matMul(tf.tensor2d(q, [n, dim]), tf.transpose(tf.tensor2d(c, [n, dim]))));
  const out = (await t.data()) as Float32Array;
  t.dispose();
  return out;
}

/**
 * Retrieval scores of an n × n score matrix: query i's answers are `gold(i)` (column indices); its
 * rank is the number of wrong candidates scoring strictly higher than its best answer.
 */
export function retrievalScores(
  scores: Float32Array,
  n: number,
  gold: (i: number) => readonly number[],
  transpose = false,
): RetrievalScores {
  let at1 = 0;
  let at10 = 0;
  let rr = 0;
  const at = (i: number, j: number) => (transpose ? scores[j * n + i] : scores[i * n + j]) as number;
  for (let i = 0; i < n; i++) {
    const answers = gold(i);
    let best = Number.NEGATIVE_INFINITY;
    for (const j of answers) best = Math.max(best, at(i, j));
    const isGold = new Set(answers);
    let rank = 0;
    for (let j = 0; j < n; j++) if (!isGold.has(j) && at(i, j) > best) rank++;
    if (rank < 1) at1++;
    if (rank < 10) at10++;
    rr += 1 / (rank + 1);
  }
  const d = Math.max(1, n);
  return { pool: n, at1: at1 / d, at10: at10 / d, mrr: rr / d };
}

/**
 * Embeds a pool of pairs with the aligner and scores it. `all` (default: the pool itself) gives the
 * known translations, so a candidate that is another correct counterpart (a homograph) counts as
 * right.
 */
export async function evaluatePool(
  aligner: NameAligner,
  pool: readonly NamePair[],
  lang: PairLang,
  all: readonly NamePair[] = pool,
): Promise<PairEvaluation> {
  const n = pool.length;
  const dim = aligner.config.dim;
  const empty: RetrievalScores = { pool: 0, at1: 0, at10: 0, mrr: 0 };
  if (n === 0) return { lang, pool: 0, trueCosine: 0, randomCosine: 0, jaTo: empty, toJa: empty };
  const q = await aligner.embedNames(
    pool.map((p) => p.ja),
    'ja',
  );
  const c = await aligner.embedNames(
    pool.map((p) => p.text),
    lang,
  );
  const s = await similarities(q, c, n, dim);
  let trueSum = 0;
  let randomSum = 0;
  // a fixed derangement: each name against the counterpart `shift` places further on
  const shift = n > 1 ? 1 + createRng('derangement').int(n - 1) : 0;
  for (let i = 0; i < n; i++) {
    trueSum += s[i * n + i] as number;
    randomSum += s[i * n + ((i + shift) % n)] as number;
  }
  const translations = new Map<string, Set<string>>();
  for (const p of [...all, ...pool]) {
    const set = translations.get(p.jaKey) ?? new Set<string>();
    set.add(p.key);
    translations.set(p.jaKey, set);
  }
  const colOfKey = new Map(pool.map((p, j) => [p.key, j]));
  const jaGold = pool.map((p) =>
    [...(translations.get(p.jaKey) ?? [])].map((k) => colOfKey.get(k)).filter((j) => j !== undefined),
  );
  // counterpart j → every pool Japanese name that has it as a translation
  const otherGold: number[][] = pool.map(() => []);
  pool.forEach((p, i) => {
    for (const k of translations.get(p.jaKey) ?? []) {
      const j = colOfKey.get(k);
      if (j !== undefined) otherGold[j]?.push(i);
    }
  });
  return {
    lang,
    pool: n,
    trueCosine: trueSum / n,
    randomCosine: n > 1 ? randomSum / n : 0,
    jaTo: retrievalScores(s, n, (i) => jaGold[i] ?? [i]),
    toJa: retrievalScores(s, n, (j) => otherGold[j] ?? [j], true),
  };
}
