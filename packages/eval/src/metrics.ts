/**
 * Span-level NER metrics with exact match on `(start, end, type)`.
 *
 * Per sentence, gold and predicted entities are compared as **sets** of `(start, end, type)`
 * triples: a duplicate triple counts once (on either side), nested and overlapping spans are
 * ordinary members of the set, and two entities with the same span but different types are two
 * items. Counts are summed over sentences; scores follow seqeval's conventions (see
 * {@link scores}). For non-nested IOB2 data this equals seqeval's `classification_report` with
 * `mode='strict', scheme=IOB2`.
 */
import type { Entity, EntityType } from '@nerima/core';

/** True positives, false positives and false negatives. */
export interface Counts {
  tp: number;
  fp: number;
  fn: number;
}

/** Precision, recall and F1, each in [0, 1]. */
export interface Scores {
  precision: number;
  recall: number;
  f1: number;
}

/** Counts and scores of one entity type. */
export interface TypeReport extends Counts, Scores {
  /** Number of gold items of this type (`tp + fn`). */
  support: number;
}

/**
 * Boundary accuracy over gold items: the fraction of gold items (typed triples, counted as in
 * `micro`) for which **some** prediction in the same sentence, of any type, has the same start
 * (`start`), the same end (`end`) or the same `(start, end)` (`span`). 0 when there is no gold item.
 */
export interface BoundaryReport {
  /** Number of gold items (the denominator). */
  gold: number;
  startHits: number;
  endHits: number;
  spanHits: number;
  start: number;
  end: number;
  span: number;
}

/** The result of a span-level evaluation. */
export interface SpanReport {
  /** Number of sentences evaluated. */
  sentences: number;
  /** Number of distinct gold `(start, end, type)` items. */
  gold: number;
  /** Number of distinct predicted `(start, end, type)` items. */
  predicted: number;
  /** Counts summed over all types, then scored. */
  micro: Counts & Scores;
  /** Unweighted means of the per-type precision, recall and F1 over `macro.types`. */
  macro: Scores & { types: EntityType[] };
  /** Means of the per-type scores over `macro.types`, weighted by support (seqeval's "weighted avg"). */
  weighted: Scores;
  /** Every type seen in gold, predictions or `options.types`, sorted by code unit order. */
  perType: Record<EntityType, TypeReport>;
  /** Exact match on `(start, end)` only: spans compared as sets, ignoring type. */
  untyped: Counts & Scores;
  boundary: BoundaryReport;
}

/** Options of {@link evaluateSpans} and {@link SpanMetricsAccumulator}. */
export interface SpanMetricsOptions {
  /**
   * The types to macro- and weighted-average over, in this order. Default: every type that occurs
   * in gold or predictions (as seqeval). Listed types that never occur score 0 (0/0 convention)
   * and still count in the macro mean. Entities of unlisted types are **not** dropped: they still
   * count in `micro`, `untyped`, `boundary` and `perType`; filter the inputs to exclude them.
   */
  types?: readonly EntityType[];
}

function ratio(num: number, den: number): number {
  return den === 0 ? 0 : num / den;
}

/**
 * Precision `tp / (tp + fp)`, recall `tp / (tp + fn)` and F1 `2PR / (P + R)`, with seqeval's
 * zero-division conventions: precision is 0 when there is no prediction, recall is 0 when there is
 * no gold item, and F1 is 0 when `P + R = 0`.
 */
export function scores(counts: Counts): Scores {
  const precision = ratio(counts.tp, counts.tp + counts.fp);
  const recall = ratio(counts.tp, counts.tp + counts.fn);
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { precision, recall, f1 };
}

function describe(e: unknown): string {
  try {
    return JSON.stringify(e) ?? String(e);
  } catch {
    return String(e);
  }
}

function checkEntity(e: Entity, where: string): void {
  if (e === null || typeof e !== 'object') {
    throw new TypeError(`${where} is ${describe(e)}, expected an entity {start, end, type}`);
  }
  if (!Number.isInteger(e.start) || e.start < 0) {
    throw new TypeError(
      `${where}.start = ${describe(e.start)} must be a non-negative integer (UTF-16 offset)`,
    );
  }
  if (!Number.isInteger(e.end) || e.end <= e.start) {
    throw new TypeError(
      `${where}.end = ${describe(e.end)} must be an integer greater than start = ${e.start} (end is exclusive)`,
    );
  }
  if (typeof e.type !== 'string' || e.type.length === 0) {
    throw new TypeError(`${where}.type = ${describe(e.type)} must be a non-empty string`);
  }
}

function tripleKey(e: Entity): string {
  return `${e.start}:${e.end}:${e.type}`;
}

function spanKey(e: Entity): string {
  return `${e.start}:${e.end}`;
}

/**
 * Streaming span evaluation: feed one sentence at a time with {@link add}, read the totals with
 * {@link report} at any point. Memory is O(number of types), independent of the number of sentences.
 */
export class SpanMetricsAccumulator {
  readonly #types: readonly EntityType[] | undefined;
  readonly #perType = new Map<EntityType, Counts>();
  readonly #untyped: Counts = { tp: 0, fp: 0, fn: 0 };
  #sentences = 0;
  #startHits = 0;
  #endHits = 0;
  #spanHits = 0;

  constructor(options: SpanMetricsOptions = {}) {
    if (options.types !== undefined) {
      const seen = new Set<EntityType>();
      options.types.forEach((t, i) => {
        if (typeof t !== 'string' || t.length === 0) {
          throw new TypeError(`options.types[${i}] = ${describe(t)} must be a non-empty string`);
        }
        if (seen.has(t)) throw new TypeError(`options.types[${i}] = ${describe(t)} is listed twice`);
        seen.add(t);
        this.#counts(t);
      });
      this.#types = [...options.types];
    }
  }

