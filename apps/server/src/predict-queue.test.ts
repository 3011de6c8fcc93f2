import type { Prediction, Tagger } from '@nerima/core';
import { describe, expect, it } from 'vitest';
import { ApiError } from './errors.js';
import { PredictQueue } from './predict-queue.js';

/** A tagger that returns one prediction per text spanning it, after a tick, recording its calls. */
function recordingTagger(calls: string[][], fail?: string): Tagger {
  return {
    types: ['X'],
    async predict(texts) {
      calls.push([...texts]);
      await new Promise((r) => setTimeout(r, 5));
      if (fail !== undefined && texts.includes(fail)) throw new Error(`bad ${fail}`);
      return texts.map((t): Prediction[] => [{ start: 0, end: t.length, type: 'X', text: t, score: 1 }]);
    },
  };
}

describe('PredictQueue', () => {
  it('runs the first request alone, then batches the requests that queued meanwhile, in order', async () => {
    const calls: string[][] = [];
    const batches: number[] = [];
    const q = new PredictQueue(recordingTagger(calls), {
      batchSize: 4,
      maxQueued: 100,
      onBatch: (n) => batches.push(n),
    });
    const results = await Promise.all([
      q.predict(['a']),
      q.predict(['b', 'c']),
      q.predict(['d']),
      q.predict(['e', 'f']),
    ]);
    expect(calls).toEqual([['a'], ['b', 'c', 'd'], ['e', 'f']]);
    expect(batches).toEqual([1, 3, 2]);
    expect(results.map((r) => r.map((p) => p[0]!.text))).toEqual([['a'], ['b', 'c'], ['d'], ['e', 'f']]);
    expect(q.pending).toBe(0);
  });

  it('sends a request larger than batchSize in one call', async () => {
    const calls: string[][] = [];
    const q = new PredictQueue(recordingTagger(calls), { batchSize: 2, maxQueued: 100 });
    await q.predict(['a', 'b', 'c']);
    expect(calls).toEqual([['a', 'b', 'c']]);
  });

  it('retries the requests of a failed batch one by one, so only the bad one fails', async () => {
    const calls: string[][] = [];
    const q = new PredictQueue(recordingTagger(calls, 'bad'), { batchSize: 8, maxQueued: 100 });
    const settled = await Promise.allSettled([
      q.predict(['a']),
      q.predict(['b']),
      q.predict(['bad']),
      q.predict(['c']),
    ]);
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    expect(calls).toEqual([['a'], ['b', 'bad', 'c'], ['b'], ['bad'], ['c']]);
  });

  it('rejects with 503 overloaded beyond maxQueued texts and recovers afterwards', async () => {
    const q = new PredictQueue(recordingTagger([]), { batchSize: 8, maxQueued: 3 });
    const first = q.predict(['a', 'b']);
    const err = await q.predict(['c', 'd']).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).statusCode).toBe(503);
    expect((err as ApiError).code).toBe('overloaded');
    await first;
    await q.idle();
    await expect(q.predict(['c', 'd'])).resolves.toHaveLength(2);
  });

  it('rejects a tagger that returns the wrong number of results', async () => {
    const broken: Tagger = { types: [], predict: async () => [] };
    const q = new PredictQueue(broken, { batchSize: 8, maxQueued: 8 });
    await expect(q.predict(['a'])).rejects.toThrow(/returned 0 results for 1 texts/);
  });
});
