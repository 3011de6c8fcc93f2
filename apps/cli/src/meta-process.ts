/**
 * A meta model folder served from a child process: {@link MetaProcessLearner} is a
 * `FewShotLearner` whose `adapt` and whose taggers' `predict` run in `meta-process-worker`. The
 * tfjs work of few-shot tasks (MAML adaptation, encoding new texts) is synchronous on the wasm and
 * cpu backends, so in the server's own thread one adaptation (about a second) would stall every
 * other request, `GET /healthz` included; in a child process it only delays the task it is for.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { EntityType, FewShotLearner, Prediction, Sentence, Tagger } from '@nerima/core';

/** tfjs memory of the child, as `tf.memory()` reports it. */
export interface ChildTensorMemory {
  numTensors: number;
  numBytes: number;
}

/** Messages to the child. */
export type MetaRequest =
  | { type: 'init'; dir: string; storeCapacity: number; backend?: string }
  | { type: 'adapt'; id: number; support: Sentence[]; types?: EntityType[] }
  | { type: 'predict'; id: number; tagger: number; texts: string[] }
  | { type: 'release'; id: number; tagger: number };

type WithoutId<T> = T extends { id: number } ? Omit<T, 'id'> : never;

/** Messages from the child; every reply carries its tfjs memory after the work. */
export type MetaReply =
  | { type: 'ready'; name: string; trainTypes: EntityType[]; backend: string; memory: ChildTensorMemory }
  | { type: 'failed'; message: string }
  | { type: 'result'; id: number; value: unknown; memory: ChildTensorMemory }
  | { type: 'error'; id: number; message: string; statusCode?: number; memory: ChildTensorMemory };

/** Options of {@link MetaProcessLearner.start}. */
export interface MetaProcessOptions {
  /** The meta model folder (`meta.json`, `model.json`, `encoder.bin`). */
  dir: string;
  /** Feature-cache size of the child (texts). */
  storeCapacity: number;
  /** tfjs backend request for the child (`--backend`); default: `NERIMA_BACKEND`, else auto. */
  backend?: string;
  /** Called once if the child exits while in use (not after `dispose`). */
  onExit?: (message: string) => void;
}

interface Pending {
  resolve(value: unknown): void;
  reject(err: Error): void;
}

function workerEntry(): { file: string; execArgv: string[] } {
  const fromSource = import.meta.url.endsWith('.ts');
  const file = fileURLToPath(
    new URL(fromSource ? './meta-process-worker.ts' : './meta-process-worker.js', import.meta.url),
  );
  if (!fromSource) return { file, execArgv: [] };
  // From source (tsx, tests): the child needs the TypeScript loader and the source condition.
  const execArgv = [...process.execArgv];
  if (!execArgv.some((a) => a.includes('tsx'))) execArgv.push('--import', 'tsx');
  if (!execArgv.some((a) => a.includes('@nerima/source'))) execArgv.push('--conditions=@nerima/source');
  return { file, execArgv };
}

/** An error from the child; `statusCode` (4xx) when the learner refused the input. */
export class MetaProcessError extends Error {
  override readonly name = 'MetaProcessError';
  constructor(
    message: string,
    readonly statusCode?: number,
  ) {
    super(message);
  }
}

export class MetaProcessLearner implements FewShotLearner {
  readonly #child: ChildProcess;
  readonly #pending = new Map<number, Pending>();
  #nextId = 0;
  #broken: Error | undefined;
  #disposed = false;
  #memory: ChildTensorMemory;

  private constructor(
    child: ChildProcess,
    readonly name: string,
    readonly trainTypes: readonly EntityType[],
    readonly backend: string,
    memory: ChildTensorMemory,
    onExit?: (message: string) => void,
  ) {
    this.#child = child;
    this.#memory = memory;
    child.on('message', (msg: MetaReply) => {
      if (msg.type !== 'result' && msg.type !== 'error') return;
      this.#memory = msg.memory;
      const job = this.#pending.get(msg.id);
      if (!job) return;
      this.#pending.delete(msg.id);
      if (msg.type === 'result') job.resolve(msg.value);
      else job.reject(new MetaProcessError(msg.message, msg.statusCode));
    });
    child.once('exit', (code, signal) => {
      if (this.#disposed) return;
      const message = `the meta model process exited (code ${code}, signal ${signal}); restart the server`;
      this.#fail(new Error(message));
      onExit?.(message);
    });
  }

  /** Forks the child and waits until it has loaded the folder. */
  static async start(options: MetaProcessOptions): Promise<MetaProcessLearner> {
    const { file, execArgv } = workerEntry();
    const child = fork(file, [], {
      execArgv,
      serialization: 'advanced',
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    const ready = await new Promise<Extract<MetaReply, { type: 'ready' }>>((resolve, reject) => {
      const onMessage = (m: MetaReply) => {
        if (m.type === 'ready') resolve(m);
        else if (m.type === 'failed') reject(new Error(m.message));
        else return;
        child.off('message', onMessage);
        child.off('exit', onExit);
      };
      const onExit = (code: number | null) =>
        reject(new Error(`${options.dir}: the meta model process exited (code ${code}) while loading`));
      child.on('message', onMessage);
      child.once('exit', onExit);
      const init: MetaRequest = {
        type: 'init',
        dir: options.dir,
        storeCapacity: options.storeCapacity,
        ...(options.backend !== undefined ? { backend: options.backend } : {}),
      };
      child.send(init);
    }).catch((err: unknown) => {
      child.kill();
      throw err;
    });
    return new MetaProcessLearner(
      child,
      ready.name,
      ready.trainTypes,
      ready.backend,
      ready.memory,
      options.onExit,
    );
  }

  /** The child's tfjs memory after its last reply. */
  get tensorMemory(): ChildTensorMemory {
    return this.#memory;
  }

  /** The child's process id (e.g. to read its RSS). */
  get pid(): number | undefined {
    return this.#child.pid;
  }

  #call(request: WithoutId<MetaRequest>): Promise<unknown> {
    if (this.#broken) return Promise.reject(this.#broken);
    if (this.#disposed) return Promise.reject(new Error('MetaProcessLearner: used after dispose()'));
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#child.send({ ...request, id } as MetaRequest);
    });
  }

  async adapt(support: readonly Sentence[], types?: readonly EntityType[]): Promise<Tagger> {
    const { tagger, types: adapted } = (await this.#call({
      type: 'adapt',
      support: [...support],
      ...(types ? { types: [...types] } : {}),
    })) as { tagger: number; types: EntityType[] };
    let released = false;
    return {
      types: adapted,
      predict: async (texts: readonly string[]): Promise<Prediction[][]> => {
        if (released) throw new Error('tagger used after dispose()');
        return (await this.#call({ type: 'predict', tagger, texts: [...texts] })) as Prediction[][];
      },
      dispose: () => {
        if (released) return;
        released = true;
        this.#call({ type: 'release', tagger }).catch(() => undefined);
      },
    };
  }

  /** Stops the child; in-flight calls reject. Safe to call twice. */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#fail(new Error('MetaProcessLearner: disposed'));
    if (this.#child.connected) this.#child.disconnect();
  }

  #fail(err: Error): void {
    this.#broken ??= err;
    for (const job of this.#pending.values()) job.reject(err);
    this.#pending.clear();
  }
}
