import { afterEach, describe, expect, it } from 'vitest';
import { FakeLearner, get, post, type Running, request, SUPPORT, start } from './helpers.js';

let running: Running | undefined;
afterEach(async () => {
  await running?.server.close();
  running = undefined;
});

async function withDefaultTagger(limits = {}) {
  const learner = new FakeLearner();
  const tagger = await learner.adapt(SUPPORT);
  running = await start({ learner, tagger, limits });
  return { ...running, learner };
}

describe('POST /v1/entities', () => {
  it('tags one text with UTF-16 offsets, types, text and score', async () => {
    const { url } = await withDefaultTagger();
    // '𠮷' is two UTF-16 code units, so 大阪 starts at 5, not 4.
    const res = await post(`${url}/v1/entities`, { text: '𠮷野家と大阪で山田' });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      entities: [
        { start: 0, end: 4, type: 'ORG', text: '𠮷野家', score: 0.9 },
        { start: 5, end: 7, type: 'LOC', text: '大阪', score: 0.9 },
        { start: 8, end: 10, type: 'PER', text: '山田', score: 0.9 },
      ],
    });
  });

  it('tags a batch, one result per text in order, empty texts included', async () => {
    const { url } = await withDefaultTagger();
    const res = await post(`${url}/v1/entities`, { texts: ['東京', '', 'なにもない', '山田と山田'] });
    expect(res.status).toBe(200);
    expect(
      res.body.results.map((r: { entities: Array<{ start: number; type: string }> }) =>
        r.entities.map((e) => [e.start, e.type]),
      ),
    ).toEqual([
      [[0, 'LOC']],
      [],
      [],
      [
        [0, 'PER'],
        [3, 'PER'],
      ],
    ]);
  });

  it('answers 503 no_default_tagger when no default model is loaded', async () => {
    running = await start({ learner: new FakeLearner() });
    const res = await post(`${running.url}/v1/entities`, { text: '東京' });
    expect(res.status).toBe(503);
    expect(res.body.error.code).toBe('no_default_tagger');
    expect(res.body.error.message).toMatch(/POST \/v1\/tasks/);
  });

  it('rejects malformed JSON, a wrong content type and bad shapes with 400/415 naming the field', async () => {
    const { url } = await withDefaultTagger();
    const malformed = await post(`${url}/v1/entities`, undefined, { raw: '{"text": "東京"' });
    expect(malformed.status).toBe(400);
    expect(malformed.body).toEqual({
      error: { code: 'invalid_json', message: expect.stringMatching(/not valid JSON/) },
    });

    const empty = await post(`${url}/v1/entities`, undefined, { raw: '' });
    expect(empty.status).toBe(400);
    expect(empty.body.error).toEqual({ code: 'invalid_json', message: expect.stringMatching(/empty/) });

    const plain = await post(`${url}/v1/entities`, undefined, {
      raw: 'text=東京',
      contentType: 'text/plain',
    });
    expect(plain.status).toBe(415);
    expect(plain.body.error.code).toBe('unsupported_media_type');

    const cases: Array<[unknown, string]> = [
      [{}, 'text'],
      [{ text: 'a', texts: ['b'] }, 'text'],
      [{ text: 42 }, 'text'],
      [{ texts: ['a', 7] }, 'texts[1]'],
      [{ txt: '東京' }, 'txt'],
      [['東京'], ''],
    ];
    for (const [body, field] of cases) {
      const res = await post(`${url}/v1/entities`, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.code).toBe('invalid_request');
      if (field) expect(res.body.error.field, JSON.stringify(body)).toBe(field);
      expect(res.body.error.message.length).toBeGreaterThan(5);
    }
  });

  it('enforces body size (413), text length in UTF-16 units (413) and batch size (413)', async () => {
    const { url } = await withDefaultTagger({ bodyLimit: 2048, maxTextLength: 10, maxBatchSize: 3 });
    const big = await post(`${url}/v1/entities`, { text: 'あ'.repeat(3000) });
    expect(big.status).toBe(413);
    expect(big.body.error.code).toBe('body_too_large');

    // 5 surrogate pairs = 10 code units: at the limit. 6 = 12: over it.
    expect((await post(`${url}/v1/entities`, { text: '𠮷'.repeat(5) })).status).toBe(200);
    const long = await post(`${url}/v1/entities`, { texts: ['ok', '𠮷'.repeat(6)] });
    expect(long.status).toBe(413);
    expect(long.body.error).toMatchObject({ code: 'text_too_long', field: 'texts[1]' });
    expect(long.body.error.message).toMatch(/12 UTF-16 code units; the limit is 10/);

    const batch = await post(`${url}/v1/entities`, { texts: ['a', 'b', 'c', 'd'] });
    expect(batch.status).toBe(413);
    expect(batch.body.error).toMatchObject({ code: 'batch_too_large', field: 'texts' });
  });

  it('fails only the request whose text breaks the tagger when requests were batched together', async () => {
    const learner = new FakeLearner({ predictDelayMs: 5, failOn: 'BOOM' });
    const tagger = await learner.adapt(SUPPORT);
    running = await start({ learner, tagger, logger: false });
    const texts = ['東京1', '東京2', 'BOOM', '東京3', '東京4'];
    const replies = await Promise.all(texts.map((text) => post(`${running!.url}/v1/entities`, { text })));
    expect(replies.map((r) => r.status)).toEqual([200, 200, 500, 200, 200]);
    expect(replies[2]!.body).toEqual({ error: { code: 'internal', message: expect.any(String) } });
    expect(replies[3]!.body.entities).toEqual([{ start: 0, end: 2, type: 'LOC', text: '東京', score: 0.9 }]);
  });
});

