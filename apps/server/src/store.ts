/**
 * Where adapted tasks are persisted. A task is stored as its support set and types, not as model
 * weights: a server re-creates the tagger with `learner.adapt` on the task's first use (after a
 * restart, an LRU eviction, or on a replica that did not create it).
 */
import type { EntityType, Sentence } from '@nerima/core';

/** One persisted task. */
export interface TaskRecord {
  id: string;
  /** The types the adapted tagger outputs (`tagger.types` at creation). */
  types: EntityType[];
  /** The types the client asked for, or `undefined` when it let the learner take every type. */
  requestedTypes: EntityType[] | undefined;
  support: Sentence[];
  /** `learner.name` at creation. */
  learner: string;
  /** ISO 8601 creation time. */
  createdAt: string;
}

/**
 * A task store. Every method is asynchronous, so a store may live in another process (Redis) and be
 * shared by several server replicas. {@link TaskStore.putIfRoom} is atomic in the store itself
 * (a SQLite write transaction, a Redis Lua script), which keeps the stored-task limit exact under
 * concurrent requests to any number of replicas.
 */
export interface TaskStore {
  /** Human-readable location, e.g. the database path, `:memory:` or the Redis URL (no password). */
  readonly location: string;
  /**
   * Stores `record` unless `limit` tasks are stored already (replacing a record with the same id
   * always succeeds). Returns whether it was stored. Check and write are one atomic step.
   */
  putIfRoom(record: TaskRecord, limit: number): Promise<boolean>;
  /** Stores `record` (insert or replace), whatever the count. */
  put(record: TaskRecord): Promise<void>;
  get(id: string): Promise<TaskRecord | undefined>;
  /** Whether task `id` is stored; cheaper than {@link get} (no support set is read). */
  has(id: string): Promise<boolean>;
  /** Returns whether the task existed. */
  delete(id: string): Promise<boolean>;
  count(): Promise<number>;
  /** Releases the store (file handle, connection). Safe to call twice. */
  close(): Promise<void>;
}

/**
 * Where to keep tasks: a SQLite file (the embedded default), process memory (lost on exit; no
 * native module needed), or a Redis server shared by several replicas. `keyPrefix` (default
 * `nerima:tasks:`, or the URL's `?prefix=`) separates several deployments on one Redis.
 */
export type StoreOption = { path: string } | ':memory:' | { redis: string; keyPrefix?: string };

/** A store in process memory. */
export class MemoryTaskStore implements TaskStore {
  readonly location = ':memory:';
  readonly #tasks = new Map<string, TaskRecord>();

  async putIfRoom(record: TaskRecord, limit: number): Promise<boolean> {
    // Synchronous from the check to the write: atomic within this process.
    if (!this.#tasks.has(record.id) && this.#tasks.size >= limit) return false;
    this.#tasks.set(record.id, structuredClone(record));
    return true;
  }

  async put(record: TaskRecord): Promise<void> {
    this.#tasks.set(record.id, structuredClone(record));
  }

  async get(id: string): Promise<TaskRecord | undefined> {
    const r = this.#tasks.get(id);
    return r && structuredClone(r);
  }

  async has(id: string): Promise<boolean> {
    return this.#tasks.has(id);
  }

  async delete(id: string): Promise<boolean> {
    return this.#tasks.delete(id);
  }

  async count(): Promise<number> {
    return this.#tasks.size;
  }

  async close(): Promise<void> {
    this.#tasks.clear();
  }
}

function badOption(option: unknown): TypeError {
  return new TypeError(
    `store must be ':memory:', { path: string } (SQLite) or { redis: 'redis://host:port/db' }, got ${JSON.stringify(option)}`,
  );
}

/**
 * Opens the store for `option`. A path opens (or creates) a SQLite database with `better-sqlite3`,
 * and `{ redis }` connects with `ioredis`; each driver is loaded only then, so `':memory:'` needs
 * neither.
 */
export async function openTaskStore(option: StoreOption): Promise<TaskStore> {
  if (option === ':memory:') return new MemoryTaskStore();
  if (typeof option !== 'object' || option === null) throw badOption(option);
  if ('redis' in option) {
    if (typeof option.redis !== 'string' || option.redis === '') throw badOption(option);
    const { RedisTaskStore } = await import('./redis-store.js');
    return RedisTaskStore.open(
      option.redis,
      option.keyPrefix === undefined ? {} : { keyPrefix: option.keyPrefix },
    );
  }
  if (typeof option.path !== 'string' || option.path === '') throw badOption(option);
  const { SqliteTaskStore } = await import('./sqlite-store.js');
  return SqliteTaskStore.open(option.path);
}
