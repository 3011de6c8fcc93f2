/** Data problems found while reading or validating, and the error thrown in strict mode. */

/**
 * One problem in an input file. `message` is complete and starts with the location, e.g.
 * `train.jsonl:17: entities[2].end (40) is beyond text length (38)`.
 */
export interface Issue {
  /** The file name as given by the caller (or a label such as `<input>` for in-memory data). */
  file: string;
  /**
   * 1-based line number. For JSON-array inputs (Stockmark `ner.json`) it is the 1-based record
   * number and the message says `record N`. 0 when the problem concerns the whole file.
   */
  line: number;
  /** The offending field: `''` for the whole row, `id`, `text`, `entities`, `entities[2].end`, ... */
  field: string;
  /** Human-readable description including file:line and what to do. */
  message: string;
  /** The offending value when there is one. */
  value?: unknown;
  /** `error`: the row is invalid (skipped in lenient mode). `warning`: the row was kept as read. */
  severity: 'error' | 'warning';
}

/** How readers treat invalid rows. */
export type ReadMode = 'strict' | 'lenient';

/** Where a row came from, for issue messages. */
export interface Location {
  file: string;
  line: number;
  /** Set for JSON-array inputs: the message then says `file: record N` instead of `file:N`. */
  record?: boolean;
}

/** Short printable form of a value for messages. */
export function showValue(value: unknown, max = 60): string {
  let s: string;
  if (value === undefined) s = 'undefined';
  else if (typeof value === 'string') s = JSON.stringify(value);
  else {
    try {
      s = JSON.stringify(value) ?? String(value);
    } catch {
      s = String(value);
    }
  }
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

/** Builds an {@link Issue}; `detail` is the text after the location. */
export function makeIssue(
  loc: Location,
  field: string,
  detail: string,
  value?: unknown,
  severity: 'error' | 'warning' = 'error',
): Issue {
  const where =
    loc.line === 0 ? loc.file : loc.record ? `${loc.file}: record ${loc.line}` : `${loc.file}:${loc.line}`;
  const issue: Issue = { file: loc.file, line: loc.line, field, message: `${where}: ${detail}`, severity };
  if (value !== undefined) issue.value = value;
  return issue;
}

/** How many issues a {@link DatasetError} message lists. */
export const LISTED_ISSUES = 10;

/**
 * Thrown by readers in `strict` mode after the whole input was read, so that one run shows every
 * problem: `issues` holds all of them, the message lists the first {@link LISTED_ISSUES}.
 */
export class DatasetError extends Error {
  override readonly name = 'DatasetError';
  readonly file: string;
  readonly issues: Issue[];

  constructor(file: string, issues: Issue[], rowsRead?: number) {
    const errors = issues.filter((i) => i.severity === 'error');
    const listed = errors.slice(0, LISTED_ISSUES).map((i) => `  ${i.message}`);
    const more = errors.length > LISTED_ISSUES ? `\n  ... and ${errors.length - LISTED_ISSUES} more` : '';
    const badRows = new Set(errors.filter((i) => i.line > 0).map((i) => i.line)).size;
    const rows = rowsRead === undefined ? '' : ` of ${rowsRead}`;
    const where = badRows > 0 ? ` in ${badRows}${rows} row(s)` : '';
    super(
      `${file}: ${errors.length} error(s)${where}:\n${listed.join('\n')}${more}\n` +
        `Fix the file, or read it with { mode: 'lenient' } to skip the invalid rows and get the issues back.`,
    );
    this.file = file;
    this.issues = issues;
  }
}
