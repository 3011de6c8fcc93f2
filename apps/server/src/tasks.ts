/**
 * Adapted tasks: persisted in a {@link TaskStore}, their taggers cached in memory with LRU
 * eviction. A task that is stored but not in memory (evicted, or after a restart) is re-adapted
 * from its support set on first use; concurrent requests for it share that one adaptation.
 * Every use holds a reference, so an evicted or deleted tagger is disposed only once its last
 * request has finished.
 *
 * The store may be shared by several replicas (Redis). Each replica caches its own taggers, so a
 * task deleted on another replica would still be in this one's memory: every use of a cached
 * tagger therefore first asks the store whether the task still exists ({@link TaskStore.has}, one
 * `EXISTS` on Redis, one indexed SELECT on SQLite) and drops the tagger when it does not.
 */
import { randomUUID } from 'node:crypto';
import type { EntityType, FewShotLearner, Prediction, Sentence, Tagger } from '@nerima/core';
import { ApiError } from './errors.js';
import type { ServerLimits } from './limits.js';
import { PredictQueue } from './predict-queue.js';
import { Semaphore } from './semaphore.js';
import type { TaskRecord, TaskStore } from './store.js';

interface LiveTask {
  record: TaskRecord;
  tagger: Tagger;
  queue: PredictQueue;
  refs: number;
  retired: boolean;
}

interface LoadSlot {
  /** Requests waiting for this load; the loaded task starts with this many references. */
  waiters: number;
  deleted: boolean;
  promise: Promise<LiveTask | undefined>;
}

/** What the registry reports, for metrics and logs. */
export interface TaskRegistryHooks {
  onAdapt?(reason: 'create' | 'reload', seconds: number): void;
  onEvict?(): void;
  onBatch?(texts: number): void;
  onDisposeError?(err: unknown): void;
}

/** A stored task and whether its tagger is in memory now. */
export interface TaskInfo {
  record: TaskRecord;
  inMemory: boolean;
}

export class TaskRegistry {
  readonly #learner: FewShotLearner;
  readonly #store: TaskStore;
  readonly #limits: ServerLimits;
  readonly #hooks: TaskRegistryHooks;
  readonly #adaptSlots: Semaphore;
  /** Insertion order is recency order: the first key is the least recently used. */
  readonly #live = new Map<string, LiveTask>();
  readonly #loading = new Map<string, LoadSlot>();
  #lastStored = 0;

  constructor(
    learner: FewShotLearner,
    store: TaskStore,
    limits: ServerLimits,
    hooks: TaskRegistryHooks = {},
  ) {
    this.#learner = learner;
    this.#store = store;
    this.#limits = limits;
    this.#hooks = hooks;
    this.#adaptSlots = new Semaphore(limits.adaptConcurrency);
  }

  /** Taggers in memory now. */
  get inMemory(): number {
    return this.#live.size;
  }

  /** Tasks in the store (shared with other replicas, if any). */
  async stored(): Promise<number> {
    this.#lastStored = await this.#store.count();
    return this.#lastStored;
  }

  /** The count of the last {@link stored} call, for synchronous readers (metrics gauges). */
  get lastStored(): number {
    return this.#lastStored;
  }

