/**
 * Bounded, seeded fuzz of the HTTP surface: 10,000+ malformed requests (bad JSON, wrong types,
 * huge and empty texts, lone surrogates, bad support offsets, unknown and traversal-looking task
 * ids, wrong methods and media types), mixed with valid ones, through Fastify's whole request
 * pipeline (`app.inject`), plus a few hundred raw malformed HTTP messages over a real socket.
 * Every answer must be below 500; every 4xx body a JSON `{error: {code, message}}` without a stack
 * trace or a filesystem path; and the server must still answer correctly afterwards.
 * Deterministic: one `createRng` seed drives every choice. Uses the lexicon learner (no tfjs).
 */
import { connect } from 'node:net';
import { createRng, type Rng } from '@nerima/core';
import { LexiconLearner } from '@nerima/eval';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type NerimaServer } from '../src/index.js';
import { SUPPORT } from './helpers.js';

const SEED = 13;
const REQUESTS = 10_000;
const LIMITS = {
  bodyLimit: 32_768,
  maxTextLength: 500,
  maxBatchSize: 8,
  maxSupportSentences: 20,
  maxTasksInMemory: 4,
  maxStoredTasks: 40,
};

let server: NerimaServer;
let url: string;
/** Ids of tasks that exist (created by valid requests during the run). */
const taskIds: string[] = [];

beforeAll(async () => {
  const learner = new LexiconLearner();
  server = await createServer({
    learner,
    tagger: await learner.adapt(SUPPORT),
    store: ':memory:',
    limits: LIMITS,
  });
  url = await server.listen();
});

afterAll(async () => {
  await server?.close();
});

const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[rng.int(xs.length)] as T;

const WORDS = [
  '山田',
  '東京',
  '𠮷野家',
  '大阪',
  'さんは',
  'に住む。',
  'abc',
  ' ',
  '\n',
  '\u0000',
  '😀',
  '\t',
];
const SURROGATES = ['\ud800', '\udfff', '\udc00x', 'a\ud83d', '\ude00b'];

function randomText(rng: Rng, max = 40): string {
  let s = '';
  const n = rng.int(max);
  for (let i = 0; i < n; i++) s += rng.next() < 0.1 ? pick(rng, SURROGATES) : pick(rng, WORDS);
  return s;
}

/** A value of a random JSON type (sometimes nested). */
function junk(rng: Rng, depth = 0): unknown {
  switch (rng.int(depth > 2 ? 7 : 9)) {
    case 0:
      return null;
    case 1:
      return rng.next() < 0.5;
    case 2:
      return pick(rng, [0, -1, 1.5, 1e308, -1e308, 2 ** 53, Number.MAX_SAFE_INTEGER + 2, -0]);
    case 3:
      return randomText(rng);
    case 4:
      return '';
    case 5:
      return pick(rng, SURROGATES);
    case 6:
      return pick(rng, ['__proto__', 'constructor', '../../etc/passwd', '%00', 'C:\\Windows']);
    case 7:
      return Array.from({ length: rng.int(4) }, () => junk(rng, depth + 1));
    default: {
      const o: Record<string, unknown> = {};
      for (let i = rng.int(4); i > 0; i--)
        o[pick(rng, ['text', 'texts', 'support', 'types', 'x', '__proto__'])] = junk(rng, depth + 1);
      return o;
    }
  }
}

/** A support sentence with a random (often invalid) entity. */
function supportSentence(rng: Rng): unknown {
  const text =
    rng.next() < 0.7
      ? pick(rng, ['山田さんは東京に住む。', '𠮷野家は大阪にある。', 'ab😀cd'])
      : randomText(rng);
  const len = text.length;
  const start = pick(rng, [0, 1, 2, len, len + 1, -1, 0.5, 3]);
  const end = pick(rng, [start as number, (start as number) + 1, 2, len, len + 5, 3, 0]);
  const entity: Record<string, unknown> = {
    start,
    end,
    type: pick(rng, ['PER', 'LOC', '', 'x'.repeat(300), 'ORG']),
  };
  if (rng.next() < 0.3) entity['text'] = pick(rng, ['山田', 'wrong', '', text.slice(0, 2)]);
  if (rng.next() < 0.1) entity['start'] = junk(rng);
  if (rng.next() < 0.05) entity['extra'] = 1;
  const s: Record<string, unknown> = { text, entities: rng.next() < 0.1 ? [] : [entity] };
  if (rng.next() < 0.1) s['id'] = junk(rng);
  if (rng.next() < 0.05) s['text'] = junk(rng);
  return s;
}

