/**
 * Where the model runs: {@link WorkerEngine} (tfjs in a Web Worker, in the page) or
 * {@link HttpEngine} (a nerima server: `POST /v1/tasks` adapts, `POST /v1/tasks/:id/entities` tags).
 */
import type { EntityType, Prediction, Sentence } from '@nerima/core';
import type {
  AdaptResult,
  InitResult,
  Progress,
  TagResult,
  WorkerRequest,
  WorkerResponse,
} from './protocol.js';

/** The operations the page needs. */
export interface Engine {
  readonly name: string;
  init(onProgress: (p: Progress) => void): Promise<InitResult>;
  adapt(support: Sentence[], types: EntityType[]): Promise<AdaptResult>;
  tag(texts: string[], onProgress: (p: Progress) => void): Promise<TagResult>;
  dispose(): void;
}

type Pending = { resolve(v: unknown): void; reject(e: Error): void; progress?: (p: Progress) => void };
type RequestBody = WorkerRequest extends infer R ? (R extends { id: number } ? Omit<R, 'id'> : never) : never;

/** The model in a dedicated Web Worker (see worker.ts). */
export class WorkerEngine implements Engine {
  readonly name = 'browser';
  private readonly worker: Worker;
  private next = 1;
  private readonly pending = new Map<number, Pending>();

  constructor(
    private readonly base: string,
    private readonly backend: 'auto' | 'wasm' | 'cpu' = 'auto',
  ) {
    this.worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' });
    this.worker.onmessage = (e: MessageEvent<WorkerResponse>) => {
      const msg = e.data;
      const p = this.pending.get(msg.id);
      if (!p) return;
      if (msg.kind === 'progress') p.progress?.(msg.progress);
      else {
        this.pending.delete(msg.id);
        if (msg.kind === 'result') p.resolve(msg.result);
        else p.reject(new Error(msg.message));
      }
    };
    this.worker.onerror = (e) => {
      const err = new Error(`the model worker failed: ${e.message || 'unknown error'}`);
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
    };
  }

  private call<T>(body: RequestBody, progress?: (p: Progress) => void): Promise<T> {
    const id = this.next++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, {
        resolve: resolve as (v: unknown) => void,
        reject,
        ...(progress ? { progress } : {}),
      });
      this.worker.postMessage({ ...body, id } as WorkerRequest);
    });
  }

  init(onProgress: (p: Progress) => void): Promise<InitResult> {
    return this.call({ kind: 'init', base: this.base, backend: this.backend }, onProgress);
  }
  adapt(support: Sentence[], types: EntityType[]): Promise<AdaptResult> {
    return this.call({ kind: 'adapt', support, types });
  }
  tag(texts: string[], onProgress: (p: Progress) => void): Promise<TagResult> {
    return this.call({ kind: 'tag', texts }, onProgress);
  }
  dispose(): void {
    this.worker.terminate();
  }
}

/** Reads the server's error body `{ error: { code, message } }` into an Error. */
async function failure(res: Response, what: string): Promise<Error> {
  let detail = `HTTP ${res.status}`;
  try {
    const body = (await res.json()) as { error?: { code?: string; message?: string } };
    if (body.error?.message) detail = `${body.error.code ?? res.status}: ${body.error.message}`;
  } catch {
    // not JSON
  }
  return new Error(`${what} failed (${detail})`);
}

/** A nerima server (`nerima serve`): one task per adaptation. */
export class HttpEngine implements Engine {
  readonly name = 'server';
  private taskId: string | undefined;

  constructor(private readonly url: string) {}

  private endpoint(path: string): string {
    return new URL(path, this.url.endsWith('/') ? this.url : `${this.url}/`).href;
  }

  async init(): Promise<InitResult> {
    const t0 = performance.now();
    let res: Response;
    try {
      res = await fetch(this.endpoint('healthz'));
    } catch (err) {
      throw new Error(
        `cannot reach the server at ${this.url} (${(err as Error).message}); is nerima serve running?`,
      );
    }
    if (!res.ok) throw await failure(res, `GET ${this.endpoint('healthz')}`);
    const health = (await res.json()) as { learner?: string };
    return {
      backend: `server (${health.learner ?? 'unknown learner'})`,
      loadMs: performance.now() - t0,
      modelBytes: 0,
    };
  }

  async adapt(support: Sentence[], types: EntityType[]): Promise<AdaptResult> {
    const t0 = performance.now();
    const res = await fetch(this.endpoint('v1/tasks'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ support, types }),
    });
    if (!res.ok) throw await failure(res, 'POST /v1/tasks');
    const body = (await res.json()) as { taskId: string; types: EntityType[] };
    this.taskId = body.taskId;
    return { types: body.types, adaptMs: performance.now() - t0 };
  }

  async tag(texts: string[], onProgress: (p: Progress) => void): Promise<TagResult> {
    if (!this.taskId) throw new Error('no task yet: adapt to a support set first');
    const t0 = performance.now();
    const predictions: Prediction[][] = [];
    for (let i = 0; i < texts.length; i += 16) {
      const res = await fetch(this.endpoint(`v1/tasks/${encodeURIComponent(this.taskId)}/entities`), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ texts: texts.slice(i, i + 16) }),
      });
      if (!res.ok) throw await failure(res, 'POST /v1/tasks/:id/entities');
      const body = (await res.json()) as { results: { entities: Prediction[] }[] };
      predictions.push(...body.results.map((r) => r.entities));
      onProgress({ label: 'tagging', done: Math.min(texts.length, i + 16), total: texts.length });
    }
    return { predictions, tagMs: performance.now() - t0 };
  }

  dispose(): void {}
}
