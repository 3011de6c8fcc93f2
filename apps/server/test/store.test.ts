import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openTaskStore, type StoreOption, type TaskRecord, type TaskStore } from '../src/index.js';
import { SUPPORT } from './helpers.js';
import { redisUnavailable, startRedis, type TestRedis } from './redis-server.js';

const dir = mkdtempSync(join(tmpdir(), 'nerima-store-'));
// Started here, not in beforeAll, so that a redis-server that cannot start skips the tests too.
let redis: TestRedis | undefined;
let noRedis = redisUnavailable();
if (noRedis === undefined) {
  try {
    redis = await startRedis();
  } catch (err) {
    noRedis = `${(err as Error).message}; skipping the Redis tests`;
  }
}
if (noRedis) console.warn(noRedis);
afterAll(async () => {
  await redis?.stop();
  rmSync(dir, { recursive: true, force: true });
});

function record(id: string, requestedTypes?: string[]): TaskRecord {
  return {
    id,
    types: ['PER', 'LOC', 'ORG'],
    requestedTypes,
    support: SUPPORT,
    learner: 'fake',
    createdAt: '2026-01-02T03:04:05.000Z',
  };
}

let n = 0;
const kinds: Array<[string, () => StoreOption, boolean]> = [
  ['memory', () => ':memory:', false],
  ['SQLite', () => ({ path: join(dir, `t${n++}.sqlite`) }), false],
  ['Redis', () => ({ redis: redis!.url, keyPrefix: `t${n++}:` }), true],
];

describe.each(kinds)('%s task store', (_name, option, needsRedis) => {
  const open = (): Promise<TaskStore> => openTaskStore(option());
  const skip = needsRedis && noRedis !== undefined;

  it.skipIf(skip)('stores, reads back, counts and deletes records', async () => {
    const store = await open();
    try {
      expect(await store.count()).toBe(0);
      expect(await store.get('a')).toBeUndefined();
      await store.put(record('a'));
      expect(await store.putIfRoom(record('b', ['LOC']), 10)).toBe(true);
      expect(await store.count()).toBe(2);
      expect(await store.get('a')).toEqual(record('a'));
      expect(await store.get('b')).toEqual(record('b', ['LOC']));
      expect((await store.get('a'))!.requestedTypes).toBeUndefined();
      expect(await store.has('a')).toBe(true);
      expect(await store.delete('a')).toBe(true);
      expect(await store.delete('a')).toBe(false);
      expect(await store.has('a')).toBe(false);
      expect(await store.get('a')).toBeUndefined();
      expect(await store.count()).toBe(1);
    } finally {
      await store.close();
      await store.close();
    }
  });

  it.skipIf(skip)(
    'putIfRoom stores exactly `limit` of many concurrent puts, and replaces in place',
    async () => {
      const store = await open();
      try {
        const results = await Promise.all(
          Array.from({ length: 20 }, (_, i) => store.putIfRoom(record(`id${i}`), 7)),
        );
        expect(results.filter(Boolean)).toHaveLength(7);
        expect(await store.count()).toBe(7);
        const kept = results.findIndex(Boolean);
        // Replacing a stored id is not a new task: allowed at the limit, count unchanged.
        expect(await store.putIfRoom(record(`id${kept}`, ['PER']), 7)).toBe(true);
        expect((await store.get(`id${kept}`))!.requestedTypes).toEqual(['PER']);
        expect(await store.putIfRoom(record('new'), 7)).toBe(false);
        expect(await store.count()).toBe(7);
      } finally {
        await store.close();
      }
    },
  );
});

describe.skipIf(noRedis !== undefined)('Redis task store', () => {
  it('shares tasks between two connections with the same prefix, and keeps prefixes apart', async () => {
    const a = await openTaskStore({ redis: `${redis!.url}/0?prefix=shared:` });
    const b = await openTaskStore({ redis: redis!.url, keyPrefix: 'shared:' });
    const other = await openTaskStore({ redis: redis!.url, keyPrefix: 'other:' });
    try {
      expect(await a.putIfRoom(record('x'), 1)).toBe(true);
      expect(await b.get('x')).toEqual(record('x'));
      expect(await b.putIfRoom(record('y'), 1)).toBe(false);
      expect(await other.count()).toBe(0);
      expect(await other.putIfRoom(record('y'), 1)).toBe(true);
      expect(await b.delete('x')).toBe(true);
      expect(await a.has('x')).toBe(false);
      expect(a.location).toBe(`${redis!.url}/0`);
    } finally {
      await Promise.all([a.close(), b.close(), other.close()]);
    }
  });

  it('names the URL when no Redis answers, and rejects a non-Redis URL', async () => {
    await expect(openTaskStore({ redis: 'redis://:secret@127.0.0.1:1/0' })).rejects.toThrow(
      /cannot connect to the task store redis:\/\/:\*\*\*@127\.0\.0\.1:1\/0 .*start redis-server/,
    );
    await expect(openTaskStore({ redis: 'http://127.0.0.1:6379' })).rejects.toThrow(/not a Redis URL/);
  });
});
