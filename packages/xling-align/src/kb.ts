/**
 * Reads and validates a cross-lingual entity KB: JSONL, one `{ja, en?, zh?, type?, ...}` object per
 * line (the form of `shared/data/kb/entities.jsonl`; other fields are ignored). Produces de-duplicated
 * ja–en and ja–zh name pairs and a report of everything that was dropped or looks odd.
 */
import { DatasetError, type Issue, readLines, splitLines, type TextLine } from '@nerima/core';
import { cjkKey, enKey, type PairLang } from './names.js';

/** One Japanese name with its counterpart in English or Chinese. */
export interface NamePair {
  /** The Japanese name as written in the KB (trimmed). */
  ja: string;
  /** {@link cjkKey} of `ja`. */
  jaKey: string;
  /** The counterpart name as written (trimmed). */
  text: string;
  /** {@link enKey} / {@link cjkKey} of `text`. */
  key: string;
  lang: PairLang;
  /** Entity type (e.g. `PERSON`) when the KB gives one. */
  type?: string;
  /** Where the pair was read (first occurrence when it was duplicated). */
  file: string;
  line: number;
}

/** Counts and examples of what reading the KB found. */
export interface KbReport {
  files: string[];
  /** Non-blank lines read. */
  rows: number;
  /** Rows skipped because they are invalid (lenient mode; strict mode throws instead). */
  invalidRows: number;
  /** Distinct Japanese names (keys) that have at least one pair. */
  jaNames: number;
  /** Pairs kept, after de-duplication. */
  pairs: Record<PairLang, number>;
  /** Pairs kept per entity type (`(none)` when the row had no type). */
  types: Record<string, Record<PairLang, number>>;
  /** Names dropped, by reason. */
  dropped: {
    /** Rows whose `ja` is empty or only whitespace (the whole row is dropped). */
    emptyJa: number;
    /** `en` given but empty. */
    emptyEn: number;
    /** `zh` given but empty. */
    emptyZh: number;
    /** ja–en pairs whose names are the same string after normalisation (e.g. `CNN` / `CNN`). */
    identicalEn: number;
    /** ja–en / ja–zh pairs seen before (same normalised names). */
    duplicateEn: number;
    duplicateZh: number;
  };
  /** ja–zh pairs with the same characters on both sides (`日本` / `日本`): kept, a real shared-script signal. */
  identicalZh: number;
  /** Same name, several counterparts: kept as separate pairs, never used as each other's negatives. */
  homographs: {
    jaWithSeveralEn: number;
    enWithSeveralJa: number;
    jaWithSeveralZh: number;
    zhWithSeveralJa: number;
  };
  /** English names with characters outside ASCII (`Māori`); folded by {@link enKey}. */
  nonAsciiEn: number;
  /** Up to 5 `file:line: value` examples per category above. */
  examples: Record<string, string[]>;
}

/** A read KB: pairs per counterpart language, the report, and the problems found. */
export interface Kb {
  pairs: Record<PairLang, NamePair[]>;
  report: KbReport;
  /** Invalid rows (lenient mode) as file:line:field messages. */
  issues: Issue[];
}

/** Options of {@link readKb} / {@link parseKb}. */
export interface ReadKbOptions {
  /** `strict` (default): any invalid row throws a `DatasetError` listing all of them. `lenient`: skip them. */
  mode?: 'strict' | 'lenient';
  /** ja–en pairs with identical names: `drop` (default; they test string copying, not alignment) or `keep`. */
  identical?: 'drop' | 'keep';
}

const MAX_EXAMPLES = 5;

function show(value: unknown): string {
  const s = typeof value === 'string' ? JSON.stringify(value) : (JSON.stringify(value) ?? String(value));
  return s.length > 60 ? `${s.slice(0, 59)}…` : s;
}

/** Accumulates pairs over one or more files. */
class KbCollector {
  readonly issues: Issue[] = [];
  private readonly files: string[] = [];
  private rows = 0;
  private invalid = new Set<string>();
  private readonly seen: Record<PairLang, Set<string>> = { en: new Set(), zh: new Set() };
  private readonly pairs: Record<PairLang, NamePair[]> = { en: [], zh: [] };
  private readonly dropped: KbReport['dropped'] = {
    emptyJa: 0,
    emptyEn: 0,
    emptyZh: 0,
    identicalEn: 0,
    duplicateEn: 0,
    duplicateZh: 0,
  };
  private identicalZh = 0;
  private nonAsciiEn = 0;
  private readonly examples: Record<string, string[]> = {};

