/**
 * Summary statistics for per-episode metrics: mean, sample standard deviation and a confidence
 * interval from Student's t distribution (normal distribution for very many episodes).
 *
 * The t quantile is computed, not looked up: the t CDF comes from the regularized incomplete beta
 * function (Lentz continued fraction, as in Numerical Recipes §6.4) and is inverted by bisection,
 * which gives ~1e-10 absolute accuracy for any degrees of freedom.
 */

/** Degrees of freedom above which {@link criticalValue} uses the normal quantile instead of t. */
export const NORMAL_APPROXIMATION_DF = 1000;

/** Mean, spread and confidence interval of one metric over episodes. */
export interface MetricSummary {
  /** Number of values summarised. */
  n: number;
  /** Arithmetic mean (`NaN` only when `n = 0`). */
  mean: number;
  /** Sample standard deviation (divisor `n - 1`); `null` when `n < 2`. */
  std: number | null;
  /**
   * Half-width of the two-sided confidence interval for the mean, `q · std / √n` with `q` from
   * {@link criticalValue}; the interval is `mean ± ci95`. `null` when `n < 2`.
   */
  ci95: number | null;
}

const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

/** Natural log of the gamma function for x > 0 (Lanczos, g = 7; ~1e-15 relative error). */
function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const z = x - 1;
  let a = LANCZOS[0]!;
  const t = z + 7.5;
  for (let i = 1; i < 9; i++) a += LANCZOS[i]! / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

/** Continued fraction for the incomplete beta function (modified Lentz). */
function betaContinuedFraction(x: number, a: number, b: number): number {
  const tiny = 1e-300;
  const qab = a + b;
  const qap = a + 1;
  const qam = a - 1;
  let c = 1;
  let d = 1 - (qab * x) / qap;
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 10_000; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((qam + m2) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (qab + m) * x) / ((a + m2) * (qap + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < 1e-15) break;
  }
  return h;
}

/** Regularized incomplete beta function I_x(a, b). */
function regularizedBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x));
  if (x < (a + 1) / (a + b + 2)) return (front * betaContinuedFraction(x, a, b)) / a;
  return 1 - (front * betaContinuedFraction(1 - x, b, a)) / b;
}

/** Cumulative distribution function of Student's t with `df` degrees of freedom. */
export function tCdf(t: number, df: number): number {
  if (!(df > 0)) throw new RangeError(`tCdf: df = ${df} must be > 0`);
  if (t === Number.POSITIVE_INFINITY) return 1;
  if (t === Number.NEGATIVE_INFINITY) return 0;
  const tail = 0.5 * regularizedBeta(df / (df + t * t), df / 2, 0.5);
  return t >= 0 ? 1 - tail : tail;
}

/**
 * Quantile (inverse CDF) of Student's t distribution: the `t` with `P(T ≤ t) = p`.
 * Exact up to ~1e-10 for any `df > 0` (bisection on {@link tCdf}).
 */
export function tQuantile(p: number, df: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`tQuantile: p = ${p} must be in (0, 1)`);
  if (!(df > 0)) throw new RangeError(`tQuantile: df = ${df} must be > 0`);
  if (p === 0.5) return 0;
  if (p < 0.5) return -tQuantile(1 - p, df);
  let lo = 0;
  let hi = 1;
  while (tCdf(hi, df) < p) {
    lo = hi;
    hi *= 2;
  }
  for (let i = 0; i < 200 && hi - lo > 1e-13 * Math.max(1, hi); i++) {
    const mid = (lo + hi) / 2;
    if (tCdf(mid, df) < p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/** Evaluates the polynomial with coefficients `c` (highest degree first) at `x`. */
function horner(c: readonly number[], x: number): number {
  let y = 0;
  for (const k of c) y = y * x + k;
  return y;
}

// Acklam's coefficients for the normal quantile (central region A/B, tails C/D).
const ACKLAM_A = [
  -3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1,
  2.506628277459239,
];
const ACKLAM_B = [
  -5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1,
  1,
];
const ACKLAM_C = [
  -7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968,
  2.938163982698783,
];
const ACKLAM_D = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416, 1];

/**
 * Quantile of the standard normal distribution (Acklam's rational approximation, relative error
 * below 1.2e-9).
 */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`normalQuantile: p = ${p} must be in (0, 1)`);
  if (p > 0.5) return -normalQuantile(1 - p);
  if (p < 0.02425) {
    const q = Math.sqrt(-2 * Math.log(p));
    return horner(ACKLAM_C, q) / horner(ACKLAM_D, q);
  }
  const q = p - 0.5;
  const r = q * q;
  return (horner(ACKLAM_A, r) * q) / horner(ACKLAM_B, r);
}

/**
 * Two-sided critical value for a confidence interval of the mean of `n` values at `level`
 * (e.g. 0.95): Student's t quantile `t(1 - (1 - level)/2, n - 1)` while `n - 1 ≤`
 * {@link NORMAL_APPROXIMATION_DF}, the normal quantile above (they differ by < 0.002 there).
 */
export function criticalValue(n: number, level = 0.95): number {
  if (!(level > 0 && level < 1)) throw new RangeError(`criticalValue: level = ${level} must be in (0, 1)`);
  if (!(Number.isInteger(n) && n >= 2))
    throw new RangeError(`criticalValue: n = ${n} must be an integer ≥ 2`);
  const p = 1 - (1 - level) / 2;
  const df = n - 1;
  return df <= NORMAL_APPROXIMATION_DF ? tQuantile(p, df) : normalQuantile(p);
}

/**
 * Mean, sample standard deviation and 95% (or `level`) confidence half-width of `values`.
 * `n = 0` gives `mean = NaN`; `n < 2` gives `std = ci95 = null`.
 */
export function summarize(values: readonly number[], level = 0.95): MetricSummary {
  const n = values.length;
  if (n === 0) return { n, mean: Number.NaN, std: null, ci95: null };
  let sum = 0;
  for (const v of values) sum += v;
  const mean = sum / n;
  if (n < 2) return { n, mean, std: null, ci95: null };
  let ss = 0;
  for (const v of values) ss += (v - mean) * (v - mean);
  const std = Math.sqrt(ss / (n - 1));
  return { n, mean, std, ci95: (criticalValue(n, level) * std) / Math.sqrt(n) };
}