  #counts(type: EntityType): Counts {
    let c = this.#perType.get(type);
    if (c === undefined) {
      c = { tp: 0, fp: 0, fn: 0 };
      this.#perType.set(type, c);
    }
    return c;
  }

  /**
   * Adds one sentence: its gold entities and the predicted entities (offsets into the same text).
   * Throws a `TypeError` naming `gold[i]` / `pred[i]` and the field when an entity is malformed.
   */
  add(gold: readonly Entity[], pred: readonly Entity[]): this {
    const sentence = this.#sentences;
    if (!Array.isArray(gold)) throw new TypeError(`gold for sentence ${sentence} is not an array`);
    if (!Array.isArray(pred)) throw new TypeError(`pred for sentence ${sentence} is not an array`);
    const goldItems = new Map<string, Entity>();
    gold.forEach((e, i) => {
      checkEntity(e, `sentence ${sentence}: gold[${i}]`);
      goldItems.set(tripleKey(e), e);
    });
    const predItems = new Map<string, Entity>();
    const predStarts = new Set<number>();
    const predEnds = new Set<number>();
    const predSpans = new Set<string>();
    pred.forEach((e, i) => {
      checkEntity(e, `sentence ${sentence}: pred[${i}]`);
      predItems.set(tripleKey(e), e);
      predStarts.add(e.start);
      predEnds.add(e.end);
      predSpans.add(spanKey(e));
    });

    const goldSpans = new Set<string>();
    for (const [key, e] of goldItems) {
      const c = this.#counts(e.type);
      if (predItems.has(key)) c.tp++;
      else c.fn++;
      goldSpans.add(spanKey(e));
      if (predStarts.has(e.start)) this.#startHits++;
      if (predEnds.has(e.end)) this.#endHits++;
      if (predSpans.has(spanKey(e))) this.#spanHits++;
    }
    for (const [key, e] of predItems) {
      if (!goldItems.has(key)) this.#counts(e.type).fp++;
    }

    for (const s of goldSpans) {
      if (predSpans.has(s)) this.#untyped.tp++;
      else this.#untyped.fn++;
    }
    for (const s of predSpans) if (!goldSpans.has(s)) this.#untyped.fp++;

    this.#sentences++;
    return this;
  }

  /** Number of sentences added so far. */
  get sentences(): number {
    return this.#sentences;
  }

  /** The metrics over everything added so far (a fresh object; the accumulator keeps going). */
  report(): SpanReport {
    const names = [...this.#perType.keys()].sort(); // UTF-16 code unit order
    const perType: Record<EntityType, TypeReport> = {};
    const micro: Counts = { tp: 0, fp: 0, fn: 0 };
    for (const name of names) {
      const c = this.#perType.get(name)!;
      micro.tp += c.tp;
      micro.fp += c.fp;
      micro.fn += c.fn;
      // defineProperty: a type named "__proto__" stays an own property.
      Object.defineProperty(perType, name, {
        value: { tp: c.tp, fp: c.fp, fn: c.fn, ...scores(c), support: c.tp + c.fn },
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }

    const macroTypes = this.#types ? [...this.#types] : names;
    const macro: Scores = { precision: 0, recall: 0, f1: 0 };
    const weighted: Scores = { precision: 0, recall: 0, f1: 0 };
    let totalSupport = 0;
    for (const t of macroTypes) {
      const r = perType[t]!;
      macro.precision += r.precision;
      macro.recall += r.recall;
      macro.f1 += r.f1;
      weighted.precision += r.precision * r.support;
      weighted.recall += r.recall * r.support;
      weighted.f1 += r.f1 * r.support;
      totalSupport += r.support;
    }
    const m = macroTypes.length;
    const gold = micro.tp + micro.fn;
    return {
      sentences: this.#sentences,
      gold,
      predicted: micro.tp + micro.fp,
      micro: { ...micro, ...scores(micro) },
      macro: {
        precision: ratio(macro.precision, m),
        recall: ratio(macro.recall, m),
        f1: ratio(macro.f1, m),
        types: macroTypes,
      },
      weighted: {
        precision: ratio(weighted.precision, totalSupport),
        recall: ratio(weighted.recall, totalSupport),
        f1: ratio(weighted.f1, totalSupport),
      },
      perType,
      untyped: { ...this.#untyped, ...scores(this.#untyped) },
      boundary: {
        gold,
        startHits: this.#startHits,
        endHits: this.#endHits,
        spanHits: this.#spanHits,
        start: ratio(this.#startHits, gold),
        end: ratio(this.#endHits, gold),
        span: ratio(this.#spanHits, gold),
      },
    };
  }
}

/**
 * Evaluates predictions against gold, sentence by sentence: `gold[i]` and `pred[i]` are the entity
 * lists of sentence `i`. See {@link SpanReport} for every metric and {@link SpanMetricsOptions}
 * for `types`. Throws when the two lists have different lengths or an entity is malformed.
 */
export function evaluateSpans(
  gold: readonly (readonly Entity[])[],
  pred: readonly (readonly Entity[])[],
  options: SpanMetricsOptions = {},
): SpanReport {
  if (!Array.isArray(gold) || !Array.isArray(pred)) {
    throw new TypeError('evaluateSpans(gold, pred): both must be arrays with one entity list per sentence');
  }
  if (gold.length !== pred.length) {
    throw new RangeError(
      `evaluateSpans: gold has ${gold.length} sentences but pred has ${pred.length}; pass one prediction list per gold sentence, in the same order`,
    );
  }
  const acc = new SpanMetricsAccumulator(options);
  for (let i = 0; i < gold.length; i++) acc.add(gold[i]!, pred[i]!);
  return acc.report();
}
