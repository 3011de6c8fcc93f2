/**
 * Characters the encoder's vocabulary never saw. They still get an embedding (a hashing bucket
 * shared with other unseen characters), but that row means little; the report says how much of
 * the KB is affected, by script.
 */
import { normalizeWithOffsets } from '@nerima/encoder';
import { type Script, scriptOf } from './names.js';

/** Anything with the `lookup` of `@nerima/encoder`'s `Vocab`. */
export interface CharLookup {
  lookup(token: string): number | undefined;
}

/** Per-script character counts. */
export interface ScriptCount {
  /** Character occurrences (code points). */
  chars: number;
  /** Occurrences not in the vocabulary. */
  oov: number;
}

/** Out-of-vocabulary statistics of a list of names. */
export interface OovReport {
  names: number;
  /** Names with at least one unseen character. */
  namesWithOov: number;
  /** Names made only of unseen characters (spaces aside). */
  namesAllOov: number;
  /** Character occurrences and unseen occurrences. */
  chars: number;
  oovChars: number;
  distinctOovChars: number;
  byScript: Partial<Record<Script, ScriptCount>>;
  /** The most frequent unseen characters with their counts (at most 20). */
  topOov: [string, number][];
}

/** Counts characters of `names` (per-character NFKC, as the encoder sees them) missing from `vocab`. */
export function oovReport(names: Iterable<string>, vocab: CharLookup): OovReport {
  const r: OovReport = {
    names: 0,
    namesWithOov: 0,
    namesAllOov: 0,
    chars: 0,
    oovChars: 0,
    distinctOovChars: 0,
    byScript: {},
    topOov: [],
  };
  const counts = new Map<string, number>();
  for (const name of names) {
    r.names++;
    const norm = normalizeWithOffsets(name);
    let real = 0;
    let unseen = 0;
    for (let i = 0; i < name.length; i++) {
      if (norm.lowSurrogate[i]) continue;
      const ch = norm.chars[i] as string;
      if (/^\s$/u.test(ch)) continue;
      const script = scriptOf(ch);
      const s = r.byScript[script] ?? { chars: 0, oov: 0 };
      r.byScript[script] = s;
      s.chars++;
      real++;
      if (vocab.lookup(ch) === undefined) {
        s.oov++;
        unseen++;
        counts.set(ch, (counts.get(ch) ?? 0) + 1);
      }
    }
    r.chars += real;
    r.oovChars += unseen;
    if (unseen > 0) r.namesWithOov++;
    if (real > 0 && unseen === real) r.namesAllOov++;
  }
  r.distinctOovChars = counts.size;
  r.topOov = [...counts.entries()]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .slice(0, 20);
  return r;
}
