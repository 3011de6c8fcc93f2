/** Averaging per-fold few-shot results: shared by run.ts and combine.ts. */

export interface Summary {
  mean: number;
  ci95: number | null;
}

/** One method's result on one fold and setting: a summary per metric plus the episode count. */
export type FoldResult = { episodes: number } & { [metric: string]: Summary | number };

/**
 * The mean of the fold means for each metric; the folds are independent, so the CI half-widths
 * add in quadrature (divided by the number of folds, as the mean is).
 */
export function averageFolds(byFold: Record<string, FoldResult>, metrics: readonly string[]) {
  const folds = Object.values(byFold);
  const avg: Record<string, Summary> = {};
  for (const m of metrics) {
    const means = folds.map((f) => (f[m] as Summary).mean);
    const cis = folds.map((f) => (f[m] as Summary).ci95 ?? 0);
    avg[m] = {
      mean: means.reduce((a, b) => a + b, 0) / means.length,
      ci95: Math.sqrt(cis.reduce((a, b) => a + b * b, 0)) / cis.length,
    };
  }
  return { ...avg, episodes: folds.reduce((a, f) => a + f.episodes, 0), folds: byFold };
}
