/** Name keys (for dedupe and comparison), Unicode scripts, and a small string hash. */

/** The language of the counterpart of a Japanese name. */
export type PairLang = 'en' | 'zh';

/** Key of a Japanese or Chinese name: NFKC, trimmed, inner whitespace collapsed. */
export function cjkKey(name: string): string {
  return name.normalize('NFKC').replace(/\s+/g, ' ').trim();
}

/**
 * Key of an English name: compatibility-decomposed (NFKD), combining marks removed (`Ō` → `O`),
 * lower-cased, typographic apostrophes and `ʼ` folded to `'`, whitespace collapsed and trimmed.
 * The n-gram featurizer reads names in this form.
 */
export function enKey(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .replace(/[\u2018\u2019\u02bc\u02bb`´]/g, "'")
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .trim();
}

/** Key of a counterpart name in `lang`. */
export function keyOf(name: string, lang: PairLang): string {
  return lang === 'en' ? enKey(name) : cjkKey(name);
}

/** Scripts reported separately; everything else is `other`. */
export type Script =
  | 'han'
  | 'hiragana'
  | 'katakana'
  | 'latin'
  | 'digit'
  | 'hangul'
  | 'cyrillic'
  | 'greek'
  | 'common'
  | 'other';

const SCRIPT_TESTS: readonly [Script, RegExp][] = [
  ['han', /\p{Script=Han}/u],
  ['hiragana', /\p{Script=Hiragana}/u],
  ['katakana', /\p{Script=Katakana}/u],
  ['latin', /\p{Script=Latin}/u],
  ['digit', /\p{Nd}/u],
  ['hangul', /\p{Script=Hangul}/u],
  ['cyrillic', /\p{Script=Cyrillic}/u],
  ['greek', /\p{Script=Greek}/u],
  // punctuation, spaces, the prolonged sound mark ー and other shared symbols
  ['common', /[\p{Script=Common}\p{Script=Inherited}]/u],
];

/** The script of one character (a code point). */
export function scriptOf(ch: string): Script {
  for (const [name, re] of SCRIPT_TESTS) if (re.test(ch)) return name;
  return 'other';
}

/**
 * A 32-bit hash of a string (FNV-1a over UTF-16 code units with a murmur3 finaliser, so nearby
 * strings spread evenly); the same value on every platform.
 */
export function hash32(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** `hash32(s)` scaled to [0, 1). */
export function hashUnit(s: string): number {
  return hash32(s) / 4294967296;
}
