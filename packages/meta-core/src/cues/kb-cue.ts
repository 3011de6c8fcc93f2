/**
 * The KB cue: which knowledge-base categories (type:subtype, e.g. LOCATION:place, FACILITY:station,
 * CORPORATION:company, PRODUCT:work) the span's name has, exactly, as a suffix (東京都|庁 → no;
 * JR|京都駅 → FACILITY:station), or inside it; plus one "not in the KB" bit. Names are compared
 * after NFKC, as code points.
 */
import type { KbEntry } from '@nerima/encoder';
import { kbCategory as keyOf } from '../distant/kb-matcher.js';
import type { SpanCue } from './registry.js';

/** One KB entry as the cue reads it (encoder's `KbEntry`: `../shared/data/kb/entities.jsonl` rows). */
export type KbCueEntry = Pick<KbEntry, 'ja' | 'type' | 'subtype'>;

/** Options of {@link createKbCue}. */
export interface KbCueOptions {
  /** Registry name. Default `'kb'`. */
  name?: string;
  /** Categories to use, in order (default: every type:subtype in the entries, most frequent first, at most 31). */
  categories?: readonly string[];
}

/** Builds the KB cue from KB entries. */
export function createKbCue(
  entries: Iterable<KbCueEntry>,
  options: KbCueOptions = {},
): SpanCue & { categories: string[] } {
  const rows = [...entries];
  let categories = options.categories ? [...options.categories] : [];
  if (!options.categories) {
    const counts = new Map<string, number>();
    for (const e of rows) counts.set(keyOf(e), (counts.get(keyOf(e)) ?? 0) + 1);
    categories = [...counts.entries()]
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
      .slice(0, 31)
      .map(([k]) => k);
  }
  if (categories.length > 31)
    throw new RangeError(`createKbCue: at most 31 categories, got ${categories.length}`);
  const bit = new Map(categories.map((c, i) => [c, 1 << i]));
  const names = new Map<string, number>();
  let longest = 0;
  for (const e of rows) {
    const b = bit.get(keyOf(e));
    if (!b || typeof e.ja !== 'string' || e.ja.length === 0) continue;
    const key = e.ja.normalize('NFKC');
    names.set(key, (names.get(key) ?? 0) | b);
    longest = Math.max(longest, Array.from(key).length);
  }
  const C = categories.length;
  return {
    name: options.name ?? 'kb',
    dim: 3 * C + 1,
    categories,
    write(text, out, offset) {
      const chars = Array.from(text.normalize('NFKC'));
      const n = chars.length;
      const exact = names.get(chars.join('')) ?? 0;
      let suffix = 0;
      let inside = 0;
      for (let i = 0; i < n; i++) {
        for (let j = i + 1; j <= Math.min(n, i + longest); j++) {
          if (j - i === n || j - i < 2) continue; // whole name = exact; single characters say little
          const m = names.get(chars.slice(i, j).join('')) ?? 0;
          if (!m) continue;
          if (j === n) suffix |= m;
          else inside |= m;
        }
      }
      for (let c = 0; c < C; c++) {
        const b = 1 << c;
        if (exact & b) out[offset + c] = 1;
        if (suffix & b) out[offset + C + c] = 1;
        if (inside & b) out[offset + 2 * C + c] = 0.5;
      }
      if (!exact) out[offset + 3 * C] = 1;
    },
  };
}
