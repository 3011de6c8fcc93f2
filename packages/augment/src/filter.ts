/**
 * The three-stage filter, after a structure check that always runs:
 *
 * 0. `structure`: every claimed entity is where the text says it is (integer offsets inside the
 *    text, `text.slice(start, end) === entity.text`, no offset inside a surrogate pair, well-formed
 *    UTF-16). Never switched off: a candidate that fails it is a generator bug, not noise.
 * 1. `confidence` (a): the separate tagger's confidence in the claimed entities, at least
 *    `threshold`. An entity's confidence is the score of the tagger's prediction with the same
 *    start, end and type, 0 when the tagger does not predict it; the candidate's confidence is the
 *    mean (default) or the min over its entities.
 * 2. `consistency` (b): the tagger agrees with the claimed boundaries and types: the share of
 *    claimed entities it predicts exactly (same start, end, type) is at least `minAgreement`
 *    (default 1: all of them); optionally at most `maxUnclaimed` tagger predictions that match no
 *    claimed entity.
 * 3. `similarity` (c): drop exact duplicates of any input sentence or kept candidate, near-duplicates
 *    (similarity ≥ `maxSimilarity`) of the source, of the candidate's reference and of the candidates
 *    of the same source kept so far, and rewrites that drift (similarity to the reference <
 *    `minSimilarity`).
 *
 * Entities of types the tagger does not know are not judged by stages 1 and 2 (a candidate with no
 * judgeable entity passes them, counted as `not-judged`).
 */
import { type Prediction, splitsSurrogatePair, type Tagger } from '@nerima/core';
import { isWellFormed } from './pieces.js';
import { createSimilarity, type Similarity, type SimilarityOptions } from './similarity.js';
import type { Candidate, CandidateEntity } from './types.js';

/** Options of the confidence stage. */
export interface ConfidenceOptions {
  /** Least candidate confidence kept (default 0.5). */
  threshold?: number;
  /** How entity confidences combine (default `mean`). */
  aggregate?: 'mean' | 'min';
}

/** Options of the consistency stage. */
export interface ConsistencyOptions {
  /** Least share of claimed (judgeable) entities the tagger must predict exactly (default 1). */
  minAgreement?: number;
  /** Most tagger predictions matching no claimed entity (default: not checked). */
  maxUnclaimed?: number;
  /** Predictions below this score do not count as unclaimed (default 0.5). */
  unclaimedMinScore?: number;
}

/** Options of the similarity stage (see {@link SimilarityOptions} for the measure). */
export interface SimilarityStageOptions extends SimilarityOptions {
  /** Near-duplicate at or above this (default 0.95). */
  maxSimilarity?: number;
  /** Drifted below this, compared with the candidate's reference (default 0.2). */
  minSimilarity?: number;
}

/** Each stage: `false` switches it off; `true` or options switch it on. Stages 1–2 need a tagger. */
export interface FilterOptions {
  confidence?: boolean | ConfidenceOptions;
  consistency?: boolean | ConsistencyOptions;
  similarity?: boolean | SimilarityStageOptions;
}

/** Stage names in the order they run. */
export const FILTER_STAGES = ['structure', 'confidence', 'consistency', 'similarity'] as const;
export type FilterStage = (typeof FILTER_STAGES)[number];

/** What one stage did. */
export interface StageReport {
  stage: FilterStage;
  enabled: boolean;
  /** Why a stage did not run or how it was set up, e.g. `no tagger given`. */
  note?: string;
  /** The settings in effect. */
  settings?: Record<string, unknown>;
  input: number;
  kept: number;
  dropped: number;
  /** Dropped candidates by reason code. */
  reasons: Record<string, number>;
  /** Kept candidates the stage could not judge (no entity of a type the tagger knows). */
  notJudged?: number;
  perGenerator: Record<string, { input: number; kept: number }>;
}

/** A dropped candidate, for the report. */
export interface DropExample {
  stage: FilterStage | 'generator';
  generator: string;
  sourceId: string;
  code: string;
  reason: string;
  text?: string;
  entities?: CandidateEntity[];
}

