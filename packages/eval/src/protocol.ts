/**
 * The N-way K-shot episode protocol: adapt a {@link FewShotLearner} to each episode's support set,
 * tag its query texts, score them, and aggregate over episodes.
 */
import type {
  Entity,
  EntityType,
  Episode,
  FewShotLearner,
  Prediction,
  SampleEpisodesOptions,
  Sentence,
  Tagger,
} from '@nerima/core';
import { sampleEpisodes } from '@nerima/core';
import { SpanMetricsAccumulator, type SpanReport } from './metrics.js';
import { type MetricSummary, summarize } from './stats.js';

/** The scalar metrics kept for every episode (scores in [0, 1], times in milliseconds). */
export interface EpisodeMetrics {
  /** Mean per-type F1 over the episode's N types (a type absent from gold and predictions scores 0). */
  macroF1: number;
  macroPrecision: number;
  macroRecall: number;
  microF1: number;
  microPrecision: number;
  microRecall: number;
  /** Boundary accuracies over the query's gold entities (see `BoundaryReport`). */
  startAccuracy: number;
  endAccuracy: number;
  spanAccuracy: number;
  /** F1 of `(start, end)` ignoring type. */
  untypedF1: number;
  /** Wall time of `learner.adapt(support, types)`. */
  adaptMs: number;
  /** Wall time of `tagger.predict(queryTexts)`. */
  predictMs: number;
}

/** The names of {@link EpisodeMetrics}, in a fixed order. */
export const EPISODE_METRICS = [
  'macroF1',
  'macroPrecision',
  'macroRecall',
  'microF1',
  'microPrecision',
  'microRecall',
  'startAccuracy',
  'endAccuracy',
  'spanAccuracy',
  'untypedF1',
  'adaptMs',
  'predictMs',
] as const satisfies readonly (keyof EpisodeMetrics)[];

/** What one episode produced. */
export interface EpisodeResult {
  /** Position of the episode in the input array. */
  position: number;
  /** `episode.index` and `episode.seed` when the episode carries them. */
  index?: number;
  seed?: number;
  types: EntityType[];
  supportSize: number;
  querySize: number;
  metrics: EpisodeMetrics;
  /** The full span report of the query (macro over `types`). */
  report: SpanReport;
}

/** Aggregate of a protocol run. */
export interface ProtocolResult {
  /** `learner.name`. */
  learner: string;
  episodes: EpisodeResult[];
  /** Mean, std and 95% CI half-width of each episode metric over all episodes. */
  summary: Record<keyof EpisodeMetrics, MetricSummary>;
  /** Per type: summary of that type's per-episode F1 over the episodes that include the type. */
  perType: Record<EntityType, MetricSummary>;
  /**
   * Counts pooled over every query sentence of every episode, then scored once; its macro is over
   * all types seen (gold ∪ predictions).
   */
  pooled: SpanReport;
}

/** Progress after each finished episode. */
export interface ProtocolProgress {
  done: number;
  total: number;
  result: EpisodeResult;
}

/** Options of {@link runEpisodes}. */
export interface RunEpisodesOptions {
  /** Called after each episode. */
  onProgress?: (progress: ProtocolProgress) => void;
  /**
   * Aborts the run: checked before each episode and after each adapt/predict call (a running
   * `adapt` or `predict` cannot be interrupted). The tagger is still disposed; the promise rejects
   * with `signal.reason`.
   */
  signal?: AbortSignal;
}

function restrictGold(entities: readonly Entity[], types: ReadonlySet<EntityType>): Entity[] {
  return entities.filter((e) => types.has(e.type));
}

function checkEpisode(episode: Episode, position: number): void {
  const where = `episodes[${position}]`;
  if (episode === null || typeof episode !== 'object')
    throw new TypeError(`${where} is not an episode object`);
  if (!Array.isArray(episode.types) || episode.types.length === 0) {
    throw new TypeError(`${where}.types must be a non-empty array of entity types`);
  }
  if (new Set(episode.types).size !== episode.types.length) {
    throw new TypeError(`${where}.types = ${JSON.stringify(episode.types)} lists a type twice`);
  }
  if (!Array.isArray(episode.support)) throw new TypeError(`${where}.support must be an array of sentences`);
  if (!Array.isArray(episode.query) || episode.query.length === 0) {
    throw new TypeError(`${where}.query must be a non-empty array of sentences`);
  }
}

async function runOne(learner: FewShotLearner, episode: Episode, position: number, signal?: AbortSignal) {
  const types = [...episode.types];
  const typeSet = new Set(types);
  const t0 = performance.now();
  const tagger: Tagger = await learner.adapt(episode.support, types);
  const adaptMs = performance.now() - t0;
  let predictions: Prediction[][];
  let predictMs: number;
  try {
    signal?.throwIfAborted();
    const texts = episode.query.map((s) => s.text);
    const t1 = performance.now();
    predictions = await tagger.predict(texts);
    predictMs = performance.now() - t1;
    signal?.throwIfAborted();
  } finally {
    tagger.dispose?.();
  }
  if (!Array.isArray(predictions) || predictions.length !== episode.query.length) {
    throw new RangeError(
      `episodes[${position}]: ${learner.name} tagger.predict returned ${
        Array.isArray(predictions) ? predictions.length : typeof predictions
      } prediction lists for ${episode.query.length} query texts; it must return one list per text`,
    );
  }
  const acc = new SpanMetricsAccumulator({ types });
  try {
    for (let i = 0; i < episode.query.length; i++) {
      acc.add(restrictGold(episode.query[i]!.entities, typeSet), predictions[i]!);
    }
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    throw new TypeError(`episodes[${position}] query ${message} (learner ${learner.name})`, { cause: err });
  }
  return { report: acc.report(), predictions, adaptMs, predictMs };
}