describe('service routes', () => {
  it('serves /healthz, /openapi.json, /docs and a JSON 404 for unknown routes', async () => {
    const { url } = await withDefaultTagger();
    const health = await get(`${url}/healthz`);
    expect(health.status).toBe(200);
    expect(health.body).toMatchObject({
      status: 'ok',
      learner: 'fake',
      defaultTagger: true,
      defaultTypes: ['PER', 'LOC', 'ORG'],
      tasksStored: 0,
      tasksInMemory: 0,
    });

    const doc = await get(`${url}/openapi.json`);
    expect(doc.status).toBe(200);
    expect(doc.body.openapi).toBe('3.1.0');
    expect(Object.keys(doc.body.paths).sort()).toEqual(
      [
        '/docs',
        '/healthz',
        '/metrics',
        '/openapi.json',
        '/v1/entities',
        '/v1/tasks',
        '/v1/tasks/{id}',
        '/v1/tasks/{id}/entities',
      ].sort(),
    );
    expect(Object.keys(doc.body.paths['/v1/tasks/{id}']).sort()).toEqual(['delete', 'get']);
    expect(doc.body.paths['/v1/tasks'].post.requestBody.content['application/json'].schema.required).toEqual([
      'support',
    ]);
    expect(doc.body.paths['/v1/tasks/{id}/entities'].post.operationId).toBe('postV1TasksIdEntities');
    expect(doc.body.paths['/v1/tasks/{id}/entities'].post.parameters).toEqual([
      { name: 'id', in: 'path', required: true, schema: { type: 'string', minLength: 1, maxLength: 128 } },
    ]);

    const docs = await request(`${url}/docs`, 'GET');
    expect(docs.headers.get('content-type')).toMatch(/text\/html/);
    expect(docs.body).toContain('href="/openapi.json"');
    expect(docs.body).toContain('/v1/tasks/:id/entities');

    const missing = await get(`${url}/v2/nothing`);
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('not_found');
  });

  it('exposes Prometheus metrics: requests by route and status, latency, tasks, tensors, RSS', async () => {
    const learner = new FakeLearner();
    running = await start({ learner, tensorMemory: () => ({ numTensors: 7, numBytes: 1234 }) });
    const { url } = running;
    await post(`${url}/v1/tasks`, { support: SUPPORT });
    await post(`${url}/v1/tasks`, { support: [] });
    await get(`${url}/v1/tasks/unknown`);
    const res = await request(`${url}/metrics`, 'GET');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text: string = res.body;
    expect(text).toContain('nerima_http_requests_total{method="POST",route="/v1/tasks",status="201"} 1');
    expect(text).toContain('nerima_http_requests_total{method="POST",route="/v1/tasks",status="400"} 1');
    expect(text).toContain('nerima_http_requests_total{method="GET",route="/v1/tasks/:id",status="404"} 1');
    expect(text).toContain('# TYPE nerima_http_request_duration_seconds histogram');
    expect(text).toMatch(
      /nerima_http_request_duration_seconds_bucket\{method="POST",route="\/v1\/tasks",le="\+Inf"\} 2/,
    );
    expect(text).toContain('nerima_tasks_stored 1');
    expect(text).toContain('nerima_tasks_in_memory 1');
    expect(text).toContain('nerima_task_adaptations_total{reason="create"} 1');
    expect(text).toContain('nerima_tf_tensors 7');
    expect(text).toContain('nerima_tf_memory_bytes 1234');
    const rss = Number(/^process_resident_memory_bytes (\d+)$/m.exec(text)?.[1]);
    expect(rss).toBeGreaterThan(10 * 1024 * 1024);
    // Every sample line is `name{labels} value` or `name value`.
    for (const line of text.trim().split('\n')) {
      expect(line).toMatch(
        /^(# (HELP|TYPE) \S+ .+|[a-z_]+(\{[^}]*\})? [-+\d.e]+|[a-z_]+(\{[^}]*\})? \+Inf)$/i,
      );
    }
  });

  it('omits the tensor gauges when the model does not use tfjs', async () => {
    running = await start({ learner: new FakeLearner() });
    const text = (await request(`${running.url}/metrics`, 'GET')).body as string;
    expect(text).not.toContain('nerima_tf_tensors');
  });
});
