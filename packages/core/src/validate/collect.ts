/** Accumulates validated rows and issues for one input, and applies the read mode. */
import type { Sentence } from '../types.js';
import { DatasetError, type Issue, type ReadMode } from './issue.js';
import { normalizeSentence, type ValidationContext, validateSentence } from './sentence.js';

/** Options shared by every reader and by {@link validateSentences}. */
export interface ReadOptions {
  /**
   * `strict` (default): read the whole input, then throw a {@link DatasetError} if any row is
   * invalid (all issues in `error.issues`). `lenient`: skip every row that has an error — the whole
   * row, not just its bad entity, because dropping one entity would silently turn a mention into a
   * non-entity — and return all issues; every valid row is kept.
   */
  mode?: ReadMode;
  /** Allowed entity types (e.g. `(await loadTypes('types.json')).codes`). */
  types?: Iterable<string>;
}

/** Sentences that passed validation, in input order, and every issue found. */
export interface ReadResult {
  sentences: Sentence[];
  issues: Issue[];
}

/** Internal: feeds rows through {@link validateSentence}. */
export class SentenceCollector {
  readonly sentences: Sentence[] = [];
  readonly issues: Issue[] = [];
  private readonly seenIds = new Map<string, number>();
  private readonly types: ReadonlySet<string> | undefined;
  private readonly mode: ReadMode;
  rows = 0;

  constructor(
    readonly file: string,
    options: ReadOptions = {},
    private readonly record = false,
  ) {
    this.mode = options.mode ?? 'strict';
    if (this.mode !== 'strict' && this.mode !== 'lenient') {
      throw new TypeError(`mode must be 'strict' or 'lenient', got ${String(this.mode)}`);
    }
    this.types = options.types ? new Set(options.types) : undefined;
  }

  /** Issues found outside {@link validateSentence} (bad JSON, bad labels); errors mark the row bad. */
  report(issues: readonly Issue[]): void {
    this.issues.push(...issues);
  }

  /** Counts a row that could not even be parsed (its issues were given to {@link report}). */
  countBadRow(): void {
    this.rows++;
  }

  /** Validates a parsed row; keeps it when it has no error. Returns whether it was kept. */
  add(value: unknown, line: number, extraIssues: readonly Issue[] = []): boolean {
    this.rows++;
    const ctx: ValidationContext = { file: this.file, line, seenIds: this.seenIds };
    if (this.record) ctx.record = true;
    if (this.types) ctx.types = this.types;
    const hasExtraError = extraIssues.some((i) => i.severity === 'error');
    // A row that already has errors must not claim its id.
    if (hasExtraError) delete ctx.seenIds;
    const issues = validateSentence(value, ctx);
    this.issues.push(...extraIssues, ...issues);
    if (issues.length > 0 || hasExtraError) return false;
    this.sentences.push(normalizeSentence(value as Sentence));
    return true;
  }

  finish(): ReadResult {
    if (this.mode === 'strict' && this.issues.some((i) => i.severity === 'error')) {
      throw new DatasetError(this.file, this.issues, this.rows);
    }
    return { sentences: this.sentences, issues: this.issues };
  }
}

/**
 * Validates in-memory records (e.g. built by code) as if they were the lines of a file named
 * `file` (default `<input>`), record i on line i + 1.
 */
export function validateSentences(
  records: readonly unknown[],
  options: ReadOptions & { file?: string } = {},
): ReadResult {
  const c = new SentenceCollector(options.file ?? '<input>', options);
  records.forEach((r, i) => {
    c.add(r, i + 1);
  });
  return c.finish();
}
