import { afterEach, describe, expect, it } from 'vitest';
import { del, FakeLearner, get, post, type Running, SUPPORT, sentence, sleep, start } from './helpers.js';

let running: Running | undefined;
afterEach(async () => {
  await running?.server.close();
  running = undefined;
});

describe('task lifecycle', () => {
  it('creates, describes, uses and deletes a task', async () => {
    const learner = new FakeLearner();
    running = await start({ learner });
    const { url } = running;
    const created = await post(`${url}/v1/tasks`, {
      support: [
        {
          text: 'アップル社のiPhone',
          entities: [
            { start: 0, end: 4, type: 'ORG', text: 'アップル' },
            { start: 6, end: 12, type: 'PRODUCT' },
          ],
        },
      ],
    });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({ taskId: expect.any(String), types: ['ORG', 'PRODUCT'] });
    const id: string = created.body.taskId;
    expect(created.headers.get('location')).toBe(`/v1/tasks/${id}`);

    const info = await get(`${url}/v1/tasks/${id}`);
    expect(info.body).toEqual({
      taskId: id,
      types: ['ORG', 'PRODUCT'],
      learner: 'fake',
      supportSize: 1,
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      inMemory: true,
    });

    const tagged = await post(`${url}/v1/tasks/${id}/entities`, { texts: ['iPhoneとアップル', '無関係'] });
    expect(tagged.status).toBe(200);
    expect(tagged.body).toEqual({
      results: [
        {
          entities: [
            { start: 0, end: 6, type: 'PRODUCT', text: 'iPhone', score: 0.9 },
            { start: 7, end: 11, type: 'ORG', text: 'アップル', score: 0.9 },
          ],
        },
        { entities: [] },
      ],
    });

    const deleted = await del(`${url}/v1/tasks/${id}`);
    expect(deleted.status).toBe(204);
    expect(learner.stats.disposed).toBe(1);
    for (const res of [
      await get(`${url}/v1/tasks/${id}`),
      await del(`${url}/v1/tasks/${id}`),
      await post(`${url}/v1/tasks/${id}/entities`, { text: 'iPhone' }),
    ]) {
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('task_not_found');
    }
  });

  it('learns only the requested types', async () => {
    running = await start({ learner: new FakeLearner() });
    const created = await post(`${running.url}/v1/tasks`, { support: SUPPORT, types: ['LOC'] });
    expect(created.body.types).toEqual(['LOC']);
    const tagged = await post(`${running.url}/v1/tasks/${created.body.taskId}/entities`, {
      text: '山田と東京',
    });
    expect(tagged.body.entities).toEqual([{ start: 3, end: 5, type: 'LOC', text: '東京', score: 0.9 }]);
  });

  it('answers 404 for unknown task ids on every task route', async () => {
    running = await start({ learner: new FakeLearner() });
    const { url } = running;
    for (const res of [
      await get(`${url}/v1/tasks/does-not-exist`),
      await del(`${url}/v1/tasks/does-not-exist`),
      await post(`${url}/v1/tasks/does-not-exist/entities`, { text: '東京' }),
    ]) {
      expect(res.status).toBe(404);
      expect(res.body).toEqual({
        error: { code: 'task_not_found', message: expect.stringMatching(/does-not-exist/) },
      });
    }
  });
});

