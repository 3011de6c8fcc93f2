/**
 * Tagging one chunk and assembling the output. A chunk's result is written with core's atomic
 * write, so a chunk file exists only when it is complete: a crash leaves either no file or the
 * whole one, and a chunk tagged twice (a worker thought dead that was not) writes the same file
 * twice, never two copies in the output.
 */
import { access, open, readFile } from 'node:fs/promises';
import type { Prediction, Tagger } from '@nerima/core';
import { writeFileAtomic, writeStreamAtomic } from '@nerima/core';
import { DataError } from '../errors.js';
import {
  type ChunkRange,
  type CorpusLine,
  type CorpusManifest,
  chunkPath,
  outputPath,
  parseLine,
  splitLines,
} from './plan.js';

/** One output line: the input line number (1-based), its id (JSONL input), text and entities. */
export interface TaggedLine {
  line: number;
  id?: string;
  text: string;
  entities: Prediction[];
}

function round(p: Prediction): Prediction {
  return { start: p.start, end: p.end, type: p.type, text: p.text, score: Math.round(p.score * 1e4) / 1e4 };
}

/** Reads the lines of chunk `index` from the input file. */
export async function readChunk(manifest: CorpusManifest, index: number): Promise<CorpusLine[]> {
  const range: ChunkRange | undefined = manifest.chunks[index];
  if (!range) throw new Error(`chunk ${index} is not in the plan (0..${manifest.chunks.length - 1})`);
  const [byteStart, byteEnd, firstLine, count] = range;
  const handle = await open(manifest.input, 'r').catch((err: unknown) => {
    throw new DataError(`${manifest.input}: cannot read it (${(err as Error).message})`, [], { cause: err });
  });
  let text: string;
  try {
    const buf = Buffer.alloc(byteEnd - byteStart);
    const { bytesRead } = await handle.read(buf, 0, buf.length, byteStart);
    if (bytesRead !== buf.length) {
      throw new DataError(`${manifest.input}: shorter than when the run was planned; the input changed`);
    }
    text = buf.toString('utf8');
  } finally {
    await handle.close();
  }
  const raw = splitLines(text);
  if (raw.length !== count) {
    throw new DataError(
      `${manifest.input}:${firstLine}: chunk ${index} has ${raw.length} lines, the plan says ${count}; the input changed`,
    );
  }
  return raw.map((r, i) => parseLine(r, manifest.inputFormat, `${manifest.input}:${firstLine + i}`));
}

/** Whether chunk `index` has its (complete, atomically written) output file. */
export async function chunkDone(outDir: string, index: number): Promise<boolean> {
  try {
    await access(chunkPath(outDir, index));
    return true;
  } catch {
    return false;
  }
}

/** Indices of the chunks without output yet, in order. */
export async function pendingChunks(outDir: string, manifest: CorpusManifest): Promise<number[]> {
  const done = await Promise.all(manifest.chunks.map((_, i) => chunkDone(outDir, i)));
  return done.flatMap((d, i) => (d ? [] : [i]));
}

/**
 * Tags chunk `index` with `tagger` in batches of `batchSize` and writes its output file. Empty
 * texts get no entities (and are not sent to the tagger). Returns the number of lines.
 */
export async function tagChunk(
  tagger: Tagger,
  manifest: CorpusManifest,
  outDir: string,
  index: number,
  batchSize: number,
): Promise<number> {
  const lines = await readChunk(manifest, index);
  const firstLine = (manifest.chunks[index] as ChunkRange)[2];
  const out: string[] = [];
  for (let i = 0; i < lines.length; i += batchSize) {
    const batch = lines.slice(i, i + batchSize);
    const nonEmpty = batch.filter((l) => l.text.trim() !== '').map((l) => l.text);
    const predicted = nonEmpty.length > 0 ? await tagger.predict(nonEmpty) : [];
    let j = 0;
    batch.forEach((l, k) => {
      const entities =
        l.text.trim() === ''
          ? []
          : (predicted[j++] ?? []).map(round).sort((a, b) => a.start - b.start || b.end - a.end);
      const row: TaggedLine = { line: firstLine + i + k, text: l.text, entities };
      if (l.id !== undefined) row.id = l.id;
      out.push(JSON.stringify(row));
    });
  }
  await writeFileAtomic(chunkPath(outDir, index), out.length ? `${out.join('\n')}\n` : '');
  return lines.length;
}

/**
 * Concatenates the chunk files in input order into `<out>/entities.jsonl` (atomically), checking
 * that each chunk has exactly its planned lines, in order. Returns the output path.
 */
export async function assembleOutput(outDir: string, manifest: CorpusManifest): Promise<string> {
  const target = outputPath(outDir);
  async function* parts(): AsyncGenerator<string> {
    for (let i = 0; i < manifest.chunks.length; i++) {
      const [, , firstLine, count] = manifest.chunks[i] as ChunkRange;
      const path = chunkPath(outDir, i);
      const text = await readFile(path, 'utf8');
      const rows = splitLines(text);
      if (rows.length !== count) {
        throw new Error(
          `${path}: ${rows.length} lines, expected ${count}; delete it and resume to re-tag it`,
        );
      }
      const first = (JSON.parse(rows[0] ?? '{}') as { line?: number }).line;
      const last = (JSON.parse(rows[rows.length - 1] ?? '{}') as { line?: number }).line;
      if (count > 0 && (first !== firstLine || last !== firstLine + count - 1)) {
        throw new Error(
          `${path}: holds lines ${first}..${last}, expected ${firstLine}..${firstLine + count - 1}; delete it and resume`,
        );
      }
      yield text;
    }
  }
  await writeStreamAtomic(target, parts());
  return target;
}
