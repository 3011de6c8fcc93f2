/**
 * Deterministic held-out split by Japanese name: every pair of a Japanese name goes to the same
 * side, so no Japanese name is both trained on and evaluated.
 */
import type { Kb, NamePair } from './kb.js';
import { hashUnit, type PairLang } from './names.js';

/** Options of {@link splitPairs}. */
export interface SplitOptions {
  /** Share of Japanese names held out (default 0.05). */
  fraction?: number;
  /**
   * Share held out among Japanese names that have a Chinese counterpart (default 0.14: about 1,000
   * of the 7,227 ja–zh pairs of the shared KB, enough for a ja→zh pool of ~1,000).
   */
  zhFraction?: number;
  /** Mixed into the hash; another salt gives another split (default `xling`). */
  salt?: string;
}

/** Train and held-out pairs per counterpart language. */
export interface PairSplit {
  train: Record<PairLang, NamePair[]>;
  heldOut: Record<PairLang, NamePair[]>;
  /** The settings used. */
  fraction: number;
  zhFraction: number;
  salt: string;
}

/**
 * Splits pairs by a hash of the Japanese name key: the same input gives the same split on every
 * machine, independent of row order and of any seed.
 */
export function splitPairs(pairs: Kb['pairs'], options: SplitOptions = {}): PairSplit {
  const fraction = options.fraction ?? 0.05;
  const zhFraction = options.zhFraction ?? 0.14;
  const salt = options.salt ?? 'xling';
  for (const [name, v] of [
    ['fraction', fraction],
    ['zhFraction', zhFraction],
  ] as const) {
    if (!(v >= 0 && v < 1)) throw new RangeError(`splitPairs: ${name} must be in [0, 1), got ${v}`);
  }
  const hasZh = new Set(pairs.zh.map((p) => p.jaKey));
  const held = (jaKey: string) =>
    hashUnit(`${salt}\u0000${jaKey}`) < (hasZh.has(jaKey) ? zhFraction : fraction);
  const out: PairSplit = {
    train: { en: [], zh: [] },
    heldOut: { en: [], zh: [] },
    fraction,
    zhFraction,
    salt,
  };
  for (const lang of ['en', 'zh'] as const) {
    for (const p of pairs[lang]) (held(p.jaKey) ? out.heldOut : out.train)[lang].push(p);
  }
  return out;
}
