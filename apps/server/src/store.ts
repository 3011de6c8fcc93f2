/**
 * Where adapted tasks are persisted. A task is stored as its support set and types, not as model
 * weights: after a restart the tagger is re-created by `learner.adapt` on first use.
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
 * A synchronous task store (SQLite calls are short and synchronous; a synchronous check-and-put
 * also keeps the stored-task limit exact under concurrent requests).
 */
export interface TaskStore {
  /** Human-readable location, e.g. the database path or `:memory:`. */
  readonly location: string;
  put(record: TaskRecord): void;
  get(id: string): TaskRecord | undefined;
  /** Returns whether the task existed. */
  delete(id: string): boolean;
  count(): number;
  close(): void;
}

/** Where to keep tasks: a SQLite file, or process memory (lost on exit; no native module needed). */
export type StoreOption = { path: string } | ':memory:';

/** A store in process memory. */
export class MemoryTaskStore implements TaskStore {
  readonly location = ':memory:';
  readonly #tasks = new Map<string, TaskRecord>();

  put(record: TaskRecord): void {
    this.#tasks.set(record.id, structuredClone(record));
  }

  get(id: string): TaskRecord | undefined {
    const r = this.#tasks.get(id);
    return r && structuredClone(r);
  }

  delete(id: string): boolean {
    return this.#tasks.delete(id);
  }

  count(): number {
    return this.#tasks.size;
  }

  close(): void {
    this.#tasks.clear();
  }
}

/**
 * Opens the store for `option`. A path opens (or creates) a SQLite database with
 * `better-sqlite3`, loaded only then, so `':memory:'` works without the native module.
 */
export async function openTaskStore(option: StoreOption): Promise<TaskStore> {
  if (option === ':memory:') return new MemoryTaskStore();
  if (
    typeof option !== 'object' ||
    option === null ||
    typeof option.path !== 'string' ||
    option.path === ''
  ) {
    throw new TypeError(`store must be ':memory:' or { path: string }, got ${JSON.stringify(option)}`);
  }
  const { SqliteTaskStore } = await import('./sqlite-store.js');
  return SqliteTaskStore.open(option.path);
}