/** Everything the filter needs besides the candidates. */
export interface FilterContext {
  tagger?: Tagger;
  /** Source text by sentence id. */
  sourceTexts: ReadonlyMap<string, string>;
  /** Texts of all input sentences (exact duplicates of these are dropped by the similarity stage). */
  inputTexts: ReadonlySet<string>;
  /** Examples kept per (stage, generator) (default 5). */
  maxExamples?: number;
  /** Texts per `tagger.predict` call (default 256). */
  batchSize?: number;
}

/** Result of {@link runFilter}. */
export interface FilterResult {
  kept: Candidate[];
  stages: StageReport[];
  examples: DropExample[];
}

/** Problems of a candidate's claimed entities against its text (empty when it is sound). */
export function structureProblems(c: Candidate): string[] {
  const problems: string[] = [];
  if (typeof c.text !== 'string') return ['text is not a string'];
  if (!isWellFormed(c.text)) problems.push('text has a lone surrogate half');
  if (!Array.isArray(c.entities)) return [...problems, 'entities is not an array'];
  if (!Array.isArray(c.origins) || c.origins.length !== c.entities.length) {
    problems.push('origins is not parallel to entities');
  }
  c.entities.forEach((e, i) => {
    const f = `entities[${i}]`;
    if (!Number.isInteger(e.start) || !Number.isInteger(e.end))
      problems.push(`${f}: offsets must be integers`);
    else if (e.start < 0 || e.end > c.text.length || e.end <= e.start) {
      problems.push(
        `${f}: [${e.start}, ${e.end}) is not a non-empty range inside the text (length ${c.text.length})`,
      );
    } else {
      if (splitsSurrogatePair(c.text, e.start) || splitsSurrogatePair(c.text, e.end)) {
        problems.push(`${f}: [${e.start}, ${e.end}) splits a surrogate pair`);
      }
      const slice = c.text.slice(e.start, e.end);
      if (slice !== e.text)
        problems.push(`${f}: text ${JSON.stringify(e.text)} but the text has ${JSON.stringify(slice)} there`);
    }
    if (typeof e.type !== 'string' || e.type === '') problems.push(`${f}: type must be a non-empty string`);
  });
  return problems;
}

function opts<T extends object>(v: boolean | T | undefined, defaultOn: boolean): T | null {
  if (v === false) return null;
  if (v === undefined) return defaultOn ? ({} as T) : null;
  if (v === true) return {} as T;
  return v;
}

function checkRange(v: number, what: string, min = 0, max = 1): number {
  if (typeof v !== 'number' || Number.isNaN(v) || v < min || v > max) {
    throw new RangeError(`filter: ${what} must be a number in [${min}, ${max}], got ${v}`);
  }
  return v;
}

const sameSpan = (p: Prediction, e: CandidateEntity) =>
  p.start === e.start && p.end === e.end && p.type === e.type;

/**
 * Runs the stages over `candidates` (in order; the similarity stage keeps the first of
 * near-duplicates). With no tagger, stages 1 and 2 are reported as not run.
 */
