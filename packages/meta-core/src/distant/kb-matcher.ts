/**
 * Finds knowledge-base names in raw text for distant supervision: leftmost-longest exact matches of
 * the KB's Japanese names, each tagged with its category (`type:subtype`). A katakana or Latin name
 * must not continue a katakana / Latin run on either side (クロケット in クロケットボール is no
 * match); names of one or two characters, and names written in hiragana only, are left out (too
 * ambiguous as plain words). Offsets are UTF-16 code units of the text as given.
 */
export interface KbName {
  ja: string;
  type: string;
  subtype?: string;
}

/** One KB match; `categories` lists every `type:subtype` the name has (homographs have several). */
export interface KbMatch {
  start: number;
  end: number;
  categories: string[];
}

export interface KbMatcher {
  /** Number of names it matches. */
  readonly size: number;
  match(text: string): KbMatch[];
}

const KATAKANA_OR_LATIN = /[\u30A0-\u30FF\uFF66-\uFF9FA-Za-z0-9Ａ-Ｚａ-ｚ０-９]/u;
const HIRAGANA_ONLY = /^[\u3040-\u309Fー]+$/u;
/** Longer names (a few long work titles) are not matched: they bound the per-position search. */
const MAX_NAME = 24;

/** The category key of an entry: `type:subtype`, or `type` without a subtype. */
export function kbCategory(e: { type: string; subtype?: string }): string {
  return e.subtype ? `${e.type}:${e.subtype}` : e.type;
}

export function createKbMatcher(entries: Iterable<KbName>, options: { minLength?: number } = {}): KbMatcher {
  const minLength = options.minLength ?? 3;
  const names = new Map<string, string[]>();
  let maxLength = 0;
  for (const e of entries) {
    const ja = e.ja;
    if ([...ja].length < minLength || ja.length > MAX_NAME || HIRAGANA_ONLY.test(ja)) continue;
    const cats = names.get(ja) ?? [];
    const cat = kbCategory(e);
    if (!cats.includes(cat)) cats.push(cat);
    names.set(ja, cats);
    maxLength = Math.max(maxLength, Math.min(ja.length, MAX_NAME));
  }
  const joins = (a: string | undefined, b: string | undefined) =>
    a !== undefined && b !== undefined && KATAKANA_OR_LATIN.test(a) && KATAKANA_OR_LATIN.test(b);
  return {
    size: names.size,
    match(text: string): KbMatch[] {
      const out: KbMatch[] = [];
      let i = 0;
      while (i < text.length) {
        let hit: KbMatch | null = null;
        for (let len = Math.min(maxLength, text.length - i); len >= 2 && !hit; len--) {
          const cats = names.get(text.slice(i, i + len));
          if (!cats) continue;
          const end = i + len;
          if (joins(text[i - 1], text[i]) || joins(text[end - 1], text[end])) continue;
          hit = { start: i, end, categories: [...cats] };
        }
        if (hit) {
          out.push(hit);
          i = hit.end;
        } else i++;
      }
      return out;
    },
  };
}
