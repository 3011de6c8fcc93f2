/**
 * CoNLL-style IOB2 files: one token per line as `token<TAB>label` (label `O`, `B-TYPE`, `I-TYPE`),
 * a blank line between sentences, optional `# id = ...` comment lines before a sentence.
 *
 * - Char level: one character (code point) per line; the text is the concatenation.
 * - Token level: tokens concatenated with `joiner` (default `''`, right for Japanese; use `' '` for
 *   space-separated languages).
 *
 * IOB2 cannot nest: on write the outermost entities are kept and the rest are returned as
 * `dropped`. On read, BIOES / BILOU labels are accepted too, and `I-X` not preceded by `B-X`/`I-X`
 * starts a new entity with a warning (as conlleval does).
 */
import { basename, extname } from 'node:path';
import { writeFileAtomic } from '../atomic.js';
import type { Entity, Sentence } from '../types.js';
import { type ReadOptions, type ReadResult, SentenceCollector } from '../validate/collect.js';
import { type Issue, makeIssue, showValue } from '../validate/issue.js';
import { readLines, splitLines, type TextLine } from './lines.js';

/** `char`: one character per line; `token`: one token per line. */
export type ConllLevel = 'char' | 'token';

/** Splits a text into `[start, end)` UTF-16 spans, sorted and non-overlapping. */
export type Tokenizer = (text: string) => Array<[number, number]>;

/** Options for {@link formatConll} / {@link writeConll}. */
export interface ConllWriteOptions {
  /** Default `char`. */
  level?: ConllLevel;
  /** Token level only; default {@link scriptTokenize}. Tokens are further split at entity boundaries. */
  tokenize?: Tokenizer;
  /**
   * Token level only; default `''`. With `''` every character of the text is written (characters the
   * tokenizer skipped become tokens of their own), so reading gives back the same text. With a
   * non-empty joiner, whitespace-only tokens and untokenized characters are not written and the
   * reader rebuilds the text as the tokens joined by `joiner`.
   */
  joiner?: string;
  /** Write a `# id = <id>` line before each sentence; default true. */
  ids?: boolean;
}

/** An entity left out on write because it overlaps an outer (kept) entity. */
export interface DroppedEntity {
  sentenceId: string;
  entity: Entity;
  /** The kept entity it overlaps. */
  keptInstead: Entity;
}

/** The CoNLL text and the entities IOB2 could not represent. */
export interface ConllWriteResult {
  text: string;
  dropped: DroppedEntity[];
}

/** Options for {@link parseConll} / {@link readConll}. */
export interface ConllReadOptions extends ReadOptions {
  /** String put between tokens to rebuild the text; default `''` (char level and Japanese). */
  joiner?: string;
  /** Id prefix for sentences without a `# id =` line: `<prefix>-<index>`; default the file's base name. */
  idPrefix?: string;
}

/**
 * Keeps a set of non-overlapping entities, preferring the outermost: entities are taken by start
 * (longest first on ties) and one that overlaps an already kept entity is dropped.
 */
export function outermostEntities(entities: readonly Entity[]): {
  kept: Entity[];
  dropped: Array<{ entity: Entity; keptInstead: Entity }>;
} {
  const sorted = [...entities].sort((a, b) => a.start - b.start || b.end - a.end);
  const kept: Entity[] = [];
  const dropped: Array<{ entity: Entity; keptInstead: Entity }> = [];
  let last: Entity | undefined;
  for (const e of sorted) {
    if (last && e.start < last.end) dropped.push({ entity: e, keptInstead: last });
    else {
      kept.push(e);
      last = e;
    }
  }
  return { kept, dropped };
}

type CharClass = 'space' | 'hiragana' | 'katakana' | 'kanji' | 'latin' | 'digit' | 'other';

function charClass(cp: number): CharClass {
  if (cp === 0x20 || cp === 0x3000 || cp === 0xa0 || (cp >= 0x09 && cp <= 0x0d)) return 'space';
  if (cp >= 0x3041 && cp <= 0x309f) return 'hiragana';
  if ((cp >= 0x30a0 && cp <= 0x30ff) || (cp >= 0x31f0 && cp <= 0x31ff) || (cp >= 0xff66 && cp <= 0xff9f)) {
    return 'katakana';
  }
  if (
    (cp >= 0x4e00 && cp <= 0x9fff) ||
    (cp >= 0x3400 && cp <= 0x4dbf) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0x20000 && cp <= 0x3ffff) ||
    cp === 0x3005 ||
    cp === 0x3006
  ) {
    return 'kanji';
  }
  if (
    (cp >= 0x41 && cp <= 0x5a) ||
    (cp >= 0x61 && cp <= 0x7a) ||
    (cp >= 0xc0 && cp <= 0x24f && cp !== 0xd7 && cp !== 0xf7) ||
    (cp >= 0xff21 && cp <= 0xff3a) ||
    (cp >= 0xff41 && cp <= 0xff5a)
  ) {
    return 'latin';
  }
  if ((cp >= 0x30 && cp <= 0x39) || (cp >= 0xff10 && cp <= 0xff19)) return 'digit';
  return 'other';
}

