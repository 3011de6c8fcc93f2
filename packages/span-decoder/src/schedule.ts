/** Learning-rate schedules: linear warmup, then cosine or linear decay (or constant). */

/** A learning-rate schedule over the whole run. */
export interface LrSchedule {
  /** Warmup length as a fraction of all steps (default 0.06); ignored when `warmupSteps` is set. */
  warmupFraction?: number;
  /** Warmup length in steps. */
  warmupSteps?: number;
  /** Shape after warmup (default `'linear'`). */
  decay?: 'cosine' | 'linear' | 'constant';
  /** Final learning rate as a fraction of the peak (default 0). */
  minFactor?: number;
}

/**
 * Learning rate at optimizer step `step` (0-based) of `totalSteps`: rises linearly from
 * `peak / warmup` to `peak` over the warmup, then decays to `peak · minFactor` at the last step.
 */
export function learningRateAt(
  step: number,
  totalSteps: number,
  peak: number,
  schedule: LrSchedule = {},
): number {
  const total = Math.max(1, totalSteps);
  const warmup = Math.min(
    total,
    Math.max(0, Math.round(schedule.warmupSteps ?? (schedule.warmupFraction ?? 0.06) * total)),
  );
  const minFactor = schedule.minFactor ?? 0;
  if (step < warmup) return (peak * (step + 1)) / warmup;
  const decaySteps = Math.max(1, total - warmup);
  const progress = Math.min(1, (step - warmup) / decaySteps);
  switch (schedule.decay ?? 'linear') {
    case 'constant':
      return peak;
    case 'cosine':
      return peak * (minFactor + (1 - minFactor) * 0.5 * (1 + Math.cos(Math.PI * progress)));
    default:
      return peak * (minFactor + (1 - minFactor) * (1 - progress));
  }
}
