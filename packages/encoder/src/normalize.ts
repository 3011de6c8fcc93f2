/**
 * Per-character NFKC normalisation that never moves offsets, and character classes.
 *
 * `normalizeWithOffsets` maps every code point through NFKC **only when the result has the same
 * number of UTF-16 code units** (full-width `Ａ` → `A`, half-width `ｶ` → `カ`, `　` → ` `), and keeps
 * the original code point otherwise (`㈱` → `(株)` would change the length, so `㈱` stays). The
 * normalised string therefore has exactly the original length and position `i` of it belongs to
 * position `i` of the original text.
 */

/** The character classes used as features. */
export type CharClass = 'kanji' | 'hiragana' | 'katakana' | 'latin' | 'digit' | 'symbol' | 'space' | 'other';

/** Class order used for ids (id = index + 1; 0 is padding). */
export const CHAR_CLASSES: readonly CharClass[] = [
  'kanji',
  'hiragana',
  'katakana',
  'latin',
  'digit',
  'symbol',
  'space',
  'other',
];

/** Width of a character: full-width ASCII variants, half-width kana/symbols, or neither. */
export type CharWidth = 'normal' | 'full' | 'half';

export interface NormalizedText {
  /** The input. */
  original: string;
  /** Same length as `original`; position i is the normalised form of `original[i]`. */
  normalized: string;
  /**
   * For each UTF-16 position, the whole normalised character (code point) that covers it: both
   * halves of a surrogate pair get the full pair.
   */
  chars: string[];
  /** 1 where the position is the low (second) half of a surrogate pair. */
  lowSurrogate: Uint8Array;
}

const nfkcCache = new Map<string, string>();

/** NFKC of one code point when it keeps the UTF-16 length, else the code point itself. */
export function normalizeChar(ch: string): string {
  const hit = nfkcCache.get(ch);
  if (hit !== undefined) return hit;
  const n = ch.normalize('NFKC');
  const out = n.length === ch.length ? n : ch;
  if (nfkcCache.size < 100_000) nfkcCache.set(ch, out);
  return out;
}

/** Per-character NFKC normalisation keeping every offset (see module docs). */
export function normalizeWithOffsets(text: string): NormalizedText {
  const n = text.length;
  const chars: string[] = new Array(n);
  const lowSurrogate = new Uint8Array(n);
  let normalized = '';
  for (let i = 0; i < n; ) {
    const code = text.charCodeAt(i);
    const next = i + 1 < n ? text.charCodeAt(i + 1) : 0;
    if (code >= 0xd800 && code <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
      const ch = normalizeChar(text.slice(i, i + 2));
      chars[i] = ch;
      chars[i + 1] = ch;
      lowSurrogate[i + 1] = 1;
      normalized += ch;
      i += 2;
    } else {
      const ch = normalizeChar(text[i]!);
      chars[i] = ch;
      normalized += ch;
      i += 1;
    }
  }
  return { original: text, normalized, chars, lowSurrogate };
}

const RE_HAN = /^\p{Script=Han}/u;
const RE_HIRA = /^\p{Script=Hiragana}/u;
const RE_KATA = /^\p{Script=Katakana}/u;
const RE_LATIN = /^\p{Script=Latin}/u;
const RE_DIGIT = /^\p{Nd}/u;
const RE_SPACE = /^[\s\u3000]/u;
const RE_SYMBOL = /^[\p{P}\p{S}]/u;

const classCache = new Map<string, CharClass>();

/**
 * The class of a character (a code point string; for a lone surrogate, 'other'). Works on the raw
 * character: full-width `Ａ` is 'latin', half-width `ｶ` is 'katakana', `ー`/`ｰ` are 'katakana',
 * `々`/`〆`/`〇` are 'kanji'.
 */
export function charClass(ch: string): CharClass {
  const hit = classCache.get(ch);
  if (hit !== undefined) return hit;
  const c = classify(ch);
  if (classCache.size < 100_000) classCache.set(ch, c);
  return c;
}

function classify(ch: string): CharClass {
  if (ch.length === 0) return 'other';
  const cp = ch.codePointAt(0)!;
  if (cp === 0x30fc || cp === 0xff70 || cp === 0x30a0) return 'katakana';
  if (cp === 0x3005 || cp === 0x3006 || cp === 0x3007 || cp === 0x303b) return 'kanji';
  if (RE_HAN.test(ch)) return 'kanji';
  if (RE_HIRA.test(ch)) return 'hiragana';
  if (RE_KATA.test(ch)) return 'katakana';
  if (RE_LATIN.test(ch)) return 'latin';
  if (RE_DIGIT.test(ch)) return 'digit';
  if (RE_SPACE.test(ch)) return 'space';
  if (RE_SYMBOL.test(ch)) return 'symbol';
  return 'other';
}

/** 'full' for full-width ASCII variants (U+FF01–FF60, U+FFE0–FFE6, U+3000), 'half' for half-width forms. */
export function charWidth(ch: string): CharWidth {
  const cp = ch.codePointAt(0) ?? 0;
  if ((cp >= 0xff01 && cp <= 0xff60) || (cp >= 0xffe0 && cp <= 0xffe6) || cp === 0x3000) return 'full';
  if ((cp >= 0xff61 && cp <= 0xffdc) || (cp >= 0xffe8 && cp <= 0xffee)) return 'half';
  return 'normal';
}

/** Number of class-feature ids (padding 0 + 8 classes × 3 widths). */
export const CLASS_FEATURE_SIZE = 1 + CHAR_CLASSES.length * 3;

/** Combined class × width id in [1, CLASS_FEATURE_SIZE). */
export function classFeatureId(ch: string): number {
  const c = CHAR_CLASSES.indexOf(charClass(ch));
  const w = charWidth(ch);
  return 1 + c * 3 + (w === 'normal' ? 0 : w === 'full' ? 1 : 2);
}