  #taskLimit(): ApiError {
    return new ApiError(
      429,
      'task_limit',
      `${this.#limits.maxStoredTasks} tasks are stored (limits.maxStoredTasks); delete unused ones with DELETE /v1/tasks/:id`,
    );
  }

  async #adapt(
    support: readonly Sentence[],
    types: readonly EntityType[] | undefined,
    reason: 'create' | 'reload',
  ) {
    return this.#adaptSlots.run(async () => {
      const t0 = performance.now();
      const tagger = await this.#learner.adapt(support, types);
      this.#hooks.onAdapt?.(reason, (performance.now() - t0) / 1000);
      return tagger;
    });
  }

  #queueFor(tagger: Tagger): PredictQueue {
    const options = { batchSize: this.#limits.predictBatchSize, maxQueued: this.#limits.maxQueuedTexts };
    return new PredictQueue(
      tagger,
      this.#hooks.onBatch ? { ...options, onBatch: this.#hooks.onBatch } : options,
    );
  }

  /** Adapts the learner to `support`, persists the task, and returns its record. */
  async create(support: Sentence[], types: EntityType[] | undefined): Promise<TaskRecord> {
    // Early refusal, before the (possibly long) adaptation; putIfRoom below is the exact check.
    if ((await this.stored()) >= this.#limits.maxStoredTasks) throw this.#taskLimit();
    const tagger = await this.#adapt(support, types, 'create');
    const record: TaskRecord = {
      id: randomUUID(),
      types: [...tagger.types],
      requestedTypes: types,
      support,
      learner: this.#learner.name,
      createdAt: new Date().toISOString(),
    };
    let stored: boolean;
    try {
      // One atomic step in the store: no request, on this replica or another, slips in between.
      stored = await this.#store.putIfRoom(record, this.#limits.maxStoredTasks);
    } catch (err) {
      this.#dispose(tagger);
      throw err;
    }
    if (!stored) {
      this.#dispose(tagger);
      throw this.#taskLimit();
    }
    this.#insert({ record, tagger, queue: this.#queueFor(tagger), refs: 0, retired: false });
    return record;
  }

  /** The stored task `id`, or `undefined`. */
  async info(id: string): Promise<TaskInfo | undefined> {
    const record = await this.#store.get(id);
    if (!record) {
      this.#forget(id);
      return undefined;
    }
    return { record, inMemory: this.#live.has(id) };
  }

  /** Tags `texts` with task `id`; `undefined` when there is no such task. */
  async predict(id: string, texts: readonly string[]): Promise<Prediction[][] | undefined> {
    const live = await this.#acquire(id);
    if (!live) return undefined;
    try {
      return await live.queue.predict(texts);
    } finally {
      this.#release(live);
    }
  }

  /** Deletes task `id` from the store and memory; returns whether it existed. */
  async delete(id: string): Promise<boolean> {
    const existed = await this.#store.delete(id);
    this.#forget(id);
    return existed;
  }

  /** Drops task `id` from memory (deleted here or on another replica). */
  #forget(id: string): void {
    const live = this.#live.get(id);
    if (live) this.#retire(live);
    const slot = this.#loading.get(id);
    if (slot) slot.deleted = true;
  }

  /** Waits for loads in progress, then disposes every tagger not in use. */
  async close(): Promise<void> {
    await Promise.allSettled([...this.#loading.values()].map((s) => s.promise));
    for (const live of [...this.#live.values()]) this.#retire(live);
  }

  #acquire(id: string): Promise<LiveTask | undefined> {
    const live = this.#live.get(id);
    if (live) {
      this.#live.delete(id);
      this.#live.set(id, live);
      // The reference is taken before the store is asked, so an eviction meanwhile cannot
      // dispose the tagger under this request.
      live.refs++;
      return this.#stillStored(live);
    }
    let slot = this.#loading.get(id);
    if (!slot) {
      const fresh: LoadSlot = { waiters: 0, deleted: false, promise: Promise.resolve(undefined) };
      this.#loading.set(id, fresh);
      fresh.promise = this.#load(id, fresh);
      slot = fresh;
    }
    slot.waiters++;
    return slot.promise;
  }

  /** `live` if its task is still in the store; otherwise drops it (deleted on another replica). */
  async #stillStored(live: LiveTask): Promise<LiveTask | undefined> {
    let exists: boolean;
    try {
      exists = await this.#store.has(live.record.id);
    } catch (err) {
      this.#release(live);
      throw err;
    }
    if (exists) return live;
    this.#retire(live);
    this.#release(live);
    return undefined;
  }

  async #load(id: string, slot: LoadSlot): Promise<LiveTask | undefined> {
    try {
      // Let the caller register as a waiter before anything can settle.
      await Promise.resolve();
      const record = await this.#store.get(id);
      if (!record) return undefined;
      const tagger = await this.#adapt(record.support, record.requestedTypes, 'reload');
      if (slot.deleted) {
        this.#dispose(tagger);
        return undefined;
      }
      // Every waiter gets its reference here, synchronously with the insert, so an eviction
      // triggered before the waiters resume cannot dispose the tagger under them.
      const live: LiveTask = {
        record,
        tagger,
        queue: this.#queueFor(tagger),
        refs: slot.waiters,
        retired: false,
      };
      this.#insert(live);
      return live;
    } finally {
      this.#loading.delete(id);
    }
  }

  #insert(live: LiveTask): void {
    this.#live.set(live.record.id, live);
    while (this.#live.size > this.#limits.maxTasksInMemory) {
      const oldest = this.#live.values().next().value as LiveTask;
      this.#retire(oldest);
      this.#hooks.onEvict?.();
    }
  }

  #release(live: LiveTask): void {
    live.refs--;
    if (live.retired && live.refs === 0) this.#dispose(live.tagger);
  }

  #retire(live: LiveTask): void {
    if (this.#live.get(live.record.id) === live) this.#live.delete(live.record.id);
    if (live.retired) return;
    live.retired = true;
    if (live.refs === 0) this.#dispose(live.tagger);
  }

  #dispose(tagger: Tagger): void {
    try {
      tagger.dispose?.();
    } catch (err) {
      this.#hooks.onDisposeError?.(err);
    }
  }
}
