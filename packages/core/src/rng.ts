/**
 * Seeded pseudo-random numbers: sfc32 (Chris Doty-Humphrey's Small Fast Counting generator, 128-bit
 * state, passes PractRand to 2^40+ bytes) seeded by the cyrb128 hash of the seed's string form.
 * Only 32-bit integer arithmetic (`Math.imul`, `>>>`) is used, so a seed gives the same sequence on
 * every JavaScript engine and platform. Not for cryptography.
 */

/** A seed: numbers and strings are both accepted; `1` and `'1'` give the same stream. */
export type Seed = number | string;

/** Serializable generator state (see {@link Rng.state} and {@link restoreRng}). */
export interface RngState {
  /** The seed path (`seed`, `seed/label`, ...) this generator was created from. */
  key: string;
  /** The four sfc32 words. */
  s: [number, number, number, number];
  /** Cached second Box–Muller deviate, or `null`. */
  spare: number | null;
}

/** A deterministic random number generator. */
export interface Rng {
  /** Uniform float in [0, 1) with 32 bits of resolution. */
  next(): number;
  /** Uniform unsigned 32-bit integer. */
  uint32(): number;
  /** Uniform integer in [0, n); `n` must be a positive integer ≤ 2^32. */
  int(n: number): number;
  /** A uniformly chosen element; throws on an empty array. */
  pick<T>(arr: readonly T[]): T;
  /** Shuffles `arr` in place (Fisher–Yates) and returns it. */
  shuffle<T>(arr: T[]): T[];
  /** A normal deviate (Box–Muller), default mean 0 and standard deviation 1. */
  normal(mean?: number, std?: number): number;
  /**
   * An independent generator for a sub-task. It depends only on this generator's seed path and
   * `label`, not on how many numbers were drawn: `createRng(7).fork(3)` is always the same stream.
   */
  fork(label: Seed): Rng;
  /** A copy of the current state, e.g. to store in a checkpoint. */
  state(): RngState;
}

const TWO_POW_32 = 4294967296;

/** cyrb128 (bryc, public domain): a string to four 32-bit words. */
function cyrb128(str: string): [number, number, number, number] {
  let h1 = 1779033703;
  let h2 = 3144134277;
  let h3 = 1013904242;
  let h4 = 2773480762;
  for (let i = 0; i < str.length; i++) {
    const k = str.charCodeAt(i);
    h1 = h2 ^ Math.imul(h1 ^ k, 597399067);
    h2 = h3 ^ Math.imul(h2 ^ k, 2869860233);
    h3 = h4 ^ Math.imul(h3 ^ k, 951274213);
    h4 = h1 ^ Math.imul(h4 ^ k, 2716044179);
  }
  h1 = Math.imul(h3 ^ (h1 >>> 18), 597399067);
  h2 = Math.imul(h4 ^ (h2 >>> 22), 2869860233);
  h3 = Math.imul(h1 ^ (h3 >>> 17), 951274213);
  h4 = Math.imul(h2 ^ (h4 >>> 19), 2716044179);
  h1 ^= h2 ^ h3 ^ h4;
  h2 ^= h1;
  h3 ^= h1;
  h4 ^= h1;
  return [h1 >>> 0, h2 >>> 0, h3 >>> 0, h4 >>> 0];
}

function seedKey(seed: Seed): string {
  if (typeof seed === 'number') {
    if (!Number.isFinite(seed)) throw new RangeError(`createRng: seed must be a finite number, got ${seed}`);
    return String(seed);
  }
  if (typeof seed !== 'string') {
    throw new TypeError(`createRng: seed must be a number or a string, got ${typeof seed}`);
  }
  return seed;
}

class Sfc32 implements Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  private spare: number | null;

  constructor(
    private readonly key: string,
    s: readonly [number, number, number, number],
    spare: number | null,
  ) {
    [this.a, this.b, this.c, this.d] = s;
    this.spare = spare;
  }

  uint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  next(): number {
    return this.uint32() / TWO_POW_32;
  }

  int(n: number): number {
    if (!Number.isInteger(n) || n <= 0 || n > TWO_POW_32) {
      throw new RangeError(`rng.int(n): n must be a positive integer ≤ 2^32, got ${n}`);
    }
    return Math.floor(this.next() * n);
  }

  pick<T>(arr: readonly T[]): T {
    if (arr.length === 0) throw new RangeError('rng.pick: the array is empty');
    return arr[this.int(arr.length)] as T;
  }

  shuffle<T>(arr: T[]): T[] {
    for (let i = arr.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = arr[i] as T;
      arr[i] = arr[j] as T;
      arr[j] = tmp;
    }
    return arr;
  }

  normal(mean = 0, std = 1): number {
    if (this.spare !== null) {
      const z = this.spare;
      this.spare = null;
      return mean + std * z;
    }
    // 1 - next() is in (0, 1], so the log is finite.
    const u = 1 - this.next();
    const v = this.next();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return mean + std * r * Math.cos(2 * Math.PI * v);
  }

  fork(label: Seed): Rng {
    return fromKey(`${this.key}/${seedKey(label)}`);
  }

  state(): RngState {
    return { key: this.key, s: [this.a >>> 0, this.b >>> 0, this.c >>> 0, this.d >>> 0], spare: this.spare };
  }
}

function fromKey(key: string): Rng {
  const s = cyrb128(key);
  if ((s[0] | s[1] | s[2] | s[3]) === 0) s[3] = 1;
  const rng = new Sfc32(key, s, null);
  // Warm up so that similar keys give unrelated first outputs.
  for (let i = 0; i < 15; i++) rng.uint32();
  return rng;
}

/**
 * Creates a seeded generator.
 * @example
 * const rng = createRng(42);
 * rng.int(10); // same value on every run
 * const episodeRng = rng.fork(3); // independent stream for episode 3
 */
export function createRng(seed: Seed): Rng {
  return fromKey(seedKey(seed));
}

/** Recreates a generator from {@link Rng.state}; it continues exactly where the original was. */
export function restoreRng(state: RngState): Rng {
  const { key, s, spare } = state;
  if (
    typeof key !== 'string' ||
    !Array.isArray(s) ||
    s.length !== 4 ||
    !s.every((w) => Number.isInteger(w) && w >= 0 && w < TWO_POW_32)
  ) {
    throw new TypeError(
      'restoreRng: state must be { key: string, s: [4 uint32 words], spare } from rng.state()',
    );
  }
  return new Sfc32(key, [s[0], s[1], s[2], s[3]], typeof spare === 'number' ? spare : null);
}
