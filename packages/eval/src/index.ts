export { LexiconLearner, type LexiconLearnerOptions } from './baselines/lexicon.js';
export {
  type BoundaryReport,
  type Counts,
  evaluateSpans,
  type Scores,
  SpanMetricsAccumulator,
  type SpanMetricsOptions,
  type SpanReport,
  scores,
  type TypeReport,
} from './metrics.js';
export {
  defaultSettings,
  EPISODE_METRICS,
  type EpisodeMetrics,
  type EpisodeResult,
  type ProtocolProgress,
  type ProtocolResult,
  type ProtocolSetting,
  type RunEpisodesOptions,
  type RunSettingOptions,
  runEpisodes,
  runSetting,
} from './protocol.js';
export {
  type BuildReportOptions,
  buildReport,
  type EvalReport,
  type ReportRun,
  renderMarkdown,
  renderSvg,
  type WrittenReport,
  writeReport,
} from './report.js';
export {
  criticalValue,
  type MetricSummary,
  NORMAL_APPROXIMATION_DF,
  normalQuantile,
  summarize,
  tCdf,
  tQuantile,
} from './stats.js';
