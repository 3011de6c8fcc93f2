/** The shared sentence format: JSONL, one `{"id", "text", "entities"}` object per line. */
import { writeStreamAtomic } from '../atomic.js';
import { type ReadOptions, type ReadResult, SentenceCollector } from '../validate/collect.js';
import { DatasetError, makeIssue } from '../validate/issue.js';
import { readLines, splitLines, type TextLine } from './lines.js';

function addLine(c: SentenceCollector, { line, text }: TextLine): void {
  if (text.trim() === '') return; // blank lines (e.g. a trailing one) are not rows
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    c.countBadRow();
    c.report([
      makeIssue(
        { file: c.file, line },
        '',
        `invalid JSON (${(e as Error).message}); each line must be one complete JSON object`,
        text.length > 80 ? `${text.slice(0, 79)}…` : text,
      ),
    ]);
    return;
  }
  c.add(value, line);
}

/**
 * Parses JSONL sentences from a string; `fileName` labels the issues. Validates every row (see
 * {@link ReadOptions} for strict / lenient).
 * @example parseJsonl('{"id":"a","text":"東京","entities":[{"start":0,"end":2,"type":"LOCATION"}]}\n', 'x.jsonl')
 */
export function parseJsonl(text: string, fileName = '<input>', options: ReadOptions = {}): ReadResult {
  const c = new SentenceCollector(fileName, options);
  for (const l of splitLines(text)) addLine(c, l);
  return c.finish();
}

/** Reads and validates a JSONL sentence file line by line (constant memory besides the result). */
export async function readJsonl(path: string, options: ReadOptions = {}): Promise<ReadResult> {
  const c = new SentenceCollector(path, options);
  for await (const l of readLines(path)) addLine(c, l);
  return c.finish();
}

/**
 * Streams the JSON values of any JSONL file (e.g. `kb/entities.jsonl`, `parallel/*.jsonl`) without
 * checking their shape; blank lines are skipped. Throws a {@link DatasetError} naming file:line on
 * the first line that is not valid JSON.
 */
export async function* iterateJsonl<T = unknown>(path: string): AsyncGenerator<{ line: number; value: T }> {
  for await (const { line, text } of readLines(path)) {
    if (text.trim() === '') continue;
    let value: T;
    try {
      value = JSON.parse(text) as T;
    } catch (e) {
      throw new DatasetError(path, [
        makeIssue({ file: path, line }, '', `invalid JSON (${(e as Error).message})`),
      ]);
    }
    yield { line, value };
  }
}

/** One JSON document per line, each line ending in `\n`. */
export function formatJsonl(rows: Iterable<unknown>): string {
  let out = '';
  for (const row of rows) out += `${jsonLine(row)}\n`;
  return out;
}

function jsonLine(row: unknown): string {
  const s = JSON.stringify(row);
  if (s === undefined)
    throw new TypeError('writeJsonl: a row is not JSON-serializable (undefined or a function)');
  return s;
}

/**
 * Writes rows as JSONL atomically (temporary file in the same directory, then rename); rows may be
 * an async iterable so big outputs are streamed. Parent directories are created.
 */
export async function writeJsonl(
  path: string,
  rows: Iterable<unknown> | AsyncIterable<unknown>,
): Promise<void> {
  async function* chunks(): AsyncGenerator<string> {
    let buf = '';
    for await (const row of rows) {
      buf += `${jsonLine(row)}\n`;
      if (buf.length > 1 << 16) {
        yield buf;
        buf = '';
      }
    }
    if (buf) yield buf;
  }
  await writeStreamAtomic(path, chunks());
}