/**
 * Runs the N-way K-shot protocol. For each episode, in order: `tagger = await
 * learner.adapt(episode.support, episode.types)`, `tagger.predict(query texts)`, score against the
 * query gold restricted to `episode.types` (macro over exactly those types), `tagger.dispose()`.
 * Predictions are not filtered: a predicted type outside `episode.types` is a false positive.
 * Episodes run one at a time (timings stay comparable).
 */
export async function runEpisodes(
  learner: FewShotLearner,
  episodes: readonly Episode[],
  options: RunEpisodesOptions = {},
): Promise<ProtocolResult> {
  const { onProgress, signal } = options;
  if (!Array.isArray(episodes) || episodes.length === 0) {
    throw new RangeError('runEpisodes: no episodes; sample some first (sampleEpisodes from @nerima/core)');
  }
  episodes.forEach(checkEpisode);
  const pooled = new SpanMetricsAccumulator();
  const results: EpisodeResult[] = [];
  const perTypeF1 = new Map<EntityType, number[]>();

  for (let position = 0; position < episodes.length; position++) {
    signal?.throwIfAborted();
    const episode: Episode = episodes[position]!;
    const { report, predictions, adaptMs, predictMs } = await runOne(learner, episode, position, signal);
    const typeSet = new Set<EntityType>(episode.types);
    for (let i = 0; i < episode.query.length; i++) {
      pooled.add(restrictGold(episode.query[i]!.entities, typeSet), predictions[i]!);
    }
    for (const t of episode.types) {
      let list = perTypeF1.get(t);
      if (list === undefined) {
        list = [];
        perTypeF1.set(t, list);
      }
      list.push(report.perType[t]!.f1);
    }
    const result: EpisodeResult = {
      position,
      ...(episode.index !== undefined ? { index: episode.index } : {}),
      ...(episode.seed !== undefined ? { seed: episode.seed } : {}),
      types: [...episode.types],
      supportSize: episode.support.length,
      querySize: episode.query.length,
      metrics: {
        macroF1: report.macro.f1,
        macroPrecision: report.macro.precision,
        macroRecall: report.macro.recall,
        microF1: report.micro.f1,
        microPrecision: report.micro.precision,
        microRecall: report.micro.recall,
        startAccuracy: report.boundary.start,
        endAccuracy: report.boundary.end,
        spanAccuracy: report.boundary.span,
        untypedF1: report.untyped.f1,
        adaptMs,
        predictMs,
      },
      report,
    };
    results.push(result);
    onProgress?.({ done: position + 1, total: episodes.length, result });
  }

  const summary = Object.fromEntries(
    EPISODE_METRICS.map((m) => [m, summarize(results.map((r) => r.metrics[m]))]),
  ) as Record<keyof EpisodeMetrics, MetricSummary>;
  const perType: Record<EntityType, MetricSummary> = {};
  for (const t of [...perTypeF1.keys()].sort()) {
    Object.defineProperty(perType, t, {
      value: summarize(perTypeF1.get(t)!),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return { learner: learner.name, episodes: results, summary, perType, pooled: pooled.report() };
}

/** One N-way K-shot setting. */
export interface ProtocolSetting {
  /** Display name, e.g. `5-way 1-shot`. */
  name: string;
  /** Types per episode. */
  n: number;
  /** Support mentions per type. */
  k: number;
}

/**
 * The default settings: 5-way 1-shot and 5-way 5-shot, with N lowered to the number of test types
 * when there are fewer than 5 (`3-way 1-shot`, `3-way 5-shot`). `testTypes` is the list of types
 * or their count.
 */
export function defaultSettings(testTypes: readonly EntityType[] | number): ProtocolSetting[] {
  const count = typeof testTypes === 'number' ? testTypes : new Set(testTypes).size;
  if (!Number.isInteger(count) || count < 1) {
    throw new RangeError(`defaultSettings: ${count} test types; the test set needs at least one entity type`);
  }
  const n = Math.min(5, count);
  return [1, 5].map((k) => ({ name: `${n}-way ${k}-shot`, n, k }));
}

/** Options of {@link runSetting}: episode sampling (all but `n`, `k`) plus {@link RunEpisodesOptions}. */
export type RunSettingOptions = Omit<SampleEpisodesOptions, 'n' | 'k'> & RunEpisodesOptions;

/**
 * Samples `options.count` episodes of `setting` from `sentences` with `sampleEpisodes` from
 * `@nerima/core` (seeded: the same `seed` gives the same episodes) and runs them with
 * {@link runEpisodes}. Sampling errors (`SamplingError`) propagate unchanged.
 */
export async function runSetting(
  learner: FewShotLearner,
  sentences: readonly Sentence[],
  setting: ProtocolSetting,
  options: RunSettingOptions,
): Promise<ProtocolResult> {
  const { onProgress, signal, ...sampling } = options;
  const episodes = sampleEpisodes(sentences, { ...sampling, n: setting.n, k: setting.k });
  return runEpisodes(learner, episodes, { onProgress, signal });
}
