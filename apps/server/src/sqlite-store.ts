/** {@link TaskStore} on a SQLite file (better-sqlite3, WAL journal, synchronous=FULL). */
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import type { TaskRecord, TaskStore } from './store.js';

/** Bumped when the table layout changes; older files are migrated in {@link SqliteTaskStore.open}. */
const SCHEMA_VERSION = 1;

interface Row {
  id: string;
  types: string;
  requested_types: string | null;
  support: string;
  learner: string;
  created_at: string;
}

function loadDriver(): typeof BetterSqlite3 {
  const require = createRequire(import.meta.url);
  try {
    return require('better-sqlite3') as typeof BetterSqlite3;
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new Error(
      `cannot load better-sqlite3 (${reason.split('\n')[0]}). Its native module is built at install time: ` +
        'list better-sqlite3 in onlyBuiltDependencies (pnpm-workspace.yaml) and run `pnpm rebuild better-sqlite3`, ' +
        "or start the server with store ':memory:' (tasks are then lost on restart).",
    );
  }
}

export class SqliteTaskStore implements TaskStore {
  readonly #db: BetterSqlite3.Database;
  readonly #put: BetterSqlite3.Statement<[string, string, string | null, string, string, string]>;
  readonly #get: BetterSqlite3.Statement<[string], Row>;
  readonly #delete: BetterSqlite3.Statement<[string]>;
  readonly #count: BetterSqlite3.Statement<[], { n: number }>;
  readonly #has: BetterSqlite3.Statement<[string], { one: number }>;
  readonly #putIfRoom: (r: TaskRecord, limit: number) => boolean;

  private constructor(
    readonly location: string,
    db: BetterSqlite3.Database,
  ) {
    this.#db = db;
    this.#put = db.prepare(
      'INSERT OR REPLACE INTO tasks (id, types, requested_types, support, learner, created_at) VALUES (?, ?, ?, ?, ?, ?)',
    );
    this.#get = db.prepare('SELECT * FROM tasks WHERE id = ?');
    this.#delete = db.prepare('DELETE FROM tasks WHERE id = ?');
    this.#count = db.prepare('SELECT COUNT(*) AS n FROM tasks');
    this.#has = db.prepare('SELECT 1 AS one FROM tasks WHERE id = ?');
    // BEGIN IMMEDIATE takes the write lock before the count, so the check and the insert are one
    // step even for several processes on one database file.
    const guarded = db.transaction((r: TaskRecord, limit: number): boolean => {
      if (!this.#has.get(r.id) && this.#count.get()!.n >= limit) return false;
      this.#write(r);
      return true;
    });
    this.#putIfRoom = (r, limit) => guarded.immediate(r, limit);
  }

  /** Opens or creates the database at `path` (parent folders are created). */
  static open(path: string): SqliteTaskStore {
    const Database = loadDriver();
    const full = resolve(path);
    mkdirSync(dirname(full), { recursive: true });
    const db = new Database(full);
    try {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = FULL');
      db.pragma('busy_timeout = 5000');
      const version = db.pragma('user_version', { simple: true }) as number;
      if (version > SCHEMA_VERSION) {
        throw new Error(
          `${full}: task database schema version ${version} is newer than this server understands (${SCHEMA_VERSION}); upgrade @nerima/server`,
        );
      }
      db.exec(`CREATE TABLE IF NOT EXISTS tasks (
        id TEXT PRIMARY KEY,
        types TEXT NOT NULL,
        requested_types TEXT,
        support TEXT NOT NULL,
        learner TEXT NOT NULL,
        created_at TEXT NOT NULL
      ) STRICT`);
      db.pragma(`user_version = ${SCHEMA_VERSION}`);
    } catch (err) {
      db.close();
      throw err;
    }
    return new SqliteTaskStore(full, db);
  }

  #write(r: TaskRecord): void {
    this.#put.run(
      r.id,
      JSON.stringify(r.types),
      r.requestedTypes === undefined ? null : JSON.stringify(r.requestedTypes),
      JSON.stringify(r.support),
      r.learner,
      r.createdAt,
    );
  }

  async putIfRoom(r: TaskRecord, limit: number): Promise<boolean> {
    return this.#putIfRoom(r, limit);
  }

  async put(r: TaskRecord): Promise<void> {
    this.#write(r);
  }

  async has(id: string): Promise<boolean> {
    return this.#has.get(id) !== undefined;
  }

  async get(id: string): Promise<TaskRecord | undefined> {
    const row = this.#get.get(id);
    if (!row) return undefined;
    try {
      return {
        id: row.id,
        types: JSON.parse(row.types) as string[],
        requestedTypes:
          row.requested_types === null ? undefined : (JSON.parse(row.requested_types) as string[]),
        support: JSON.parse(row.support) as TaskRecord['support'],
        learner: row.learner,
        createdAt: row.created_at,
      };
    } catch (err) {
      throw new Error(
        `${this.location}: task ${id} has a corrupt row (${(err as Error).message}); delete it`,
      );
    }
  }

  async delete(id: string): Promise<boolean> {
    return this.#delete.run(id).changes > 0;
  }

  async count(): Promise<number> {
    return this.#count.get()!.n;
  }

  async close(): Promise<void> {
    if (this.#db.open) this.#db.close();
  }
}