export async function runFilter(
  candidates: readonly Candidate[],
  options: FilterOptions,
  ctx: FilterContext,
): Promise<FilterResult> {
  const maxExamples = ctx.maxExamples ?? 5;
  const examples: DropExample[] = [];
  const exampleCount = new Map<string, number>();
  const stages: StageReport[] = [];

  const conf = opts<ConfidenceOptions>(options.confidence, true);
  const cons = opts<ConsistencyOptions>(options.consistency, true);
  const sim = opts<SimilarityStageOptions>(options.similarity, true);
  const threshold = checkRange(conf?.threshold ?? 0.5, 'confidence.threshold');
  const aggregate = conf?.aggregate ?? 'mean';
  if (aggregate !== 'mean' && aggregate !== 'min')
    throw new RangeError(`filter: confidence.aggregate must be mean or min, got ${aggregate}`);
  const minAgreement = checkRange(cons?.minAgreement ?? 1, 'consistency.minAgreement');
  const maxUnclaimed = cons?.maxUnclaimed;
  if (maxUnclaimed !== undefined)
    checkRange(maxUnclaimed, 'consistency.maxUnclaimed', 0, Number.MAX_SAFE_INTEGER);
  const unclaimedMinScore = checkRange(cons?.unclaimedMinScore ?? 0.5, 'consistency.unclaimedMinScore');
  const maxSim = checkRange(sim?.maxSimilarity ?? 0.95, 'similarity.maxSimilarity');
  const minSim = checkRange(sim?.minSimilarity ?? 0.2, 'similarity.minSimilarity');

  const newStage = (stage: FilterStage, enabled: boolean, input: readonly Candidate[]): StageReport => {
    const perGenerator: Record<string, { input: number; kept: number }> = {};
    for (const c of input) {
      perGenerator[c.generator] ??= { input: 0, kept: 0 };
      perGenerator[c.generator]!.input++;
    }
    const r: StageReport = {
      stage,
      enabled,
      input: input.length,
      kept: 0,
      dropped: 0,
      reasons: {},
      perGenerator,
    };
    stages.push(r);
    return r;
  };
  const keep = (r: StageReport, c: Candidate, out: Candidate[]) => {
    r.kept++;
    r.perGenerator[c.generator]!.kept++;
    out.push(c);
  };
  const drop = (r: StageReport, c: Candidate, code: string, reason: string) => {
    r.dropped++;
    r.reasons[code] = (r.reasons[code] ?? 0) + 1;
    const key = `${r.stage}/${c.generator}`;
    const n = exampleCount.get(key) ?? 0;
    if (n < maxExamples) {
      exampleCount.set(key, n + 1);
      examples.push({
        stage: r.stage,
        generator: c.generator,
        sourceId: c.sourceId,
        code,
        reason,
        text: c.text,
        entities: c.entities,
      });
    }
  };

  // 0. structure
  let current: Candidate[] = [];
  {
    const r = newStage('structure', true, candidates);
    for (const c of candidates) {
      const problems = structureProblems(c);
      if (problems.length > 0) drop(r, c, 'bad-offsets', problems.join('; '));
      else keep(r, c, current);
    }
  }

  // Tagger predictions, once, for stages 1 and 2.
  const tagger = ctx.tagger;
  const needTagger = tagger !== undefined && (conf !== null || cons !== null) && current.length > 0;
  const predictions = new Map<Candidate, Prediction[]>();
  if (needTagger) {
    const batch = ctx.batchSize ?? 256;
    for (let i = 0; i < current.length; i += batch) {
      const part = current.slice(i, i + batch);
      const preds = await tagger.predict(part.map((c) => c.text));
      if (!Array.isArray(preds) || preds.length !== part.length) {
        throw new RangeError(
          `filter: tagger.predict returned ${Array.isArray(preds) ? preds.length : typeof preds} lists for ${part.length} texts`,
        );
      }
      part.forEach((c, j) => {
        predictions.set(c, preds[j]!);
      });
    }
  }
  const known = new Set(tagger?.types ?? []);
  const judgeable = (c: Candidate) => c.entities.filter((e) => known.has(e.type));

  // 1. confidence
  {
    const r = newStage('confidence', conf !== null && tagger !== undefined, current);
    if (conf === null) r.note = 'switched off';
    else if (!tagger) r.note = 'no tagger given: not run';
    else r.settings = { threshold, aggregate };
    const next: Candidate[] = [];
    let notJudged = 0;
    for (const c of current) {
      if (!r.enabled) {
        keep(r, c, next);
        continue;
      }
      const ents = judgeable(c);
      if (ents.length === 0) {
        notJudged++;
        keep(r, c, next);
        continue;
      }
      const preds = predictions.get(c)!;
      const scores = ents.map((e) => preds.find((p) => sameSpan(p, e))?.score ?? 0);
      const value =
        aggregate === 'min' ? Math.min(...scores) : scores.reduce((a, b) => a + b, 0) / scores.length;
      if (value < threshold) {
        drop(
          r,
          c,
          'low-confidence',
          `${aggregate} confidence ${value.toFixed(3)} < ${threshold} (per entity: ${ents.map((e, i) => `${e.text}/${e.type} ${scores[i]!.toFixed(2)}`).join(', ')})`,
        );
      } else keep(r, c, next);
    }
    if (r.enabled) r.notJudged = notJudged;
    current = next;
  }

  // 2. consistency (tagger agreement)
  {
    const r = newStage('consistency', cons !== null && tagger !== undefined, current);
    if (cons === null) r.note = 'switched off (the structure check still ran)';
    else if (!tagger) r.note = 'no tagger given: only the structure check ran';
    else
      r.settings = {
        minAgreement,
        ...(maxUnclaimed !== undefined ? { maxUnclaimed, unclaimedMinScore } : {}),
      };
    const next: Candidate[] = [];
    let notJudged = 0;
    for (const c of current) {
      if (!r.enabled) {
        keep(r, c, next);
        continue;
      }
      const preds = predictions.get(c)!;
      const ents = judgeable(c);
      if (maxUnclaimed !== undefined) {
        const unclaimed = preds.filter(
          (p) => p.score >= unclaimedMinScore && !c.entities.some((e) => sameSpan(p, e)),
        );
        if (unclaimed.length > maxUnclaimed) {
          drop(
            r,
            c,
            'unclaimed-entities',
            `the tagger finds ${unclaimed.length} unlabelled entities (${unclaimed.map((p) => `${p.text}/${p.type}`).join(', ')}) > ${maxUnclaimed}`,
          );
          continue;
        }
      }
      if (ents.length === 0) {
        notJudged++;
        keep(r, c, next);
        continue;
      }
      const missed = ents.filter((e) => !preds.some((p) => sameSpan(p, e)));
      const agreement = (ents.length - missed.length) / ents.length;
      if (agreement < minAgreement) {
        const describe = (e: CandidateEntity) => {
          const over = preds.filter((p) => p.start < e.end && e.start < p.end);
          return `${e.text}/${e.type} [${e.start},${e.end}) → ${over.length === 0 ? 'nothing' : over.map((p) => `${p.text}/${p.type} [${p.start},${p.end})`).join(' ')}`;
        };
        drop(
          r,
          c,
          'tagger-disagrees',
          `agreement ${agreement.toFixed(2)} < ${minAgreement}: ${missed.map(describe).join('; ')}`,
        );
      } else keep(r, c, next);
    }
    if (r.enabled) r.notJudged = notJudged;
    current = next;
  }

  // 3. similarity
  {
    const r = newStage('similarity', sim !== null, current);
    const next: Candidate[] = [];
    if (sim === null) {
      r.note = 'switched off';
      for (const c of current) keep(r, c, next);
    } else {
      const measure: Similarity = createSimilarity(sim);
      r.settings = {
        method: measure.method,
        n: sim.n ?? 2,
        maxSimilarity: maxSim,
        minSimilarity: minSim,
        ...(measure.method === 'minhash' ? { numHashes: sim.numHashes ?? 128, seed: sim.seed ?? 0 } : {}),
      };
      const keptTexts = new Set<string>();
      const keptBySource = new Map<string, string[]>();
      for (const c of current) {
        const source = ctx.sourceTexts.get(c.sourceId) ?? '';
        const reference = c.reference ?? source;
        if (ctx.inputTexts.has(c.text) || keptTexts.has(c.text)) {
          drop(r, c, 'duplicate', 'the same text is already an input sentence or a kept candidate');
          continue;
        }
        const sSource = measure(c.text, source);
        if (sSource >= maxSim) {
          drop(r, c, 'near-duplicate-source', `similarity to the source ${sSource.toFixed(3)} ≥ ${maxSim}`);
          continue;
        }
        const sRef = reference === source ? sSource : measure(c.text, reference);
        if (sRef >= maxSim) {
          drop(
            r,
            c,
            'near-duplicate-reference',
            `similarity to the reference sentence ${sRef.toFixed(3)} ≥ ${maxSim}`,
          );
          continue;
        }
        if (sRef < minSim) {
          drop(
            r,
            c,
            'drift',
            `similarity to the ${reference === source ? 'source' : 'reference sentence'} ${sRef.toFixed(3)} < ${minSim}`,
          );
          continue;
        }
        const siblings = keptBySource.get(c.sourceId) ?? [];
        let dup: number | undefined;
        for (const t of siblings) {
          const s = measure(c.text, t);
          if (s >= maxSim) {
            dup = s;
            break;
          }
        }
        if (dup !== undefined) {
          drop(
            r,
            c,
            'near-duplicate-candidate',
            `similarity to a kept candidate of the same source ${dup.toFixed(3)} ≥ ${maxSim}`,
          );
          continue;
        }
        siblings.push(c.text);
        keptBySource.set(c.sourceId, siblings);
        keptTexts.add(c.text);
        keep(r, c, next);
      }
    }
    current = next;
  }
  return { kept: current, stages, examples };
}