const TRAVERSAL_IDS = [
  '..',
  '..%2F..%2Fetc%2Fpasswd',
  '%2e%2e%2f%2e%2e%2fetc%2fpasswd',
  '..%5C..%5Cwindows',
  '%00',
  'a%00b',
  '%252e%252e',
  '%ZZ',
  '%',
  '..;',
  '~',
  '%C0%AE%C0%AE',
  '%F0%9F%98%80',
  '%ED%A0%80',
  'x'.repeat(5000),
  "'; DROP TABLE tasks;--",
  '00000000-0000-0000-0000-000000000000',
  'nerima:tasks:ids',
  '*',
  '%20',
];

interface Req {
  method: 'GET' | 'POST' | 'DELETE' | 'PUT' | 'PATCH' | 'HEAD' | 'OPTIONS';
  url: string;
  payload?: string;
  headers: Record<string, string>;
}

const JSON_CT = { 'content-type': 'application/json' };

function taskId(rng: Rng): string {
  const r = rng.next();
  if (r < 0.25 && taskIds.length > 0) return pick(rng, taskIds);
  if (r < 0.5) return `${rng.int(1e9).toString(16)}-${rng.int(1e9).toString(16)}`;
  return pick(rng, TRAVERSAL_IDS);
}

function json(value: unknown): string {
  return JSON.stringify(value) ?? 'null';
}