/**
 * A dictionary-free tokenizer: runs of one script (hiragana, katakana, kanji, Latin letters, digits,
 * whitespace) form a token; every other character (punctuation, symbols) is a token of its own.
 * Covers the whole text. Good enough for CoNLL export; not a morphological analyser.
 */
export function scriptTokenize(text: string): Array<[number, number]> {
  const spans: Array<[number, number]> = [];
  let start = 0;
  let prev: CharClass | null = null;
  let i = 0;
  for (const ch of text) {
    const cls = charClass(ch.codePointAt(0) ?? 0);
    if (prev !== null && (cls !== prev || cls === 'other')) {
      spans.push([start, i]);
      start = i;
    }
    prev = cls;
    i += ch.length;
  }
  if (i > start) spans.push([start, i]);
  return spans;
}

function codePointSpans(text: string): Array<[number, number]> {
  const spans: Array<[number, number]> = [];
  let i = 0;
  for (const ch of text) {
    spans.push([i, i + ch.length]);
    i += ch.length;
  }
  return spans;
}

function tokenSpans(
  s: Sentence,
  kept: readonly Entity[],
  options: ConllWriteOptions,
): Array<[number, number]> {
  const { text } = s;
  if ((options.level ?? 'char') === 'char') return codePointSpans(text);
  const joiner = options.joiner ?? '';
  const raw = (options.tokenize ?? scriptTokenize)(text);
  // Boundaries: token starts/ends and entity starts/ends.
  const cuts = new Set<number>();
  let prevEnd = 0;
  const covered: Array<[number, number]> = [];
  for (const [a, b] of raw) {
    if (!Number.isInteger(a) || !Number.isInteger(b) || a < prevEnd || b <= a || b > text.length) {
      throw new RangeError(
        `formatConll: the tokenizer returned [${a}, ${b}) for sentence ${s.id} after a token ending at ${prevEnd}; spans must be sorted, non-overlapping and inside the text`,
      );
    }
    if (a > prevEnd && joiner === '') covered.push([prevEnd, a]);
    covered.push([a, b]);
    prevEnd = b;
  }
  if (prevEnd < text.length && joiner === '') covered.push([prevEnd, text.length]);
  for (const e of kept) {
    cuts.add(e.start);
    cuts.add(e.end);
  }
  const out: Array<[number, number]> = [];
  for (const [a, b] of covered) {
    let from = a;
    for (let i = a + 1; i < b; i++) {
      if (cuts.has(i)) {
        out.push([from, i]);
        from = i;
      }
    }
    out.push([from, b]);
  }
  return joiner === '' ? out : out.filter(([a, b]) => text.slice(a, b).trim() !== '');
}

/**
 * Writes sentences as IOB2 CoNLL text. Nested or overlapping entities cannot be written: the
 * outermost are kept (see {@link outermostEntities}) and the others are listed in `dropped`.
 * Throws when a text contains a tab or line break (CoNLL cannot hold them).
 * @example formatConll([{ id: 'a', text: '東京都', entities: [{ start: 0, end: 2, type: 'LOCATION' }] }]).text
 * // '# id = a\n東\tB-LOCATION\n京\tI-LOCATION\n都\tO\n\n'
 */
export function formatConll(
  sentences: Iterable<Sentence>,
  options: ConllWriteOptions = {},
): ConllWriteResult {
  const lines: string[] = [];
  const dropped: DroppedEntity[] = [];
  for (const s of sentences) {
    const bad = s.text.search(/[\t\n\r\u2028\u2029\u0085]/);
    if (bad >= 0) {
      throw new RangeError(
        `formatConll: sentence ${s.id} has a tab or line break at offset ${bad}; CoNLL cannot represent it — replace it (e.g. with a space) before writing`,
      );
    }
    const { kept, dropped: d } = outermostEntities(s.entities);
    for (const x of d) dropped.push({ sentenceId: s.id, ...x });
    if (options.ids ?? true) lines.push(`# id = ${s.id}`);
    let k = 0; // index into kept (sorted by start)
    let inside: Entity | null = null;
    for (const [a, b] of tokenSpans(s, kept, options)) {
      while (k < kept.length && (kept[k] as Entity).end <= a) k++;
      const e = kept[k];
      let label = 'O';
      if (e && e.start < b && a < e.end) {
        label = inside === e ? `I-${e.type}` : `B-${e.type}`;
        inside = e;
      } else inside = null;
      lines.push(`${s.text.slice(a, b)}\t${label}`);
    }
    lines.push('');
  }
  return { text: lines.length ? `${lines.join('\n')}\n` : '', dropped };
}

