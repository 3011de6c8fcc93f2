/**
 * Two `nerima-server` processes (real child processes, different ports) on one Redis task store:
 * a task created on one replica is served by the other, a delete on either is seen by both, and the
 * stored-task limit holds across them.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { del, get, post, request } from './helpers.js';
import { redisUnavailable, startRedis, type TestRedis } from './redis-server.js';

const appDir = dirname(dirname(fileURLToPath(import.meta.url)));
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
const children = new Set<ChildProcess>();
afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  await redis?.stop();
});

interface Replica {
  child: ChildProcess;
  url: string;
  exited: Promise<{ code: number | null; stderr: string }>;
}

/** Starts `nerima-server` (from source) with `args`; resolves once it prints its URL. */
function launch(args: string[]): Promise<Replica> {
  const child = spawn(
    process.execPath,
    ['--conditions=@nerima/source', '--import', 'tsx', 'src/main.ts', '--port', '0', '--quiet', ...args],
    { cwd: appDir, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  children.add(child);
  let stdout = '';
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const exited = new Promise<{ code: number | null; stderr: string }>((resolve) =>
    child.on('exit', (code) => resolve({ code, stderr })),
  );
  return new Promise<Replica>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      stdout += d.toString();
      const m = /listening on (http:\/\/\S+)/.exec(stdout);
      if (m) resolve({ child, url: m[1]!, exited });
    });
    void exited.then((e) => reject(new Error(`nerima-server exited ${e.code}: ${e.stderr}`)));
  });
}

async function stop(replica: Replica): Promise<void> {
  replica.child.kill('SIGTERM');
  expect((await replica.exited).code).toBe(0);
}

const SUPPORT = [
  {
    text: '𠮷野家と松屋は牛丼の店だ。',
    entities: [
      { start: 0, end: 4, type: 'ORG' },
      { start: 5, end: 7, type: 'ORG' },
      { start: 8, end: 10, type: 'FOOD' },
    ],
  },
];

describe.skipIf(noRedis !== undefined)('two server replicas on one Redis store', () => {
  it('serve each other’s tasks, see each other’s deletes, and share the stored-task limit', async () => {
    const store = `${redis!.url}/0?prefix=replicas:`;
    const [a, b] = await Promise.all([
      launch(['--store', store, '--max-stored-tasks', '3']),
      launch(['--store', store, '--max-stored-tasks', '3']),
    ]);
    expect(a.url).not.toBe(b.url);

    // Created on A, served by B (re-adapted there from the stored support set).
    const created = await post(`${a.url}/v1/tasks`, { support: SUPPORT });
    expect(created.status).toBe(201);
    const id: string = created.body.taskId;
    expect((await get(`${b.url}/v1/tasks/${id}`)).body).toMatchObject({
      taskId: id,
      types: ['ORG', 'FOOD'],
      learner: 'lexicon',
      supportSize: 1,
      inMemory: false,
    });
    const text = '松屋で牛丼、𠮷野家でも牛丼';
    const onA = await post(`${a.url}/v1/tasks/${id}/entities`, { text });
    const onB = await post(`${b.url}/v1/tasks/${id}/entities`, { text });
    expect(onB.status).toBe(200);
    expect(onB.body).toEqual(onA.body);
    expect(onA.body.entities).toEqual([
      { start: 0, end: 2, type: 'ORG', text: '松屋', score: 1 },
      { start: 3, end: 5, type: 'FOOD', text: '牛丼', score: 1 },
      { start: 6, end: 10, type: 'ORG', text: '𠮷野家', score: 1 },
      { start: 12, end: 14, type: 'FOOD', text: '牛丼', score: 1 },
    ]);
    expect((await get(`${a.url}/v1/tasks/${id}`)).body.inMemory).toBe(true);
    expect((await get(`${b.url}/v1/tasks/${id}`)).body.inMemory).toBe(true);

    // Deleted on B: A, which has the tagger cached, no longer serves it.
    expect((await del(`${b.url}/v1/tasks/${id}`)).status).toBe(204);
    for (const res of [
      await post(`${a.url}/v1/tasks/${id}/entities`, { text }),
      await get(`${a.url}/v1/tasks/${id}`),
      await del(`${a.url}/v1/tasks/${id}`),
    ]) {
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('task_not_found');
    }
    expect((await get(`${a.url}/healthz`)).body.tasksInMemory).toBe(0);

    // The limit (3) holds across replicas, also for concurrent creations on both.
    const burst = await Promise.all(
      Array.from({ length: 10 }, (_, i) => post(`${i % 2 ? a.url : b.url}/v1/tasks`, { support: SUPPORT })),
    );
    const statuses = burst.map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(3);
    expect(statuses.filter((s) => s === 429)).toHaveLength(7);
    expect(burst.find((r) => r.status === 429)!.body.error.code).toBe('task_limit');
    for (const r of [a, b]) {
      expect((await get(`${r.url}/healthz`)).body.tasksStored).toBe(3);
      expect((await request(`${r.url}/metrics`, 'GET')).body).toMatch(/^nerima_tasks_stored 3$/m);
    }
    const first = burst.find((r) => r.status === 201)!.body.taskId as string;
    expect((await post(`${b.url}/v1/tasks`, { support: SUPPORT })).status).toBe(429);
    expect((await del(`${a.url}/v1/tasks/${first}`)).status).toBe(204);
    expect((await post(`${b.url}/v1/tasks`, { support: SUPPORT })).status).toBe(201);
    expect((await post(`${a.url}/v1/tasks`, { support: SUPPORT })).status).toBe(429);

    await Promise.all([stop(a), stop(b)]);
  });

  it('exits 2 when --store is not a Redis URL or is combined with --db, and 1 when no Redis answers', async () => {
    await expect(launch(['--store', 'tasks.sqlite'])).rejects.toThrow(
      /exited 2: .*--store must be a Redis URL/s,
    );
    await expect(launch(['--store', redis!.url, '--db', 'x.sqlite'])).rejects.toThrow(
      /exited 2: .*give one of them/s,
    );
    await expect(launch(['--store', 'redis://127.0.0.1:1/0'])).rejects.toThrow(
      /exited 1: .*cannot connect to the task store redis:\/\/127\.0\.0\.1:1\/0/s,
    );
  });
});
