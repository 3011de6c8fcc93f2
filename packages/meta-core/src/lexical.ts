/**
 * Fixed (untrained) lexical type cues of a span, for the prototype head: Japanese mentions signal
 * their type by the head-final suffix (〜駅, 〜市, 〜党, 〜大会, 〜社) and by their script, and those
 * cues must reach the prototypes of types never seen in meta-training. A learned projection trained
 * on four training types can drop them; these vectors cannot, because they are not trained.
 *
 * Layout of one span's vector ({@link LEXICAL_DIM} wide): a pseudo-random unit vector for the last
 * character, one for the last two characters, one for the first character (each
 * {@link LEXICAL_SLOT} wide; distinct strings get nearly orthogonal vectors, so a prototype is
 * close to a span whose suffix most of its support mentions share), then one-hot script classes of
 * the last and first characters. Characters are read as code points (surrogate pairs stay whole)
 * after NFKC, so full- and half-width forms give the same vector.
 */
import type { SpanIndex } from '@nerima/span-decoder';

/** Width of one hashed slot. */
export const LEXICAL_SLOT = 32;
/** Script classes: kanji, hiragana, katakana, Latin, digit, other. */
export const SCRIPT_CLASSES = 6;
/** Width of a span's lexical vector. */
export const LEXICAL_DIM = 3 * LEXICAL_SLOT + 2 * SCRIPT_CLASSES;

// Relative weights of the slots (the suffix matters most); the model learns one overall scale.
const W_LAST = 1;
const W_LAST2 = 0.8;
const W_FIRST = 0.6;
const W_CLASS = 0.5;

const slotCache = new Map<string, Float32Array>();

/** FNV-1a over the UTF-16 code units of `key`, with a slot tag. */
function hash(key: string, slot: number): number {
  let h = (0x811c9dc5 ^ slot) >>> 0;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** The deterministic unit vector of `key` in slot `slot` (cached; Box–Muller on a mulberry32 stream). */
function slotVector(key: string, slot: number): Float32Array {
  const id = `${slot}\u0000${key}`;
  const hit = slotCache.get(id);
  if (hit) return hit;
  let a = hash(key, slot);
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const v = new Float32Array(LEXICAL_SLOT);
  let norm = 0;
  for (let i = 0; i < LEXICAL_SLOT; i++) {
    const g = Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
    v[i] = g;
    norm += g * g;
  }
  const inv = 1 / Math.sqrt(norm || 1);
  for (let i = 0; i < LEXICAL_SLOT; i++) (v as Float32Array)[i] = (v[i] as number) * inv;
  if (slotCache.size > 200_000) slotCache.clear();
  slotCache.set(id, v);
  return v;
}

/** Script class of a (NFKC-normalised) character. */
export function scriptClass(ch: string): number {
  const c = ch.codePointAt(0) ?? 0;
  if (
    (c >= 0x4e00 && c <= 0x9fff) ||
    (c >= 0x3400 && c <= 0x4dbf) ||
    (c >= 0x20000 && c <= 0x3134f) ||
    c === 0x3005
  )
    return 0; // kanji (々 included)
  if (c >= 0x3041 && c <= 0x309f) return 1;
  if ((c >= 0x30a0 && c <= 0x30ff) || (c >= 0x31f0 && c <= 0x31ff)) return 2;
  if ((c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || (c >= 0xc0 && c <= 0x24f)) return 3;
  if (c >= 0x30 && c <= 0x39) return 4;
  return 5;
}

/** The code points of `text.slice(start, end)` after NFKC (at most the first 2 and last 2 are needed). */
function edgeChars(text: string, start: number, end: number): { first: string; last: string; last2: string } {
  const chars = Array.from(text.slice(start, end).normalize('NFKC'));
  const n = chars.length;
  if (n === 0) return { first: '', last: '', last2: '' };
  return {
    first: chars[0] as string,
    last: chars[n - 1] as string,
    last2: n >= 2 ? `${chars[n - 2]}${chars[n - 1]}` : `^${chars[n - 1]}`,
  };
}

/** Writes the lexical vector of one span into `out` at `offset`. */
export function writeLexical(
  text: string,
  start: number,
  end: number,
  out: Float32Array,
  offset: number,
): void {
  const { first, last, last2 } = edgeChars(text, start, end);
  if (!last) return;
  const put = (v: Float32Array, at: number, w: number) => {
    for (let i = 0; i < LEXICAL_SLOT; i++) out[offset + at + i] = (v[i] as number) * w;
  };
  put(slotVector(last, 0), 0, W_LAST);
  put(slotVector(last2, 1), LEXICAL_SLOT, W_LAST2);
  put(slotVector(first, 2), 2 * LEXICAL_SLOT, W_FIRST);
  out[offset + 3 * LEXICAL_SLOT + scriptClass(last)] = W_CLASS;
  out[offset + 3 * LEXICAL_SLOT + SCRIPT_CLASSES + scriptClass(first)] = W_CLASS;
}

/**
 * Lexical vectors [S * LEXICAL_DIM] (row-major) of `spans` over `texts` (span `i` covers
 * `texts[spans.batch[i]].slice(spans.start[i], spans.end[i])`; ends past the text are clamped).
 */
export function lexicalFeatures(texts: readonly string[], spans: SpanIndex): Float32Array {
  const S = spans.batch.length;
  const out = new Float32Array(S * LEXICAL_DIM);
  for (let i = 0; i < S; i++) {
    const text = texts[spans.batch[i] as number];
    if (text === undefined)
      throw new RangeError(`lexicalFeatures: span ${i} refers to text ${spans.batch[i]} of ${texts.length}`);
    const end = Math.min(spans.end[i] as number, text.length);
    writeLexical(text, spans.start[i] as number, end, out, i * LEXICAL_DIM);
  }
  return out;
}