/** {@link formatConll} to a file, written atomically. */
export async function writeConll(
  path: string,
  sentences: Iterable<Sentence>,
  options: ConllWriteOptions = {},
): Promise<{ dropped: DroppedEntity[] }> {
  const { text, dropped } = formatConll(sentences, options);
  await writeFileAtomic(path, text);
  return { dropped };
}

const LABEL = /^(?:O|[BIESUL]-\S.*)$/;

function splitTokenLine(text: string): { token: string; label: string } | null {
  if (text.includes('\t')) {
    const cols = text.split('\t');
    return { token: cols[0] as string, label: (cols[cols.length - 1] as string).trim() };
  }
  const cols = text.trim().split(/ +/);
  if (cols.length < 2) return null;
  return { token: cols[0] as string, label: cols[cols.length - 1] as string };
}

class ConllParser {
  private tokens = 0;
  private text = '';
  private entities: Entity[] = [];
  private open: Entity | null = null;
  private id: string | null = null;
  private firstLine = 0;
  private issues: Issue[] = [];
  private index = 0;
  private readonly joiner: string;
  private readonly prefix: string;

  constructor(
    private readonly c: SentenceCollector,
    options: ConllReadOptions,
  ) {
    this.joiner = options.joiner ?? '';
    this.prefix = options.idPrefix ?? basename(c.file, extname(c.file));
  }

  line({ line, text }: TextLine): void {
    if (text.trim() === '') {
      this.flush();
      return;
    }
    const parts = splitTokenLine(text);
    const isToken = parts !== null && LABEL.test(parts.label) && parts.token !== '';
    if (this.tokens === 0 && text.startsWith('#') && !isToken) {
      if (this.firstLine === 0) this.firstLine = line;
      const m = /^#\s*(?:sent_)?id\s*[=:]\s*(.*?)\s*$/.exec(text);
      if (m) this.id = m[1] as string;
      return;
    }
    if (parts?.token === '-DOCSTART-') return;
    if (this.firstLine === 0) this.firstLine = line;
    const loc = { file: this.c.file, line };
    if (!parts || parts.token === '') {
      this.issues.push(makeIssue(loc, '', `expected "token<TAB>label", got ${showValue(text)}`, text));
      return;
    }
    const { token, label } = parts;
    const start = this.text.length + (this.tokens > 0 ? this.joiner.length : 0);
    this.text += (this.tokens > 0 ? this.joiner : '') + token;
    this.tokens++;
    const end = this.text.length;
    if (label === 'O') {
      this.open = null;
      return;
    }
    if (!LABEL.test(label)) {
      this.issues.push(
        makeIssue(
          loc,
          'label',
          `label ${showValue(label)} is not O, B-TYPE or I-TYPE (nor BIOES/BILOU)`,
          label,
        ),
      );
      this.open = null;
      return;
    }
    const tag = label[0] as string;
    const type = label.slice(2);
    if (tag === 'B' || tag === 'S' || tag === 'U') {
      this.open = { start, end, type };
      this.entities.push(this.open);
    } else if (this.open && this.open.type === type) {
      this.open.end = end;
    } else {
      this.issues.push(
        makeIssue(
          loc,
          'label',
          `${label} does not continue an entity of type ${type}; read as B-${type}`,
          label,
          'warning',
        ),
      );
      this.open = { start, end, type };
      this.entities.push(this.open);
    }
    if (tag === 'S' || tag === 'U' || tag === 'E' || tag === 'L') this.open = null;
  }

  flush(): void {
    if (this.tokens > 0 || this.id !== null || this.issues.length > 0) {
      const id = this.id ?? `${this.prefix}-${this.index}`;
      const entities = this.entities.map((e) => ({ ...e, text: this.text.slice(e.start, e.end) }));
      this.c.add({ id, text: this.text, entities }, this.firstLine, this.issues);
      this.index++;
    }
    this.tokens = 0;
    this.text = '';
    this.entities = [];
    this.open = null;
    this.id = null;
    this.firstLine = 0;
    this.issues = [];
  }
}

/**
 * Parses CoNLL / IOB2 text into validated sentences; issue lines are the offending token lines, or
 * the first line of the sentence for sentence-level problems (unknown type, duplicate id).
 */
export function parseConll(text: string, fileName = '<input>', options: ConllReadOptions = {}): ReadResult {
  const c = new SentenceCollector(fileName, options);
  const p = new ConllParser(c, options);
  for (const l of splitLines(text)) p.line(l);
  p.flush();
  return c.finish();
}

/** Reads a CoNLL / IOB2 file line by line (see {@link parseConll}). */
export async function readConll(path: string, options: ConllReadOptions = {}): Promise<ReadResult> {
  const c = new SentenceCollector(path, options);
  const p = new ConllParser(c, options);
  for await (const l of readLines(path)) p.line(l);
  p.flush();
  return c.finish();
}