  constructor(private readonly options: ReadKbOptions) {}

  startFile(file: string): void {
    this.files.push(file);
  }

  private example(kind: string, file: string, line: number, value: unknown): void {
    const list = this.examples[kind] ?? [];
    this.examples[kind] = list;
    if (list.length < MAX_EXAMPLES) list.push(`${file}:${line}: ${show(value)}`);
  }

  private error(file: string, line: number, field: string, detail: string, value?: unknown): void {
    this.invalid.add(`${file}\u0000${line}`);
    const issue: Issue = {
      file,
      line,
      field,
      message: `${file}:${line}: ${field ? `field ${field}: ` : ''}${detail}`,
      severity: 'error',
    };
    if (value !== undefined) issue.value = value;
    this.issues.push(issue);
  }

  /** A name field: absent (undefined/null), or a string; anything else is an error. */
  private nameField(
    row: Record<string, unknown>,
    field: string,
    file: string,
    line: number,
  ): string | undefined | false {
    const v = row[field];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'string') {
      this.error(file, line, field, `expected a string, got ${show(v)}`, v);
      return false;
    }
    return v.trim();
  }

  add({ line, text }: TextLine, file: string): void {
    if (text.trim() === '') return;
    this.rows++;
    let row: unknown;
    try {
      row = JSON.parse(text);
    } catch (e) {
      this.error(
        file,
        line,
        '',
        `invalid JSON (${(e as Error).message}); each line must be one JSON object {"ja", "en"?, "zh"?, "type"?}`,
      );
      return;
    }
    if (typeof row !== 'object' || row === null || Array.isArray(row)) {
      this.error(file, line, '', `expected a JSON object {"ja", "en"?, "zh"?, "type"?}, got ${show(row)}`);
      return;
    }
    const r = row as Record<string, unknown>;
    if (r['ja'] === undefined || r['ja'] === null) {
      this.error(file, line, 'ja', 'is missing: every row needs the Japanese name in "ja"');
      return;
    }
    const ja = this.nameField(r, 'ja', file, line);
    const en = this.nameField(r, 'en', file, line);
    const zh = this.nameField(r, 'zh', file, line);
    let type: string | undefined;
    if (r['type'] !== undefined && r['type'] !== null) {
      if (typeof r['type'] !== 'string') {
        this.error(
          file,
          line,
          'type',
          `expected a string such as "PERSON", got ${show(r['type'])}`,
          r['type'],
        );
        return;
      }
      type = r['type'].trim() || undefined;
    }
    if (ja === false || en === false || zh === false || ja === undefined) return;
    if (en === undefined && zh === undefined) {
      this.error(file, line, 'en', 'the row has neither "en" nor "zh": give at least one counterpart name');
      return;
    }
    if (ja === '') {
      this.dropped.emptyJa++;
      this.example('emptyJa', file, line, r['ja']);
      return;
    }
    const jaKey = cjkKey(ja);
    if (en !== undefined) {
      if (en === '') {
        this.dropped.emptyEn++;
        this.example('emptyEn', file, line, ja);
      } else this.addPair(ja, jaKey, en, 'en', type, file, line);
    }
    if (zh !== undefined) {
      if (zh === '') {
        this.dropped.emptyZh++;
        this.example('emptyZh', file, line, ja);
      } else this.addPair(ja, jaKey, zh, 'zh', type, file, line);
    }
  }

  private addPair(
    ja: string,
    jaKey: string,
    text: string,
    lang: PairLang,
    type: string | undefined,
    file: string,
    line: number,
  ): void {
    const key = lang === 'en' ? enKey(text) : cjkKey(text);
    if (lang === 'en') {
      if (enKey(ja) === key) {
        this.example('identicalEn', file, line, text);
        if (this.options.identical !== 'keep') {
          this.dropped.identicalEn++;
          return;
        }
      }
    } else if (jaKey === key) {
      this.identicalZh++;
      this.example('identicalZh', file, line, text);
    }
    const id = `${jaKey}\t${key}`;
    if (this.seen[lang].has(id)) {
      if (lang === 'en') this.dropped.duplicateEn++;
      else this.dropped.duplicateZh++;
      this.example(lang === 'en' ? 'duplicateEn' : 'duplicateZh', file, line, `${ja} / ${text}`);
      return;
    }
    this.seen[lang].add(id);
    if (lang === 'en' && /[^\u0000-\u007f]/.test(text)) {
      this.nonAsciiEn++;
      this.example('nonAsciiEn', file, line, text);
    }
    const pair: NamePair = { ja, jaKey, text, key, lang, file, line };
    if (type !== undefined) pair.type = type;
    this.pairs[lang].push(pair);
  }

  finish(): Kb {
    const types: KbReport['types'] = {};
    const homographs = { jaWithSeveralEn: 0, enWithSeveralJa: 0, jaWithSeveralZh: 0, zhWithSeveralJa: 0 };
    const jaNames = new Set<string>();
    for (const lang of ['en', 'zh'] as const) {
      const byJa = new Map<string, Set<string>>();
      const byOther = new Map<string, Set<string>>();
      for (const p of this.pairs[lang]) {
        jaNames.add(p.jaKey);
        const t = p.type ?? '(none)';
        const counts = types[t] ?? { en: 0, zh: 0 };
        types[t] = counts;
        counts[lang]++;
        const a = byJa.get(p.jaKey) ?? new Set<string>();
        a.add(p.key);
        byJa.set(p.jaKey, a);
        const b = byOther.get(p.key) ?? new Set<string>();
        b.add(p.jaKey);
        byOther.set(p.key, b);
      }
      let several = 0;
      for (const [ja, s] of byJa) {
        if (s.size > 1) {
          several++;
          const list = this.examples[`homograph_${lang}`] ?? [];
          this.examples[`homograph_${lang}`] = list;
          if (list.length < MAX_EXAMPLES) list.push(`${ja}: ${[...s].slice(0, 4).join(' | ')}`);
        }
      }
      const reverse = [...byOther.values()].filter((s) => s.size > 1).length;
      if (lang === 'en') {
        homographs.jaWithSeveralEn = several;
        homographs.enWithSeveralJa = reverse;
      } else {
        homographs.jaWithSeveralZh = several;
        homographs.zhWithSeveralJa = reverse;
      }
    }
    const report: KbReport = {
      files: [...this.files],
      rows: this.rows,
      invalidRows: this.invalid.size,
      jaNames: jaNames.size,
      pairs: { en: this.pairs.en.length, zh: this.pairs.zh.length },
      types,
      dropped: { ...this.dropped },
      identicalZh: this.identicalZh,
      homographs,
      nonAsciiEn: this.nonAsciiEn,
      examples: this.examples,
    };
    if (this.options.mode !== 'lenient' && this.issues.length > 0) {
      throw new DatasetError(this.files.join(', '), this.issues, this.rows);
    }
    return { pairs: this.pairs, report, issues: this.issues };
  }
}

