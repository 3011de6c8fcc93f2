import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createServer } from '../src/index.js';
import { del, FakeLearner, get, post, SUPPORT, sentence, start } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'nerima-server-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('persisted tasks (SQLite)', () => {
  it('keeps tasks across a restart and re-adapts them lazily from the stored support set', async () => {
    const path = join(dir, 'restart', 'tasks.sqlite');
    const first = new FakeLearner();
    const a = await start({ learner: first, store: { path } });
    const created = await post(`${a.url}/v1/tasks`, {
      support: [
        sentence('𠮷野家と松屋', [
          ['𠮷野家', 'ORG'],
          ['松屋', 'ORG'],
        ]),
      ],
      types: ['ORG'],
    });
    expect(created.status).toBe(201);
    const gone = await post(`${a.url}/v1/tasks`, { support: SUPPORT });
    expect((await del(`${a.url}/v1/tasks/${gone.body.taskId}`)).status).toBe(204);
    await a.server.close();
    expect(first.stats.disposed).toBe(2);

    const second = new FakeLearner();
    const b = await start({ learner: second, store: { path } });
    try {
      const id = created.body.taskId;
      expect((await get(`${b.url}/healthz`)).body.tasksStored).toBe(1);
      const info = await get(`${b.url}/v1/tasks/${id}`);
      expect(info.body).toMatchObject({
        taskId: id,
        types: ['ORG'],
        supportSize: 1,
        inMemory: false,
        learner: 'fake',
      });
      expect(second.stats.adaptCalls).toBe(0);

      const tagged = await post(`${b.url}/v1/tasks/${id}/entities`, { text: '松屋の隣に𠮷野家' });
      expect(tagged.status).toBe(200);
      expect(tagged.body.entities).toEqual([
        { start: 0, end: 2, type: 'ORG', text: '松屋', score: 0.9 },
        { start: 5, end: 9, type: 'ORG', text: '𠮷野家', score: 0.9 },
      ]);
      expect(second.stats.adaptCalls).toBe(1);
      expect((await get(`${b.url}/v1/tasks/${gone.body.taskId}`)).status).toBe(404);
    } finally {
      await b.server.close();
    }
  });

  it('persists a delete, and survives a third start', async () => {
    const path = join(dir, 'delete.sqlite');
    const a = await start({ learner: new FakeLearner(), store: { path } });
    const id = (await post(`${a.url}/v1/tasks`, { support: SUPPORT })).body.taskId;
    await a.server.close();
    const b = await start({ learner: new FakeLearner(), store: { path } });
    expect((await del(`${b.url}/v1/tasks/${id}`)).status).toBe(204);
    await b.server.close();
    const c = await start({ learner: new FakeLearner(), store: { path } });
    expect((await get(`${c.url}/v1/tasks/${id}`)).status).toBe(404);
    expect((await get(`${c.url}/healthz`)).body.tasksStored).toBe(0);
    await c.server.close();
  });

  it('counts stored tasks, not loaded ones, against maxStoredTasks after a restart', async () => {
    const path = join(dir, 'limit.sqlite');
    const a = await start({ learner: new FakeLearner(), store: { path }, limits: { maxStoredTasks: 1 } });
    expect((await post(`${a.url}/v1/tasks`, { support: SUPPORT })).status).toBe(201);
    await a.server.close();
    const b = await start({ learner: new FakeLearner(), store: { path }, limits: { maxStoredTasks: 1 } });
    expect((await post(`${b.url}/v1/tasks`, { support: SUPPORT })).status).toBe(429);
    await b.server.close();
  });

  it('rejects a store option that is neither a path nor :memory:', async () => {
    await expect(createServer({ learner: new FakeLearner(), store: 'tasks.db' as never })).rejects.toThrow(
      /store must be/,
    );
  });
});