/** One request: mostly malformed, some valid. */
function makeRequest(rng: Rng): Req {
  const kind = rng.int(12);
  switch (kind) {
    case 0: {
      // Bad JSON: truncated, garbled or not JSON at all.
      const valid = JSON.stringify({ text: randomText(rng), texts: ['a'] });
      const payload = pick(rng, [
        valid.slice(0, rng.int(valid.length)),
        `${valid}}`,
        '{',
        '[1,',
        'nul',
        '{"text":"\\ud800',
        '{"text":"\\x41"}',
        "{'text':'a'}",
        '{"text":"a",}',
        '\uFEFF{"text":"a"}',
        '',
        ' ',
        '{"text":"a"}{"text":"b"}',
        '{"__proto__":{"x":1},"text":"a"}',
        '{"constructor":{"prototype":{"x":1}}}',
        '1e999999',
        `{"texts":[${'['.repeat(2000)}`,
      ]);
      return {
        method: 'POST',
        url: pick(rng, ['/v1/entities', '/v1/tasks', `/v1/tasks/${taskId(rng)}/entities`]),
        payload,
        headers: JSON_CT,
      };
    }
    case 1:
      // Wrong types anywhere.
      return {
        method: 'POST',
        url: pick(rng, ['/v1/entities', '/v1/tasks']),
        payload: json(junk(rng)),
        headers: JSON_CT,
      };
    case 2: {
      // Huge, empty and surrogate-laden texts.
      const text = pick(rng, [
        '',
        'あ'.repeat(LIMITS.maxTextLength),
        'あ'.repeat(LIMITS.maxTextLength + 1),
        '😀'.repeat(LIMITS.maxTextLength / 2 + 1),
        pick(rng, SURROGATES),
        `山田${pick(rng, SURROGATES)}東京`,
        randomText(rng, 200),
      ]);
      const value =
        rng.next() < 0.5
          ? { text }
          : {
              texts: Array.from(
                { length: pick(rng, [0, 1, LIMITS.maxBatchSize, LIMITS.maxBatchSize + 1, 50]) },
                () => text,
              ),
            };
      return {
        method: 'POST',
        url: rng.next() < 0.6 ? '/v1/entities' : `/v1/tasks/${taskId(rng)}/entities`,
        payload: json(value),
        headers: JSON_CT,
      };
    }
    case 3: {
      // Bad support sets and types.
      const n = pick(rng, [0, 1, 2, 3, LIMITS.maxSupportSentences + 1]);
      const value: Record<string, unknown> = {
        support: Array.from({ length: n }, () => supportSentence(rng)),
      };
      if (rng.next() < 0.3) value['types'] = pick(rng, [[], ['PER'], ['NOPE'], 'PER', [1], ['PER', 'PER']]);
      return { method: 'POST', url: '/v1/tasks', payload: json(value), headers: JSON_CT };
    }
    case 4:
      // Unknown and traversal-looking task ids on every task route.
      return {
        method: pick(rng, ['GET', 'DELETE', 'POST'] as const),
        url: `/v1/tasks/${taskId(rng)}${rng.next() < 0.5 ? '/entities' : ''}`,
        payload: json({ text: '山田さん' }),
        headers: JSON_CT,
      };
    case 5:
      // Wrong media types and encodings.
      return {
        method: 'POST',
        url: pick(rng, ['/v1/entities', '/v1/tasks']),
        payload: pick(rng, ['text=山田', '{"text":"山田"}', '<x/>', '\u0000\u0001']),
        headers: {
          'content-type': pick(rng, [
            'text/plain',
            'application/x-www-form-urlencoded',
            'multipart/form-data; boundary=x',
            'application/json; charset=utf-16',
            'application/xml',
            'application/json; charset=latin1',
            '',
            'application/jsonx',
            '*/*',
          ]),
        },
      };
    case 6:
      // Oversized bodies.
      return {
        method: 'POST',
        url: pick(rng, ['/v1/entities', '/v1/tasks']),
        payload: JSON.stringify({ text: 'あ'.repeat(LIMITS.bodyLimit) }),
        headers: JSON_CT,
      };
    case 7:
      // Wrong methods, unknown routes, odd paths and query strings.
      return {
        method: pick(rng, ['GET', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD'] as const),
        url: pick(rng, [
          '/v1/entities',
          '/v1/tasks',
          '/../../etc/passwd',
          '/v1/%2e%2e/tasks',
          '/v1/tasks/',
          '/v1//tasks',
          `/healthz?${'a='.repeat(500)}`,
          '/metrics?x=%ZZ',
          '/docs/../openapi.json',
          '/app/../../package.json',
          '/v2/entities',
          '/%00',
        ]),
        headers: {},
      };
    case 8: {
      // Valid: create a task (keeps a few real ids in play; hits the stored-task limit too).
      const value = { support: SUPPORT.map((s) => ({ text: s.text, entities: s.entities })) };
      return { method: 'POST', url: '/v1/tasks', payload: json(value), headers: JSON_CT };
    }
    case 9:
      // Valid: tag with the default model or a task.
      return {
        method: 'POST',
        url: rng.next() < 0.5 ? '/v1/entities' : `/v1/tasks/${taskId(rng)}/entities`,
        payload: json(
          rng.next() < 0.5 ? { text: randomText(rng) } : { texts: [randomText(rng), '山田さん'] },
        ),
        headers: JSON_CT,
      };
    case 10:
      // Extra and misspelt fields, nulls in place of required ones.
      return {
        method: 'POST',
        url: pick(rng, ['/v1/entities', '/v1/tasks']),
        payload: json(
          pick(rng, [
            { text: 'a', extra: 1 },
            { txt: 'a' },
            { text: null },
            { texts: null },
            { texts: [null] },
            { text: 'a', texts: ['b'] },
            { support: null },
            { support: [null] },
            { support: [{ text: 'a', entities: null }] },
            { support: [{ text: 'ab', entities: [{ start: 0, end: 1 }] }] },
            { support: [{ text: 'ab', entities: [{ start: '0', end: '1', type: 'X' }] }] },
            { support: [{ text: 'ab', entities: [{ start: 0, end: 1, type: 'X' }] }], types: null },
            { support: [{ text: 'ab', entities: [{ start: 0, end: 1, type: 'X' }] }], types: ['X', 'Y'] },
          ]),
        ),
        headers: JSON_CT,
      };
    default: {
      // A valid request with a random header mixed in.
      return {
        method: 'POST',
        url: '/v1/entities',
        payload: json({ text: '山田さんは東京に住む。' }),
        headers: {
          ...JSON_CT,
          ...pick<Record<string, string>>(rng, [
            { 'content-encoding': 'gzip' },
            { 'content-encoding': 'br' },
            { accept: 'text/html' },
            { 'transfer-encoding': 'chunked' },
            {},
          ]),
        },
      };
    }
  }
}

const LEAKS = [
  /\n\s+at /,
  /node_modules/,
  /\/work\//,
  /\/home\//,
  /\/tmp\//,
  /[\w-]+\.[cm]?[jt]s:\d+/,
  /file:\/\//,
  /Error: /,
];

function checkError(req: Req, status: number, raw: string, problems: string[]): void {
  if (req.method === 'HEAD') return;
  let parsed: { error?: { code?: unknown; message?: unknown } };
  try {
    parsed = JSON.parse(raw) as typeof parsed;
  } catch {
    problems.push(`${req.method} ${req.url.slice(0, 80)} → ${status}, body not JSON: ${raw.slice(0, 120)}`);
    return;
  }
  const e = parsed.error;
  if (!e || typeof e.code !== 'string' || typeof e.message !== 'string' || e.message === '') {
    problems.push(
      `${req.method} ${req.url.slice(0, 80)} → ${status}, not an {error:{code,message}} body: ${raw.slice(0, 160)}`,
    );
    return;
  }
  for (const leak of LEAKS) {
    if (leak.test(e.message))
      problems.push(
        `${req.method} ${req.url.slice(0, 80)} → ${status}, message leaks ${leak}: ${e.message.slice(0, 160)}`,
      );
  }
}

describe('fuzz', () => {
  it(`answers ${REQUESTS} malformed requests without a 5xx, with clean JSON errors`, async () => {
    const rng = createRng(SEED);
    const statuses = new Map<number, number>();
    const problems: string[] = [];
    for (let i = 0; i < REQUESTS; i++) {
      const req = makeRequest(rng);
      const res = await server.app.inject({
        method: req.method,
        url: req.url,
        headers: req.headers,
        ...(req.payload !== undefined && req.method !== 'GET' && req.method !== 'HEAD'
          ? { payload: req.payload }
          : {}),
      });
      statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
      if (res.statusCode >= 500)
        problems.push(
          `${req.method} ${req.url.slice(0, 80)} → ${res.statusCode}: ${res.body.slice(0, 200)} (payload ${String(req.payload).slice(0, 120)})`,
        );
      else if (res.statusCode >= 400) checkError(req, res.statusCode, res.body, problems);
      else if (res.statusCode === 201 && req.url === '/v1/tasks') {
        const id = (JSON.parse(res.body) as { taskId: string }).taskId;
        taskIds.push(id);
        // Some tasks go away again, so ids of deleted tasks are in play too.
        if (rng.next() < 0.5)
          expect((await server.app.inject({ method: 'DELETE', url: `/v1/tasks/${id}` })).statusCode).toBe(
            204,
          );
      } else if (res.statusCode === 200 && req.url.endsWith('/entities')) {
        // Offsets of whatever was found are consistent with the texts sent.
        // (A leading byte-order mark is allowed, as JSON parsers commonly do.)
        const sent = JSON.parse((req.payload as string).replace(/^\uFEFF/, '')) as {
          text?: string;
          texts?: string[];
        };
        const texts = sent.texts ?? [sent.text as string];
        const got = JSON.parse(res.body) as { entities?: Ent[]; results?: { entities: Ent[] }[] };
        const lists = got.results ? got.results.map((r) => r.entities) : [got.entities as Ent[]];
        expect(lists).toHaveLength(texts.length);
        lists.forEach((list, j) => {
          for (const e of list) expect(texts[j]!.slice(e.start, e.end)).toBe(e.text);
        });
      }
    }
    expect(problems.slice(0, 20)).toEqual([]);
    const total = [...statuses.values()].reduce((a, b) => a + b, 0);
    expect(total).toBe(REQUESTS);
    // The run exercised both refusals and successes, not one path only.
    const count = (lo: number, hi: number) =>
      [...statuses].filter(([s]) => s >= lo && s < hi).reduce((a, [, n]) => a + n, 0);
    expect(count(400, 500)).toBeGreaterThan(REQUESTS / 2);
    expect(count(200, 300)).toBeGreaterThan(REQUESTS / 20);
    for (const code of [400, 404, 413, 415]) expect(statuses.get(code) ?? 0).toBeGreaterThan(0);

    // Still serving, correctly.
    const health = await fetch(`${url}/healthz`);
    expect(health.status).toBe(200);
    const res = await fetch(`${url}/v1/entities`, {
      method: 'POST',
      headers: JSON_CT,
      body: JSON.stringify({ text: '山田さんは東京に住む。' }),
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { entities: Ent[] }).entities.map((e) => e.text)).toEqual(['山田', '東京']);
  }, 60_000);

  it('answers malformed HTTP on a real socket with a 4xx or a closed connection, and keeps serving', async () => {
    const rng = createRng(SEED + 1);
    const { port } = new URL(url);
    const MESSAGES = [
      'GET / HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n',
      'POST /v1/entities HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"text":"a"}',
      'POST /v1/entities HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{"text":"a"}\r\n0\r\n\r\n',
      'POST /v1/entities HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
      'GARBAGE\r\n\r\n',
      'GET /v1/tasks/%00 HTTP/1.1\r\nHost: x\r\n\r\n',
      'GET /v1/tasks/../../etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n',
      `GET /${'a'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`,
      'GET / HTTP/9.9\r\nHost: x\r\n\r\n',
      'POST /v1/entities HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 13\r\n\r\n{"text":"\u00ff"}',
      `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'b'.repeat(20_000)}\r\n\r\n`,
      'GET /healthz HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n',
      '\u0000\u0001\u0002\r\n\r\n',
    ];
    const send = (msg: string) =>
      new Promise<string>((resolve) => {
        const socket = connect(Number(port), '127.0.0.1');
        let out = '';
        const timer = setTimeout(() => socket.destroy(), 2_000);
        socket.on('data', (d) => {
          out += d.toString();
        });
        socket.on('close', () => {
          clearTimeout(timer);
          resolve(out);
        });
        socket.on('error', () => undefined);
        socket.end(msg);
      });
    const problems: string[] = [];
    for (let i = 0; i < 200; i++) {
      const msg = pick(rng, MESSAGES);
      const reply = await send(msg);
      const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(reply)?.[1] ?? 0);
      if (status >= 500) problems.push(`${JSON.stringify(msg.slice(0, 60))} → ${reply.slice(0, 200)}`);
      if (status >= 400) {
        const bodyText = reply.slice(reply.indexOf('\r\n\r\n') + 4);
        if (bodyText !== '') {
          const parsed = (() => {
            try {
              return JSON.parse(bodyText) as { error?: { code?: unknown } };
            } catch {
              return undefined;
            }
          })();
          if (typeof parsed?.error?.code !== 'string')
            problems.push(
              `${JSON.stringify(msg.slice(0, 60))} → ${status}, not an {error:{code,message}} body: ${bodyText.slice(0, 160)}`,
            );
          for (const leak of LEAKS)
            if (leak.test(bodyText))
              problems.push(`${JSON.stringify(msg.slice(0, 60))} leaks ${leak}: ${bodyText.slice(0, 160)}`);
        }
      }
    }
    expect(problems.slice(0, 10)).toEqual([]);
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
  }, 60_000);
});

interface Ent {
  start: number;
  end: number;
  text: string;
}
