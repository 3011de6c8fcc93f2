/**
 * `tagCorpus`: plan (or resume) a run, tag its pending chunks in this process or through a BullMQ
 * queue, then assemble `<out>/entities.jsonl` in input order.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { CliError } from '../errors.js';
import { assembleOutput, pendingChunks, tagChunk } from './chunk.js';
import { type CorpusFormat, type CorpusManifest, openRun } from './plan.js';
import type { TaggerFactory } from './tagger.js';

/** Options of {@link tagCorpus}. */
export interface TagCorpusOptions {
  input: string;
  outDir: string;
  format: CorpusFormat;
  /** Lines per chunk (default 1000). */
  chunkSize?: number;
  /** Texts per tagger call (default 32). */
  batchSize?: number;
  /** Local mode: the tagger this process uses. */
  tagger?: TaggerFactory;
  /** Distributed mode: queue the chunks on this Redis; workers tag them. */
  redis?: {
    url: string;
    queue?: string;
    /** Called on every poll; throw to abort (e.g. every local worker died). */
    check?: () => void;
    pollMs?: number;
  };
  /** Called with lines done (of `manifest.lines`) after every chunk, resumed ones included. */
  onProgress?: (linesDone: number, manifest: CorpusManifest) => void;
  /** Called once the plan is known, before any tagging. */
  onPlan?: (manifest: CorpusManifest, pending: readonly number[], resumed: boolean) => void;
}

/** What a run did. */
export interface TagCorpusResult {
  output: string;
  manifest: CorpusManifest;
  resumed: boolean;
  /** Chunks that had output before this run started. */
  chunksSkipped: number;
  /** Lines tagged by this run (all processes together). */
  linesTagged: number;
  /** Seconds from queueing (or loading the tagger, locally) to the last chunk. */
  taggingSeconds: number;
  seconds: number;
}

function linesOf(manifest: CorpusManifest, chunks: Iterable<number>): number {
  let n = 0;
  for (const c of chunks) n += manifest.chunks[c]?.[3] ?? 0;
  return n;
}

async function doneChunks(outDir: string): Promise<Set<number>> {
  let names: string[];
  try {
    names = await readdir(join(outDir, 'chunks'));
  } catch {
    return new Set();
  }
  const done = new Set<number>();
  for (const n of names) {
    const m = /^(\d{6,})\.jsonl$/.exec(n);
    if (m) done.add(Number(m[1]));
  }
  return done;
}

export async function tagCorpus(options: TagCorpusOptions): Promise<TagCorpusResult> {
  const t0 = performance.now();
  const chunkSize = options.chunkSize ?? 1000;
  const batchSize = options.batchSize ?? 32;
  const { outDir } = options;
  const { manifest, resumed } = await openRun(options.input, {
    outDir,
    chunkSize,
    format: options.format,
  });
  const pending = await pendingChunks(outDir, manifest);
  const pendingSet = new Set(pending);
  const skipped = manifest.chunks.length - pending.length;
  options.onPlan?.(manifest, pending, resumed);
  const allDone = manifest.chunks.map((_, i) => i).filter((i) => !pendingSet.has(i));
  let linesDone = linesOf(manifest, allDone);
  options.onProgress?.(linesDone, manifest);
  let tStart = performance.now();

  if (pending.length > 0 && !options.redis) {
    if (!options.tagger) throw new Error('tagCorpus: local mode needs a tagger factory');
    const tagger = await options.tagger();
    tStart = performance.now();
    try {
      for (const chunk of pending) {
        linesDone += await tagChunk(tagger, manifest, outDir, chunk, batchSize);
        options.onProgress?.(linesDone, manifest);
      }
    } finally {
      tagger.dispose?.();
    }
  } else if (pending.length > 0 && options.redis) {
    const { url, check, pollMs = 250 } = options.redis;
    const { DATA_ERROR, enqueueChunks, failedChunks, openQueue } = await import('./queue.js');
    const q = openQueue(url, options.redis.queue);
    try {
      tStart = performance.now();
      await enqueueChunks(q.queue, manifest, outDir, pending);
      for (;;) {
        const done = await doneChunks(outDir);
        const left = pending.filter((c) => !done.has(c));
        linesDone = linesOf(manifest, allDone) + linesOf(manifest, pending) - linesOf(manifest, left);
        options.onProgress?.(linesDone, manifest);
        if (left.length === 0) break;
        const failed = await failedChunks(q.queue, manifest.runId);
        if (failed.length > 0) {
          throw new CliError(
            `${failed.length} chunk(s) failed: ${failed.slice(0, 3).join('; ')}${failed.length > 3 ? '; ...' : ''}. Fix the cause and run the same command again to resume`,
            failed.some((f) => f.includes(DATA_ERROR)) ? 3 : 1,
          );
        }
        check?.();
        await new Promise((r) => setTimeout(r, pollMs));
      }
    } finally {
      await q.close();
    }
  }
  const taggingSeconds = (performance.now() - tStart) / 1000;
  const output = await assembleOutput(outDir, manifest);
  return {
    output,
    manifest,
    resumed,
    chunksSkipped: skipped,
    linesTagged: linesOf(manifest, pending),
    taggingSeconds,
    seconds: (performance.now() - t0) / 1000,
  };
}