describe('support validation', () => {
  const ok = { text: '東京', entities: [{ start: 0, end: 2, type: 'LOC' }] };
  const cases: Array<[string, unknown, string, RegExp]> = [
    ['missing support', {}, 'support', /required/],
    ['empty support', { support: [] }, 'support', /empty/],
    ['no entities', { support: [{ text: '東京', entities: [] }] }, 'support', /no entities/],
    [
      'end beyond text',
      { support: [ok, { text: 'abc', entities: [{ start: 1, end: 9, type: 'X' }] }] },
      'support[1].entities[0].end',
      /beyond the text length \(3/,
    ],
    [
      'end <= start',
      { support: [{ text: 'abc', entities: [{ start: 2, end: 2, type: 'X' }] }] },
      'support[0].entities[0].end',
      /greater than start/,
    ],
    [
      'negative start',
      { support: [{ text: 'abc', entities: [{ start: -1, end: 2, type: 'X' }] }] },
      'support[0].entities[0].start',
      />= 0/,
    ],
    [
      'non-integer offset',
      { support: [{ text: 'abc', entities: [{ start: 0.5, end: 2, type: 'X' }] }] },
      'support[0].entities[0].start',
      /integer/,
    ],
    [
      'split surrogate pair',
      { support: [{ text: '𠮷野家', entities: [{ start: 1, end: 4, type: 'ORG' }] }] },
      'support[0].entities[0].start',
      /surrogate pair/,
    ],
    [
      'mismatched entity text',
      { support: [{ text: '東京都', entities: [{ start: 0, end: 2, type: 'LOC', text: '京都' }] }] },
      'support[0].entities[0].text',
      /does not match/,
    ],
    [
      'empty type',
      { support: [{ text: 'abc', entities: [{ start: 0, end: 1, type: '' }] }] },
      'support[0].entities[0].type',
      /fewer than 1/,
    ],
    ['missing text', { support: [{ entities: [] }] }, 'support[0].text', /required/],
    ['type without example', { support: [ok], types: ['LOC', 'PER'] }, 'types[1]', /"PER" has no example/],
    ['duplicate type', { support: [ok], types: ['LOC', 'LOC'] }, 'types[1]', /twice/],
    ['empty types', { support: [ok], types: [] }, 'types', /empty/],
    ['unknown field', { support: [ok], label: 'x' }, 'label', /not an allowed field/],
  ];
  it.each(cases)('rejects %s with 400 naming the field', async (_name, body, field, message) => {
    running ??= await start({ learner: new FakeLearner() });
    const res = await post(`${running.url}/v1/tasks`, body);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_request');
    expect(res.body.error.field).toBe(field);
    expect(res.body.error.message).toMatch(message);
    expect(res.body.error.message.startsWith(field)).toBe(true);
  });

  it('applies the support-size and text-length limits with 413', async () => {
    running = await start({
      learner: new FakeLearner(),
      limits: { maxSupportSentences: 2, maxTextLength: 5 },
    });
    const many = await post(`${running.url}/v1/tasks`, { support: [SUPPORT[0], SUPPORT[0], SUPPORT[0]] });
    expect(many.status).toBe(413);
    expect(many.body.error).toMatchObject({ code: 'support_too_large', field: 'support' });
    const long = await post(`${running.url}/v1/tasks`, {
      support: [{ text: '東京東京東京', entities: [{ start: 0, end: 2, type: 'LOC' }] }],
    });
    expect(long.status).toBe(413);
    expect(long.body.error).toMatchObject({ code: 'text_too_long', field: 'support[0].text' });
  });
});

describe('memory limits and concurrency', () => {
  it('evicts the least recently used tagger, disposes it, and re-adapts it lazily from the store', async () => {
    const learner = new FakeLearner();
    running = await start({ learner, limits: { maxTasksInMemory: 2 } });
    const { url } = running;
    const ids: string[] = [];
    for (const name of ['赤', '青', '緑']) {
      const res = await post(`${url}/v1/tasks`, { support: [sentence(`${name}さん`, [[name, 'PER']])] });
      ids.push(res.body.taskId);
    }
    expect(learner.stats.adaptCalls).toBe(3);
    expect(learner.stats.disposed).toBe(1);
    expect((await get(`${url}/v1/tasks/${ids[0]}`)).body.inMemory).toBe(false);
    expect((await get(`${url}/v1/tasks/${ids[2]}`)).body.inMemory).toBe(true);

    const again = await post(`${url}/v1/tasks/${ids[0]}/entities`, { text: '赤と青' });
    expect(again.body.entities).toEqual([{ start: 0, end: 1, type: 'PER', text: '赤', score: 0.9 }]);
    expect(learner.stats.adaptCalls).toBe(4);
    // Task 1 (青) was now the least recently used, so it made room.
    expect(learner.stats.disposed).toBe(2);
    expect((await get(`${url}/v1/tasks/${ids[1]}`)).body.inMemory).toBe(false);
    expect((await get(`${url}/v1/tasks/${ids[0]}`)).body.inMemory).toBe(true);
  });

  it('shares one re-adaptation among concurrent requests for an evicted task', async () => {
    const learner = new FakeLearner({ adaptDelayMs: 30 });
    running = await start({ learner, limits: { maxTasksInMemory: 1 } });
    const { url } = running;
    const a = (await post(`${url}/v1/tasks`, { support: [sentence('赤さん', [['赤', 'PER']])] })).body.taskId;
    await post(`${url}/v1/tasks`, { support: [sentence('青さん', [['青', 'PER']])] });
    expect(learner.stats.adaptCalls).toBe(2);
    const replies = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        post(`${url}/v1/tasks/${a}/entities`, { text: `${'x'.repeat(i)}赤` }),
      ),
    );
    expect(replies.map((r) => r.body.entities[0].start)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(learner.stats.adaptCalls).toBe(3);
  });

  it('does not dispose a tagger while a request is still using it', async () => {
    const learner = new FakeLearner({ predictDelayMs: 80 });
    running = await start({ learner, limits: { maxTasksInMemory: 1 } });
    const { url } = running;
    const a = (await post(`${url}/v1/tasks`, { support: [sentence('赤さん', [['赤', 'PER']])] })).body.taskId;
    const slow = post(`${url}/v1/tasks/${a}/entities`, { text: '赤' });
    await sleep(20);
    // Evicts task a while its prediction is running, then deletes it.
    await post(`${url}/v1/tasks`, { support: [sentence('青さん', [['青', 'PER']])] });
    expect((await del(`${url}/v1/tasks/${a}`)).status).toBe(204);
    expect(learner.stats.disposed).toBe(0);
    const res = await slow;
    expect(res.status).toBe(200);
    expect(res.body.entities).toHaveLength(1);
    expect(learner.stats.disposed).toBe(1);
  });

  it('answers 100 concurrent requests with distinct texts, each with its own entities, never overlapping predict calls', async () => {
    // 20 ms per predict call: long enough that requests queue up behind it even when the test
    // machine is loaded (with 2 ms, a loaded CI run once saw every batch at ≤ 2 texts).
    const learner = new FakeLearner({ predictDelayMs: 20 });
    const tagger = await learner.adapt(SUPPORT);
    running = await start({ learner, tagger });
    const { url } = running;
    const task = (await post(`${url}/v1/tasks`, { support: [sentence('赤さん', [['赤', 'COLOR']])] })).body
      .taskId;
    learner.stats.batchSizes.length = 0;
    // Request i puts its mention at offset i, so a mixed-up response shows a wrong offset.
    const replies = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        i % 2 === 0
          ? post(`${url}/v1/entities`, { text: `${'・'.repeat(i)}東京${i}` })
          : post(`${url}/v1/tasks/${task}/entities`, { texts: [`${'・'.repeat(i)}赤`, `赤${i}`] }),
      ),
    );
    replies.forEach((res, i) => {
      expect(res.status).toBe(200);
      if (i % 2 === 0) {
        expect(res.body.entities).toEqual([{ start: i, end: i + 2, type: 'LOC', text: '東京', score: 0.9 }]);
      } else {
        expect(res.body.results).toEqual([
          { entities: [{ start: i, end: i + 1, type: 'COLOR', text: '赤', score: 0.9 }] },
          { entities: [{ start: 0, end: 1, type: 'COLOR', text: '赤', score: 0.9 }] },
        ]);
      }
    });
    // Each tagger saw one call at a time, and concurrent requests were batched together.
    expect(learner.stats.maxOverlap).toBe(1);
    expect(learner.stats.batchSizes.reduce((a, b) => a + b, 0)).toBe(150);
    expect(Math.max(...learner.stats.batchSizes)).toBeGreaterThan(2);
    expect(Math.max(...learner.stats.batchSizes)).toBeLessThanOrEqual(32);
  });

  it('refuses new tasks with 429 once maxStoredTasks are stored, and accepts again after a delete', async () => {
    running = await start({ learner: new FakeLearner(), limits: { maxStoredTasks: 2 } });
    const { url } = running;
    const first = await post(`${url}/v1/tasks`, { support: SUPPORT });
    expect((await post(`${url}/v1/tasks`, { support: SUPPORT })).status).toBe(201);
    const third = await post(`${url}/v1/tasks`, { support: SUPPORT });
    expect(third.status).toBe(429);
    expect(third.body.error.code).toBe('task_limit');
    await del(`${url}/v1/tasks/${first.body.taskId}`);
    expect((await post(`${url}/v1/tasks`, { support: SUPPORT })).status).toBe(201);
  });

  it('answers 503 overloaded when more texts wait than maxQueuedTexts', async () => {
    const learner = new FakeLearner({ predictDelayMs: 50 });
    const tagger = await learner.adapt(SUPPORT);
    running = await start({ learner, tagger, limits: { maxQueuedTexts: 4 } });
    const replies = await Promise.all(
      Array.from({ length: 8 }, () => post(`${running!.url}/v1/entities`, { text: '東京' })),
    );
    const statuses = replies.map((r) => r.status);
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThanOrEqual(4);
    const shed = replies.filter((r) => r.status === 503);
    expect(shed.length).toBeGreaterThan(0);
    expect(shed[0]!.body.error.code).toBe('overloaded');
    expect(shed[0]!.headers.get('retry-after')).toBe('1');
  });

  it('finishes in-flight requests on close, then disposes every adapted tagger', async () => {
    const learner = new FakeLearner({ predictDelayMs: 100 });
    const r = await start({ learner });
    const id = (await post(`${r.url}/v1/tasks`, { support: SUPPORT })).body.taskId;
    const inFlight = post(`${r.url}/v1/tasks/${id}/entities`, { text: '東京' });
    await sleep(30);
    const t0 = performance.now();
    const closed = r.server.close();
    const res = await inFlight;
    expect(res.status).toBe(200);
    expect(res.body.entities).toHaveLength(1);
    await closed;
    // The in-flight response closed its keep-alive connection instead of holding close() for 72 s.
    expect(performance.now() - t0).toBeLessThan(5000);
    expect(learner.stats.disposed).toBe(1);
    await expect(fetch(`${r.url}/healthz`)).rejects.toThrow();
  });
});
