import { describe, expect, it } from 'vitest';
import { decodeFloat16, encodeFloat16, fromFloat16Bits, toFloat16Bits } from './float16.js';

describe('float16', () => {
  it('encodes hand-checked values (round to nearest, ties to even)', () => {
    const cases: [number, number][] = [
      [0, 0x0000],
      [-0, 0x8000],
      [1, 0x3c00],
      [-2, 0xc000],
      [0.1, 0x2e66],
      [65504, 0x7bff], // largest finite half
      [65520, 0x7c00], // halfway to 65536: ties to even → Infinity
      [1e6, 0x7c00],
      [Number.NEGATIVE_INFINITY, 0xfc00],
      [2 ** -14, 0x0400], // smallest normal
      [2 ** -24, 0x0001], // smallest subnormal
      [2 ** -25, 0x0000], // halfway to the smallest subnormal: ties to even → 0
      [1.5 * 2 ** -25, 0x0001],
      [1 + 2 ** -11, 0x3c00], // tie: stays even
      [1 + 3 * 2 ** -11, 0x3c02], // tie: rounds up to even
    ];
    for (const [v, bits] of cases) expect(toFloat16Bits(v), `${v}`).toBe(bits);
    expect(toFloat16Bits(Number.NaN) & 0x7c00).toBe(0x7c00);
    expect(toFloat16Bits(Number.NaN) & 0x3ff).not.toBe(0);
  });

  it('decodes bit patterns', () => {
    expect(fromFloat16Bits(0x3c00)).toBe(1);
    expect(fromFloat16Bits(0xc000)).toBe(-2);
    expect(fromFloat16Bits(0x7bff)).toBe(65504);
    expect(fromFloat16Bits(0x0001)).toBe(2 ** -24);
    expect(fromFloat16Bits(0x7c00)).toBe(Number.POSITIVE_INFINITY);
    expect(Number.isNaN(fromFloat16Bits(0x7e00))).toBe(true);
  });

  it('round-trips every finite half exactly', () => {
    const wrong: number[] = [];
    for (let bits = 0; bits < 0x10000; bits++) {
      if ((bits & 0x7c00) === 0x7c00) continue; // Inf / NaN
      if (toFloat16Bits(fromFloat16Bits(bits)) !== bits) wrong.push(bits);
    }
    expect(wrong).toEqual([]);
  });

  it('keeps relative error ≤ 2^-11 in the normal range', () => {
    const values = Float32Array.from({ length: 1000 }, (_, i) => (i - 500) * 0.731 + 0.0123);
    const back = decodeFloat16(encodeFloat16(values));
    values.forEach((v, i) => {
      expect(Math.abs((back[i] as number) - v)).toBeLessThanOrEqual(Math.abs(v) * 2 ** -11);
    });
  });
});