/**
 * Parses KB JSONL from a string (`file` labels the messages). See {@link readKb}.
 * @example parseKb('{"ja":"東京","en":"Tokyo","zh":"东京","type":"LOCATION"}\n', 'kb.jsonl').pairs.zh
 */
export function parseKb(text: string, file = '<input>', options: ReadKbOptions = {}): Kb {
  const c = new KbCollector(options);
  c.startFile(file);
  for (const l of splitLines(text)) c.add(l, file);
  return c.finish();
}

/**
 * Reads one or more KB files (streamed line by line) into de-duplicated ja–en and ja–zh pairs.
 * Invalid rows (bad JSON, `ja` missing, a name or `type` that is not a string, no `en`/`zh`) are
 * errors naming file:line and field: strict mode throws a `DatasetError` with all of them after
 * reading everything, lenient mode skips those rows and returns them in `issues`. Empty names,
 * identical ja/en names, duplicates and homographs are handled and counted in `report`.
 * @example
 * const kb = await readKb('../shared/data/kb/entities.jsonl');
 * kb.report.pairs; // { en: 67086, zh: 7227 }
 */
export async function readKb(paths: string | readonly string[], options: ReadKbOptions = {}): Promise<Kb> {
  const list = typeof paths === 'string' ? [paths] : [...paths];
  if (list.length === 0) throw new Error('readKb: no KB file given');
  const c = new KbCollector(options);
  for (const file of list) {
    c.startFile(file);
    for await (const l of readLines(file)) c.add(l, file);
  }
  return c.finish();
}
