/**
 * {@link TaskStore} on Redis (ioredis), shared by any number of server replicas. Each task is one
 * string key holding its record as JSON (`<prefix>task:<id>`), and a set (`<prefix>ids`) holds the
 * ids, so counting is `SCARD` and the stored-task limit is checked and kept by one Lua script.
 * Standalone Redis (or a primary behind Sentinel) only: the script touches two keys, which a Redis
 * Cluster would place on different slots.
 */
import { Redis } from 'ioredis';
import type { TaskRecord, TaskStore } from './store.js';

/** The key prefix when neither `keyPrefix` nor the URL's `?prefix=` sets one. */
export const DEFAULT_REDIS_PREFIX = 'nerima:tasks:';

/** Bumped when the JSON layout of a record changes. */
const RECORD_VERSION = 1;

/**
 * KEYS[1] the id set, KEYS[2] the record key; ARGV[1] id, ARGV[2] JSON, ARGV[3] limit.
 * Returns 1 when stored, 0 when `limit` other tasks are stored already.
 */
const PUT_IF_ROOM = `
if redis.call('SISMEMBER', KEYS[1], ARGV[1]) == 0 and redis.call('SCARD', KEYS[1]) >= tonumber(ARGV[3]) then
  return 0
end
redis.call('SET', KEYS[2], ARGV[2])
redis.call('SADD', KEYS[1], ARGV[1])
return 1
`;

/** Options of {@link RedisTaskStore.open}. */
export interface RedisStoreOptions {
  /** Prefix of every key (default: the URL's `?prefix=`, else {@link DEFAULT_REDIS_PREFIX}). */
  keyPrefix?: string;
  /** Milliseconds to wait for the first connection (default 5,000). */
  connectTimeoutMs?: number;
}

/** Splits `?prefix=` off a Redis URL; checks the scheme. */
function parseUrl(url: string): { url: string; prefix: string | undefined; location: string } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new TypeError(`store: ${JSON.stringify(url)} is not a URL; expected redis://host:port/db`);
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new TypeError(
      `store: ${JSON.stringify(url)} is not a Redis URL (redis:// or rediss://, e.g. redis://127.0.0.1:6379/0)`,
    );
  }
  const prefix = parsed.searchParams.get('prefix') ?? undefined;
  parsed.searchParams.delete('prefix');
  const clean = parsed.toString();
  const shown = new URL(clean);
  if (shown.password) shown.password = '***';
  return { url: clean, prefix, location: shown.toString() };
}

export class RedisTaskStore implements TaskStore {
  readonly #redis: Redis;
  readonly #ids: string;
  readonly #prefix: string;
  #closed = false;

  private constructor(
    readonly location: string,
    readonly keyPrefix: string,
    redis: Redis,
  ) {
    this.#redis = redis;
    this.#prefix = keyPrefix;
    this.#ids = `${keyPrefix}ids`;
  }

  /** Connects to `url` (e.g. `redis://127.0.0.1:6379/0?prefix=myapp:`) and checks that it answers. */
  static async open(url: string, options: RedisStoreOptions = {}): Promise<RedisTaskStore> {
    const parsed = parseUrl(url);
    const keyPrefix = options.keyPrefix ?? parsed.prefix ?? DEFAULT_REDIS_PREFIX;
    const redis = new Redis(parsed.url, {
      lazyConnect: true,
      connectTimeout: options.connectTimeoutMs ?? 5000,
      // A request fails after two reconnection attempts rather than waiting for Redis forever.
      maxRetriesPerRequest: 2,
    });
    // Connection errors surface on the commands that fail; without a listener ioredis logs each one.
    redis.on('error', () => {});
    try {
      await redis.connect();
      await redis.ping();
    } catch (err) {
      redis.disconnect();
      throw new Error(
        `cannot connect to the task store ${parsed.location} (${(err as Error).message}); ` +
          'start redis-server there, or use a SQLite file (--db) instead',
      );
    }
    return new RedisTaskStore(parsed.location, keyPrefix, redis);
  }

  #key(id: string): string {
    return `${this.#prefix}task:${id}`;
  }

  async putIfRoom(r: TaskRecord, limit: number): Promise<boolean> {
    const stored = await this.#redis.eval(
      PUT_IF_ROOM,
      2,
      this.#ids,
      this.#key(r.id),
      r.id,
      JSON.stringify({ v: RECORD_VERSION, ...r }),
      String(limit),
    );
    return stored === 1;
  }

  async put(r: TaskRecord): Promise<void> {
    await this.#redis
      .multi()
      .set(this.#key(r.id), JSON.stringify({ v: RECORD_VERSION, ...r }))
      .sadd(this.#ids, r.id)
      .exec();
  }

  async get(id: string): Promise<TaskRecord | undefined> {
    const raw = await this.#redis.get(this.#key(id));
    if (raw === null) return undefined;
    let parsed: TaskRecord & { v?: unknown };
    try {
      parsed = JSON.parse(raw) as TaskRecord & { v?: unknown };
    } catch (err) {
      throw new Error(
        `${this.location}: key ${this.#key(id)} is not JSON (${(err as Error).message}); delete the task`,
      );
    }
    if (parsed.v !== RECORD_VERSION) {
      throw new Error(
        `${this.location}: key ${this.#key(id)} has record version ${JSON.stringify(parsed.v)}, ` +
          `this server reads version ${RECORD_VERSION}; upgrade @nerima/server`,
      );
    }
    const { v: _v, ...record } = parsed;
    return { ...record, requestedTypes: record.requestedTypes ?? undefined };
  }

  async has(id: string): Promise<boolean> {
    return (await this.#redis.exists(this.#key(id))) === 1;
  }

  async delete(id: string): Promise<boolean> {
    const replies = await this.#redis.multi().del(this.#key(id)).srem(this.#ids, id).exec();
    const [del] = replies ?? [];
    if (del?.[0]) throw del[0];
    return del?.[1] === 1;
  }

  async count(): Promise<number> {
    return this.#redis.scard(this.#ids);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    try {
      await this.#redis.quit();
    } catch {
      this.#redis.disconnect();
    }
  }
}
