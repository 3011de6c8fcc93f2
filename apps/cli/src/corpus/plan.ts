/**
 * Splitting a corpus into chunks: a chunk is a fixed range of input lines, located by its byte
 * range in the input file, so any process (or machine, on a shared file system) can read just its
 * own lines. The plan is written once to `<out>/manifest.json`; re-running on the same folder
 * resumes it (the input must be unchanged).
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { writeJsonAtomic } from '@nerima/core';
import { asInputError, DataError } from '../errors.js';

export const MANIFEST_FORMAT = 'nerima-tag-corpus';
export const MANIFEST_VERSION = 1;

/** Input formats: one text per line, or JSONL objects with a `text` field (and an optional `id`). */
export type CorpusFormat = 'text' | 'jsonl';

/** One chunk: `[byteStart, byteEnd, firstLine (1-based), lineCount]`. */
export type ChunkRange = readonly [number, number, number, number];

/** `<out>/manifest.json`. */
export interface CorpusManifest {
  format: typeof MANIFEST_FORMAT;
  version: typeof MANIFEST_VERSION;
  /** Stable id of (input, its size and mtime, format, chunk size, out folder); names the jobs. */
  runId: string;
  /** Absolute path of the input; workers read it there (same path on every machine). */
  input: string;
  inputFormat: CorpusFormat;
  size: number;
  mtimeMs: number;
  chunkSize: number;
  lines: number;
  chunks: ChunkRange[];
}

/** Files of an out folder. */
export function manifestPath(outDir: string): string {
  return join(outDir, 'manifest.json');
}
export function chunkPath(outDir: string, index: number): string {
  return join(outDir, 'chunks', `${String(index).padStart(6, '0')}.jsonl`);
}
export function outputPath(outDir: string): string {
  return join(outDir, 'entities.jsonl');
}

/** `jsonl` for `.jsonl`/`.ndjson` files, else `text`. */
export function guessFormat(path: string): CorpusFormat {
  return /\.(jsonl|ndjson)$/i.test(path) ? 'jsonl' : 'text';
}

/** One parsed input line. */
export interface CorpusLine {
  text: string;
  id?: string;
}

/**
 * Parses one input line; `where` is `file:line` for the error. JSONL lines must be objects with a
 * string `text`; `id` (string or number) is kept.
 */
export function parseLine(raw: string, format: CorpusFormat, where: string): CorpusLine {
  if (format === 'text') return { text: raw };
  if (raw.trim() === '') throw new DataError(`${where}: empty line (each JSONL line must be an object)`);
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch (err) {
    throw new DataError(`${where}: not valid JSON (${(err as Error).message})`, [], { cause: err });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new DataError(`${where}: expected a JSON object with a "text" field`);
  }
  const { text, id } = value as { text?: unknown; id?: unknown };
  if (typeof text !== 'string') {
    throw new DataError(
      `${where}: "text" must be a string, got ${text === undefined ? 'nothing' : typeof text}`,
    );
  }
  if (id !== undefined && typeof id !== 'string' && typeof id !== 'number') {
    throw new DataError(`${where}: "id" must be a string or a number`);
  }
  return id === undefined ? { text } : { text, id: String(id) };
}

/** Splits decoded chunk text into lines (LF or CRLF); the final newline ends the last line. */
export function splitLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines.map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
}

function runIdOf(parts: readonly (string | number)[]): string {
  return createHash('sha256').update(parts.join('\0')).digest('hex').slice(0, 16);
}

/**
 * Scans `input` once (streaming) and returns its chunk plan. JSONL lines are parsed here, so a
 * malformed line fails the run before any work is queued, naming `file:line`.
 */
