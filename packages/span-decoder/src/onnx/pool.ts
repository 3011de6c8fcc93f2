/**
 * OnnxTaggerPool: the ONNX path of a tagger folder in N child processes, one onnxruntime thread
 * each, so that tokenising, the JS cascade and the model all run in parallel (onnxruntime's `run`
 * blocks its thread, and its native binding cannot load in worker threads). Texts are sorted by
 * length and cut into batches exactly as {@link OnnxSpanTagger.score} does, so the pool returns
 * what one OnnxSpanTagger returns; batches go to whichever process is free.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { EntityType, Prediction, Tagger } from '@nerima/core';
import type { LoadTaggerOptions } from '../tagger.js';
import type { PoolReply, PoolRequest } from './pool-protocol.js';

/** Options of {@link OnnxTaggerPool.create}: a tagger folder and how many processes. */
export interface OnnxPoolOptions extends LoadTaggerOptions {
  /** Child processes (default 2). Each loads its own copy of the model (~150 MB resident). */
  processes?: number;
  /** onnxruntime intra-op threads per process (default 1). */
  threadsPerProcess?: number;
}

interface Job {
  id: number;
  texts: string[];
  resolve(p: Prediction[][]): void;
  reject(e: Error): void;
}

interface Member {
  child: ChildProcess;
  inFlight: Map<number, Job>;
}

/** Batches in flight per process: 2 keeps the next batch's IPC transfer off the critical path. */
const DEPTH = 2;

function workerEntry(): { file: string; execArgv: string[] } {
  const fromSource = import.meta.url.endsWith('.ts');
  const file = fileURLToPath(new URL(fromSource ? './pool-worker.ts' : './pool-worker.js', import.meta.url));
  if (!fromSource) return { file, execArgv: [] };
  // Running from source (tests, tsx): the child needs the TypeScript loader and the source condition.
  const execArgv = [...process.execArgv];
  if (!execArgv.some((a) => a.includes('tsx'))) execArgv.push('--import', 'tsx');
  if (!execArgv.some((a) => a.includes('@nerima/source'))) execArgv.push('--conditions=@nerima/source');
  return { file, execArgv };
}

export class OnnxTaggerPool implements Tagger {
  /** Texts per batch (the folder's saved batch size unless overridden). */
  batchSize: number;
  private readonly queue: Job[] = [];
  private nextId = 0;
  private broken: Error | undefined;
  private disposed = false;

  private constructor(
    private readonly members: Member[],
    readonly types: readonly EntityType[],
    batchSize: number,
  ) {
    this.batchSize = batchSize;
  }

  /** Forks the processes and waits until each has loaded the tagger (rejects with the first failure). */
  static async create(options: OnnxPoolOptions): Promise<OnnxTaggerPool> {
    const { processes = 2, threadsPerProcess = 1, ...load } = options;
    if (!Number.isInteger(processes) || processes < 1)
      throw new RangeError(`OnnxTaggerPool: processes must be a positive integer, got ${processes}`);
    const { file, execArgv } = workerEntry();
    const members: Member[] = [];
    const ready: Promise<string[]>[] = [];
    for (let i = 0; i < processes; i++) {
      const child = fork(file, [], {
        execArgv,
        serialization: 'advanced',
        stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
      });
      members.push({ child, inFlight: new Map() });
      ready.push(
        new Promise((resolve, reject) => {
          const onMessage = (m: PoolReply) => {
            if (m.type === 'ready') resolve(m.types);
            else if (m.type === 'failed') reject(new Error(`OnnxTaggerPool: ${load.from}: ${m.message}`));
            else return;
            child.off('message', onMessage);
            child.off('exit', onExit);
          };
          const onExit = (code: number | null) =>
            reject(new Error(`OnnxTaggerPool: a process exited (code ${code}) while loading ${load.from}`));
          child.on('message', onMessage);
          child.once('exit', onExit);
        }),
      );
      child.send({ type: 'init', options: load, threads: threadsPerProcess } satisfies PoolRequest);
    }
    let types: string[];
    try {
      types = (await Promise.all(ready))[0] as string[];
    } catch (err) {
      for (const m of members) m.child.kill();
      throw err;
    }
    const pool = new OnnxTaggerPool(members, types, options.batchSize ?? 32);
    for (const m of members) pool.attach(m);
    return pool;
  }

  /** Processes in the pool. */
  get size(): number {
    return this.members.length;
  }

  async predict(texts: readonly string[]): Promise<Prediction[][]> {
    if (this.disposed) throw new Error('OnnxTaggerPool: used after dispose()');
    if (this.broken) throw this.broken;
    const order = texts
      .map((_, i) => i)
      .sort((a, b) => (texts[a] as string).length - (texts[b] as string).length || a - b);
    const out: Prediction[][] = new Array(texts.length);
    const pending: Promise<void>[] = [];
    for (let i = 0; i < order.length; i += this.batchSize) {
      const idx = order.slice(i, i + this.batchSize);
      const batch = idx.map((j) => texts[j] as string);
      pending.push(
        this.submit(batch).then((preds) => {
          idx.forEach((j, k) => {
            out[j] = preds[k] as Prediction[];
          });
        }),
      );
    }
    await Promise.all(pending);
    return out;
  }

  /** Stops the processes; safe to call twice. In-flight predictions reject. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.fail(new Error('OnnxTaggerPool: disposed'));
    for (const m of this.members) m.child.disconnect?.();
  }

  private submit(texts: string[]): Promise<Prediction[][]> {
    return new Promise((resolve, reject) => {
      this.queue.push({ id: this.nextId++, texts, resolve, reject });
      this.pump();
    });
  }

  /** Hands queued batches to the least busy processes. */
  private pump(): void {
    while (this.queue.length > 0) {
      let best: Member | undefined;
      for (const m of this.members) if (!best || m.inFlight.size < best.inFlight.size) best = m;
      if (!best || best.inFlight.size >= DEPTH) return;
      const job = this.queue.shift() as Job;
      best.inFlight.set(job.id, job);
      best.child.send({ type: 'predict', id: job.id, texts: job.texts } satisfies PoolRequest);
    }
  }

  private attach(m: Member): void {
    m.child.on('message', (msg: PoolReply) => {
      if (msg.type !== 'result' && msg.type !== 'error') return;
      const job = m.inFlight.get(msg.id);
      if (!job) return;
      m.inFlight.delete(msg.id);
      if (msg.type === 'result') job.resolve(msg.predictions);
      else job.reject(new Error(`OnnxTaggerPool: ${msg.message}`));
      this.pump();
    });
    m.child.once('exit', (code, signal) => {
      if (!this.disposed)
        this.fail(new Error(`OnnxTaggerPool: a process exited (code ${code}, signal ${signal})`));
    });
  }

  /** Rejects everything queued or in flight and refuses further work. */
  private fail(err: Error): void {
    this.broken ??= err;
    for (const job of this.queue.splice(0)) job.reject(err);
    for (const m of this.members) {
      for (const job of m.inFlight.values()) job.reject(err);
      m.inFlight.clear();
    }
    if (!this.disposed) {
      this.disposed = true;
      for (const m of this.members) m.child.kill();
    }
  }
}
