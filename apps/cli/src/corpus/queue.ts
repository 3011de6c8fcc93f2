/**
 * The distributed mode: chunks are BullMQ jobs on Redis, tagged by `nerima worker` processes on any
 * number of machines that share the input and the out folder (same paths). A job's id is
 * `<runId>.<chunk>`, so queueing a run again (resume) adds only what is missing; a worker that dies
 * mid-chunk loses its lock and BullMQ's stalled-job check hands the chunk to another worker.
 */
import { resolve } from 'node:path';
import { type Job, Queue, UnrecoverableError, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { CliError, DataError } from '../errors.js';
import { chunkDone, tagChunk } from './chunk.js';
import { type CorpusManifest, readManifest } from './plan.js';
import type { TaggerFactory } from './tagger.js';

/** Prefix of the failure reason of a job that failed on bad input (no retries). */
export const DATA_ERROR = 'data error: ';

/** Default queue name. */
export const DEFAULT_QUEUE = 'nerima-tag';

/** What a job carries: where the run lives and which chunk to tag. */
export interface ChunkJob {
  runId: string;
  /** Absolute out folder (its manifest names the input). */
  outDir: string;
  chunk: number;
}

export function jobId(runId: string, chunk: number): string {
  return `${runId}.${chunk}`;
}

/** An ioredis connection as BullMQ wants it (no per-request retry limit; blocking commands). */
export function connect(url: string): Redis {
  return new Redis(url, { maxRetriesPerRequest: null, lazyConnect: false });
}

/** Checks that Redis answers at `url` within `timeoutMs`; a clear error otherwise. */
export async function pingRedis(url: string, timeoutMs = 5000): Promise<void> {
  const r = new Redis(url, { maxRetriesPerRequest: 1, lazyConnect: true, connectTimeout: timeoutMs });
  r.on('error', () => {});
  try {
    await r.connect();
    await r.ping();
  } catch (err) {
    throw new CliError(
      `--redis ${url}: no Redis answers there (${(err as Error).message}); start one (redis-server) or drop --redis to tag in this process`,
      1,
      { cause: err },
    );
  } finally {
    r.disconnect();
  }
}

/**
 * Queues the chunks in `pending` (idempotent: a job id that exists is left alone; a failed job of
 * an earlier attempt is replaced, so a resumed run retries it).
 */
export async function enqueueChunks(
  queue: Queue<ChunkJob>,
  manifest: CorpusManifest,
  outDir: string,
  pending: readonly number[],
): Promise<void> {
  const abs = resolve(outDir);
  for (const chunk of pending) {
    const id = jobId(manifest.runId, chunk);
    const old = await queue.getJob(id);
    if (old) {
      const state = await old.getState();
      if (state === 'failed' || state === 'completed') await old.remove();
      else continue;
    }
    await queue.add(
      'chunk',
      { runId: manifest.runId, outDir: abs, chunk },
      {
        jobId: id,
        attempts: 3,
        backoff: { type: 'fixed', delay: 1000 },
        removeOnComplete: true,
        removeOnFail: false,
      },
    );
  }
}

/** Failed jobs of run `runId`, as `chunk N: reason` lines. */
export async function failedChunks(queue: Queue<ChunkJob>, runId: string): Promise<string[]> {
  const failed = await queue.getJobs(['failed'], 0, -1);
  return failed
    .filter((j) => j?.data?.runId === runId)
    .map((j) => `chunk ${j.data.chunk}: ${j.failedReason}`);
}

/** Options of {@link startWorker}. */
export interface WorkerOptions {
  redisUrl: string;
  queue?: string;
  tagger: TaggerFactory;
  batchSize: number;
  /**
   * Milliseconds a job's lock lasts without renewal; a killed worker's chunk is handed to another
   * worker after about this long (plus the same again for the stalled check). Default 30,000.
   */
  lockMs?: number;
  log?: (line: string) => void;
}

/** A running worker. */
export interface RunningWorker {
  /** Resolves when the tagger is loaded and the worker takes jobs. */
  ready: Promise<void>;
  /** Chunks tagged so far by this worker. */
  readonly chunksDone: number;
  /** Finishes the current chunk, then stops and frees the tagger. */
  close(): Promise<void>;
}

/**
 * Loads the tagger once, then tags chunks from the queue one at a time (the tagger's compute is
 * single-threaded: run one worker per core).
 */
export function startWorker(options: WorkerOptions): RunningWorker {
  const log = options.log ?? (() => {});
  const lockMs = options.lockMs ?? 30_000;
  const manifests = new Map<string, CorpusManifest>();
  let worker: Worker<ChunkJob> | undefined;
  let connection: Redis | undefined;
  let tagger: Awaited<ReturnType<TaggerFactory>> | undefined;
  let chunksDone = 0;
  let closing: Promise<void> | undefined;

  async function manifestFor(job: Job<ChunkJob>): Promise<CorpusManifest> {
    const { runId, outDir } = job.data;
    let m = manifests.get(runId);
    if (!m) {
      m = await readManifest(outDir);
      if (!m) throw new DataError(`${outDir}: no manifest.json; is the out folder shared with this machine?`);
      if (m.runId !== runId) throw new DataError(`${outDir}: holds run ${m.runId}, the job is for ${runId}`);
      manifests.set(runId, m);
    }
    return m;
  }

  const ready = (async () => {
    tagger = await options.tagger();
    connection = connect(options.redisUrl);
    worker = new Worker<ChunkJob>(
      options.queue ?? DEFAULT_QUEUE,
      async (job) => {
        const { outDir, chunk } = job.data;
        try {
          const manifest = await manifestFor(job);
          if (await chunkDone(outDir, chunk)) return { lines: 0, skipped: true };
          const t0 = performance.now();
          const lines = await tagChunk(tagger!, manifest, outDir, chunk, options.batchSize);
          chunksDone++;
          log(`chunk ${chunk}: ${lines} lines in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
          return { lines, skipped: false };
        } catch (err) {
          // Bad data does not get better on a retry.
          if (err instanceof DataError) throw new UnrecoverableError(`${DATA_ERROR}${err.message}`);
          throw err;
        }
      },
      {
        connection,
        concurrency: 1,
        lockDuration: lockMs,
        stalledInterval: lockMs,
        maxStalledCount: 10,
      },
    );
    worker.on('error', (err) => log(`worker error: ${err.message}`));
    await worker.waitUntilReady();
  })();
  ready.catch(() => {});

  return {
    ready,
    get chunksDone() {
      return chunksDone;
    },
    close() {
      closing ??= (async () => {
        await ready.catch(() => {});
        await worker?.close();
        connection?.disconnect();
        tagger?.dispose?.();
      })();
      return closing;
    },
  };
}

/** Opens the queue of `name` on `url` (the producer side). */
export function openQueue(
  url: string,
  name = DEFAULT_QUEUE,
): { queue: Queue<ChunkJob>; close(): Promise<void> } {
  const connection = connect(url);
  const queue = new Queue<ChunkJob>(name, { connection });
  return {
    queue,
    async close() {
      await queue.close();
      connection.disconnect();
    },
  };
}
