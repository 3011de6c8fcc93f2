/**
 * A deterministic, resumable stream of training batches from one-sentence-a-line text files.
 *
 * Lines of all files are interleaved (each line comes from a file chosen at random, weighted by the
 * bytes that file has left), cut into windows of `windowLines`, and each window is shuffled, sorted
 * by length, cut into batches (similar lengths together = little padding) whose order is shuffled.
 * Everything depends only on `seed`, so batch k is the same in every run: resuming = skipping k
 * batches (cheap: no tokenisation happens while skipping). Lines whose hash falls in the held-out
 * slice (`isHeldOut`) are never trained on.
 */
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { createRng, type Rng, readLines } from './deps.js';
import { fnv1a } from './vocab.js';

export interface CorpusOptions {
  /** `.txt` files, or folders whose `.txt` files are used (sorted by name). */
  paths: readonly string[];
  seed: number;
  batchSize: number;
  /** Lines longer than this (UTF-16 units) are cut (at a code point boundary). */
  maxLength: number;
  /** Lines shorter than this are skipped (default 2). */
  minLength?: number;
  /** Lines per shuffling window (default 8192). */
  windowLines?: number;
  /** One line in `heldOutEvery` (by text hash) is held out (default 200; 0 = none). */
  heldOutEvery?: number;
}

export interface CorpusBatch {
  texts: string[];
  /** 0-based index of this batch in the stream (the resume position). */
  index: number;
  epoch: number;
}

/** Expands folders to their `.txt` files (sorted). */
export async function listTextFiles(paths: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (const p of paths) {
    let s: Awaited<ReturnType<typeof stat>>;
    try {
      s = await stat(p);
    } catch {
      throw new Error(
        `corpus: ${p} does not exist (pass --data with a folder of .txt files, one sentence a line)`,
      );
    }
    if (s.isDirectory()) {
      const names = (await readdir(p)).filter((n) => n.endsWith('.txt')).sort();
      out.push(...names.map((n) => path.join(p, n)));
    } else out.push(p);
  }
  if (out.length === 0) throw new Error(`corpus: no .txt files in ${paths.join(', ')}`);
  return out;
}

/** True when a line belongs to the held-out slice (1 in `every`, by FNV-1a of its text). */
export function isHeldOut(text: string, every = 200): boolean {
  return every > 0 && fnv1a(text) % every === 0;
}

/** Cuts to at most `max` UTF-16 units without splitting a surrogate pair. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  const c = text.charCodeAt(max - 1);
  return text.slice(0, c >= 0xd800 && c <= 0xdbff ? max - 1 : max);
}

/** Interleaved lines of all files for one epoch (training lines only, already cut). */
async function* interleave(
  files: string[],
  sizes: number[],
  rng: Rng,
  o: Required<CorpusOptions>,
): AsyncGenerator<string> {
  const iters = files.map((f) => readLines(f)[Symbol.asyncIterator]());
  const left = [...sizes];
  const alive = files.map(() => true);
  for (;;) {
    let total = 0;
    for (let i = 0; i < files.length; i++) if (alive[i]) total += Math.max(1, left[i]!);
    if (total === 0) return;
    let r = rng.next() * total;
    let k = 0;
    for (; k < files.length; k++) {
      if (!alive[k]) continue;
      r -= Math.max(1, left[k]!);
      if (r < 0) break;
    }
    if (k >= files.length) k = alive.lastIndexOf(true);
    const res = await iters[k]!.next();
    if (res.done) {
      alive[k] = false;
      continue;
    }
    const line = res.value.text.trim();
    left[k] = left[k]! - Buffer.byteLength(res.value.text, 'utf8') - 1;
    if (line.length < o.minLength || isHeldOut(line, o.heldOutEvery)) continue;
    yield truncate(line, o.maxLength);
  }
}

/** The batch stream (endless: epochs repeat with new shuffles). Starts at batch `skip`. */
export async function* corpusBatches(options: CorpusOptions, skip = 0): AsyncGenerator<CorpusBatch> {
  const o: Required<CorpusOptions> = { minLength: 2, windowLines: 8192, heldOutEvery: 200, ...options };
  const files = await listTextFiles(o.paths);
  const sizes = await Promise.all(files.map(async (f) => (await stat(f)).size));
  const root = createRng(o.seed);
  let index = 0;
  for (let epoch = 0; ; epoch++) {
    const erng = root.fork(`epoch-${epoch}`);
    let windowNo = 0;
    let window: string[] = [];
    let produced = false;
    const flush = function* (): Generator<CorpusBatch> {
      const wrng = erng.fork(`window-${windowNo++}`);
      wrng.shuffle(window);
      window.sort((a, b) => a.length - b.length);
      const batches: string[][] = [];
      for (let i = 0; i < window.length; i += o.batchSize) batches.push(window.slice(i, i + o.batchSize));
      wrng.shuffle(batches);
      for (const texts of batches) {
        produced = true;
        yield { texts, index: index++, epoch };
      }
      window = [];
    };
    for await (const line of interleave(files, sizes, erng.fork('mix'), o)) {
      window.push(line);
      if (window.length >= o.windowLines) {
        for (const b of flush()) if (b.index >= skip) yield b;
      }
    }
    if (window.length) for (const b of flush()) if (b.index >= skip) yield b;
    if (!produced) throw new Error(`corpus: no usable lines in ${files.join(', ')}`);
  }
}

/** `limit` held-out lines spread evenly over all files (deterministic), for evaluation. */
export async function heldOutLines(
  options: Pick<CorpusOptions, 'paths' | 'maxLength' | 'heldOutEvery'>,
  limit: number,
): Promise<string[]> {
  const files = await listTextFiles(options.paths);
  const every = options.heldOutEvery ?? 200;
  const out: string[] = [];
  for (const f of files) {
    for await (const { text } of readLines(f)) {
      const line = text.trim();
      if (line.length >= 2 && isHeldOut(line, every)) out.push(truncate(line, options.maxLength));
    }
  }
  if (out.length <= limit) return out;
  const stride = out.length / limit;
  return Array.from({ length: limit }, (_, i) => out[Math.floor(i * stride)]!);
}
