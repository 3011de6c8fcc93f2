import { describe, expect, it } from 'vitest';
import { criticalValue, normalQuantile, summarize, tCdf, tQuantile } from './stats.js';

describe('tQuantile', () => {
  it('matches the closed forms for df = 1 and df = 2', () => {
    for (const p of [0.6, 0.9, 0.975, 0.995]) {
      expect(tQuantile(p, 1)).toBeCloseTo(Math.tan(Math.PI * (p - 0.5)), 8);
      expect(tQuantile(p, 2)).toBeCloseTo((2 * p - 1) / Math.sqrt(2 * p * (1 - p)), 8);
    }
  });

  it('matches published t tables (two-sided 95% and one-sided 95%)', () => {
    const table: [number, number, number][] = [
      [0.975, 3, 3.182446305],
      [0.975, 4, 2.776445105],
      [0.975, 9, 2.262157163],
      [0.975, 29, 2.045229642],
      [0.975, 99, 1.984216952],
      [0.975, 1000, 1.962339081],
      [0.95, 10, 1.812461123],
      [0.995, 3, 5.84090931],
    ];
    for (const [p, df, t] of table) expect(tQuantile(p, df)).toBeCloseTo(t, 7);
  });

  it('is antisymmetric, inverts tCdf and rejects invalid arguments', () => {
    expect(tQuantile(0.5, 7)).toBe(0);
    expect(tQuantile(0.025, 5)).toBeCloseTo(-tQuantile(0.975, 5), 12);
    expect(tCdf(tQuantile(0.8, 3.5), 3.5)).toBeCloseTo(0.8, 10);
    expect(() => tQuantile(1, 3)).toThrow(RangeError);
    expect(() => tQuantile(0.9, 0)).toThrow(RangeError);
  });
});

describe('normalQuantile', () => {
  it('matches standard normal quantiles', () => {
    expect(normalQuantile(0.975)).toBeCloseTo(1.959963985, 8);
    expect(normalQuantile(0.9)).toBeCloseTo(1.281551566, 8);
    expect(normalQuantile(0.001)).toBeCloseTo(-3.090232306, 8);
    expect(normalQuantile(0.5)).toBe(0);
  });
});

describe('criticalValue', () => {
  it('uses t with n - 1 degrees of freedom for small n and the normal quantile for large n', () => {
    expect(criticalValue(5)).toBeCloseTo(2.776445105, 7);
    expect(criticalValue(1001)).toBeCloseTo(1.962339081, 7);
    expect(criticalValue(1002)).toBeCloseTo(1.959963985, 8);
    expect(criticalValue(10, 0.9)).toBeCloseTo(1.833112933, 7);
    expect(() => criticalValue(1)).toThrow(RangeError);
  });
});

describe('summarize', () => {
  it('gives mean, sample std and the t-based 95% half-width', () => {
    const s = summarize([1, 2, 3, 4, 5]);
    expect(s.n).toBe(5);
    expect(s.mean).toBe(3);
    expect(s.std).toBeCloseTo(Math.sqrt(2.5), 12);
    expect(s.ci95).toBeCloseTo((2.776445105 * Math.sqrt(2.5)) / Math.sqrt(5), 7);
  });

  it('reports no spread for fewer than two values', () => {
    expect(summarize([0.4])).toEqual({ n: 1, mean: 0.4, std: null, ci95: null });
    const empty = summarize([]);
    expect(empty.n).toBe(0);
    expect(empty.mean).toBeNaN();
  });

  it('gives zero width for constant values', () => {
    expect(summarize([0.5, 0.5, 0.5])).toEqual({ n: 3, mean: 0.5, std: 0, ci95: 0 });
  });
});
