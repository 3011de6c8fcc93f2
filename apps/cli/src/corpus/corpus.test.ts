import { mkdtemp, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LexiconLearner } from '@nerima/eval';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisUnavailable, startRedis, type TestRedis } from '../../../server/test/redis-server.js';
import { chunkPath } from './plan.js';
import { startWorker } from './queue.js';
import { tagCorpus } from './run.js';

const support = [
  { id: 's1', text: '東京に行く。', entities: [{ start: 0, end: 2, type: 'LOCATION', text: '東京' }] },
  { id: 's2', text: '山田が来た。', entities: [{ start: 0, end: 2, type: 'PERSON', text: '山田' }] },
];
const factory = () => new LexiconLearner().adapt(support);
const texts = Array.from({ length: 25 }, (_, i) =>
  i % 3 === 0 ? `東京と山田${i}` : i % 5 === 0 ? '' : `なし${i}`,
);

let dir: string;
let input: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'nerima-corpus-'));
  input = join(dir, 'in.txt');
  await writeFile(input, `${texts.join('\n')}\n`);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function rows(path: string) {
  return (await readFile(path, 'utf8'))
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l) as { line: number; text: string; entities: { start: number; type: string }[] });
}

describe('tagCorpus, one process', () => {
  it('tags every line once, in order, and resumes a run with a missing chunk', async () => {
    const out = join(dir, 'local');
    const r = await tagCorpus({ input, outDir: out, format: 'text', chunkSize: 4, tagger: factory });
    expect(r.manifest.chunks.length).toBe(7);
    const got = await rows(r.output);
    expect(got.map((g) => g.line)).toEqual(texts.map((_, i) => i + 1));
    expect(got.map((g) => g.text)).toEqual(texts);
    expect(got[0]?.entities.map((e) => [e.start, e.type])).toEqual([
      [0, 'LOCATION'],
      [3, 'PERSON'],
    ]);
    expect(got[5]?.entities).toEqual([]);
    await unlink(chunkPath(out, 3));
    const again = await tagCorpus({ input, outDir: out, format: 'text', chunkSize: 4, tagger: factory });
    expect(again.resumed).toBe(true);
    expect(again.chunksSkipped).toBe(6);
    expect(again.linesTagged).toBe(4);
    expect(await readFile(again.output, 'utf8')).toBe(await readFile(r.output, 'utf8'));
  });

  it('names file:line of a malformed JSONL line', async () => {
    const bad = join(dir, 'bad.jsonl');
    await writeFile(bad, '{"text":"東京"}\n{"text": 3}\n');
    await expect(
      tagCorpus({ input: bad, outDir: join(dir, 'bad'), format: 'jsonl', tagger: factory }),
    ).rejects.toThrow(`${bad}:2: "text" must be a string`);
    await expect(
      tagCorpus({ input: join(dir, 'nope.txt'), outDir: join(dir, 'nope'), format: 'text', tagger: factory }),
    ).rejects.toThrow(/nope\.txt: no such file/);
  });
});

const noRedis = redisUnavailable();
if (noRedis) console.warn(noRedis);

describe.skipIf(noRedis !== undefined)('tagCorpus on BullMQ + redis-server', () => {
  let redis: TestRedis;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(() => redis?.stop());

  it('two workers give the same output as one process', async () => {
    const workers = [0, 1].map(() =>
      startWorker({ redisUrl: redis.url, queue: 'test', tagger: factory, batchSize: 3, lockMs: 2000 }),
    );
    await Promise.all(workers.map((w) => w.ready));
    try {
      const r = await tagCorpus({
        input,
        outDir: join(dir, 'redis'),
        format: 'text',
        chunkSize: 4,
        redis: { url: redis.url, queue: 'test', pollMs: 50 },
      });
      expect(await readFile(r.output, 'utf8')).toBe(
        await readFile(join(dir, 'local/entities.jsonl'), 'utf8'),
      );
      expect(workers.reduce((n, w) => n + w.chunksDone, 0)).toBe(7);
    } finally {
      await Promise.all(workers.map((w) => w.close()));
    }
  });
});