export async function planCorpus(
  input: string,
  options: { outDir: string; chunkSize: number; format: CorpusFormat },
): Promise<CorpusManifest> {
  const abs = resolve(input);
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(abs);
    if (!info.isFile()) throw Object.assign(new Error('not a file'), { code: 'EISDIR' });
  } catch (err) {
    throw asInputError(err, input);
  }
  const chunks: ChunkRange[] = [];
  const { chunkSize, format } = options;
  let offset = 0; // bytes consumed before the current buffer
  let lineStart = 0; // byte offset where the current line starts
  let line = 0; // lines completed
  let chunkStart = 0;
  let chunkFirst = 1;
  let pending: Buffer[] = []; // bytes of the current, unfinished line (JSONL only)
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const finishLine = (bytes: Buffer) => {
    line++;
    if (format === 'jsonl') {
      let raw: string;
      try {
        raw = decoder.decode(bytes);
      } catch {
        throw new DataError(`${input}:${line}: not valid UTF-8`);
      }
      parseLine(raw.endsWith('\r') ? raw.slice(0, -1) : raw, format, `${input}:${line}`);
    }
    if (line - chunkFirst + 1 === chunkSize) {
      chunks.push([chunkStart, lineStart, chunkFirst, chunkSize]);
      chunkStart = lineStart;
      chunkFirst = line + 1;
    }
  };
  try {
    for await (const buf of createReadStream(abs) as AsyncIterable<Buffer>) {
      let from = 0;
      for (;;) {
        const nl = buf.indexOf(10, from);
        if (nl < 0) break;
        const bytes = format === 'jsonl' ? Buffer.concat([...pending, buf.subarray(from, nl)]) : buf;
        pending = [];
        lineStart = offset + nl + 1;
        finishLine(bytes);
        from = nl + 1;
      }
      if (format === 'jsonl' && from < buf.length) pending.push(buf.subarray(from));
      offset += buf.length;
    }
  } catch (err) {
    throw asInputError(err, input);
  }
  if (lineStart < offset) {
    // A last line without a newline.
    lineStart = offset;
    finishLine(Buffer.concat(pending));
  }
  if (line >= chunkFirst) chunks.push([chunkStart, offset, chunkFirst, line - chunkFirst + 1]);
  const outDir = resolve(options.outDir);
  return {
    format: MANIFEST_FORMAT,
    version: MANIFEST_VERSION,
    runId: runIdOf([abs, info.size, info.mtimeMs, format, chunkSize, outDir]),
    input: abs,
    inputFormat: format,
    size: info.size,
    mtimeMs: info.mtimeMs,
    chunkSize,
    lines: line,
    chunks,
  };
}

/** Reads `<out>/manifest.json`, or `undefined` when there is none. */
export async function readManifest(outDir: string): Promise<CorpusManifest | undefined> {
  const path = manifestPath(outDir);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as { code?: string }).code === 'ENOENT') return undefined;
    throw asInputError(err, path);
  }
  let m: CorpusManifest;
  try {
    m = JSON.parse(text) as CorpusManifest;
  } catch (err) {
    throw new DataError(
      `${path}: not valid JSON (${(err as Error).message}); delete the folder and start again`,
    );
  }
  if (m.format !== MANIFEST_FORMAT || m.version !== MANIFEST_VERSION) {
    throw new DataError(`${path}: not a ${MANIFEST_FORMAT} v${MANIFEST_VERSION} manifest`);
  }
  return m;
}

/**
 * The plan for `input` in `outDir`: the saved one when the folder already holds a run of the same
 * input (resume), else a new one (saved). A folder holding another input's run is a data error.
 */
export async function openRun(
  input: string,
  options: { outDir: string; chunkSize: number; format: CorpusFormat },
): Promise<{ manifest: CorpusManifest; resumed: boolean }> {
  const saved = await readManifest(options.outDir);
  if (saved) {
    let info: Awaited<ReturnType<typeof stat>> | undefined;
    try {
      info = await stat(resolve(input));
    } catch (err) {
      throw asInputError(err, input);
    }
    const same =
      saved.input === resolve(input) &&
      saved.size === info.size &&
      saved.mtimeMs === info.mtimeMs &&
      saved.inputFormat === options.format &&
      saved.chunkSize === options.chunkSize;
    if (!same) {
      throw new DataError(
        `${manifestPath(options.outDir)}: this folder holds a run of ${saved.input} (${saved.inputFormat}, ${saved.chunkSize} lines per chunk, ${saved.size} bytes); ` +
          `the input or the options differ now: give another --out, or delete the folder to start again`,
      );
    }
    return { manifest: saved, resumed: true };
  }
  const manifest = await planCorpus(input, options);
  await writeJsonAtomic(manifestPath(options.outDir), manifest, { indent: 0 });
  return { manifest, resumed: false };
}
