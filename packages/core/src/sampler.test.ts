import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readJsonl } from './io/jsonl.js';
import { createRng } from './rng.js';
import { SamplingError, sampleEpisode, sampleEpisodes } from './sampler.js';
import type { Episode, Sentence } from './types.js';

/** 400 sentences; types A..E common, R in 3 sentences, one sentence with 12 mentions of A. */
function corpus(): Sentence[] {
  const rng = createRng('corpus');
  const common = ['A', 'A', 'B', 'B', 'C', 'D', 'E'];
  const out: Sentence[] = [];
  for (let i = 0; i < 400; i++) {
    const n = rng.int(4);
    const entities = Array.from({ length: n }, (_, j) => ({
      start: 5 * j,
      end: 5 * j + 3,
      type: rng.pick(common),
    }));
    out.push({ id: `s${i}`, text: 'x'.repeat(40), entities });
  }
  for (let i = 0; i < 3; i++)
    out.push({ id: `r${i}`, text: 'x'.repeat(40), entities: [{ start: 0, end: 2, type: 'R' }] });
  out.push({
    id: 'crowded',
    text: 'x'.repeat(40),
    entities: Array.from({ length: 12 }, (_, j) => ({ start: 3 * j, end: 3 * j + 2, type: 'A' })),
  });
  return out;
}

const count = (sentences: readonly Sentence[], type: string) =>
  sentences.reduce((s, x) => s + x.entities.filter((e) => e.type === type).length, 0);

function checkEpisode(ep: Episode, k: number, queryK: number) {
  for (const t of ep.types) {
    expect(count(ep.support, t)).toBeGreaterThanOrEqual(k);
    expect(count(ep.support, t)).toBeLessThanOrEqual(2 * k);
    expect(count(ep.query, t)).toBeGreaterThanOrEqual(queryK);
    expect(count(ep.query, t)).toBeLessThanOrEqual(2 * queryK);
  }
  const target = new Set(ep.types);
  for (const s of [...ep.support, ...ep.query]) {
    for (const e of s.entities) expect(target.has(e.type)).toBe(true);
    expect(s.entities.length).toBeGreaterThan(0);
  }
  const supportIds = new Set(ep.support.map((s) => s.id));
  expect(supportIds.size).toBe(ep.support.length);
  for (const q of ep.query) expect(supportIds.has(q.id)).toBe(false);
}

describe('sampleEpisode', () => {
  const data = corpus();

  it('satisfies K ≤ count ≤ 2K in support and query, removes other types, never leaks (200 episodes)', () => {
    const eps = sampleEpisodes(data, { n: 3, k: 2, queryK: 3, count: 200, seed: 1 });
    expect(eps.length).toBe(200);
    for (const ep of eps) {
      expect(ep.types.length).toBe(3);
      expect(ep.types).not.toContain('R'); // 3 mentions < k + queryK
      checkEpisode(ep, 2, 3);
      expect(ep.support.map((s) => s.id)).not.toContain('crowded'); // 12 > 2K mentions of A
    }
    // Entities of non-target types are removed, not the sentences' text.
    const ep = eps[0]!;
    const original = new Map(data.map((s) => [s.id, s]));
    for (const s of ep.support) expect(s.text).toBe(original.get(s.id)!.text);
  });

  it('is deterministic per seed, and episode i does not depend on count', () => {
    const a = sampleEpisodes(data, { n: 2, k: 3, count: 10, seed: 7 });
    const b = sampleEpisodes(data, { n: 2, k: 3, count: 10, seed: 7 });
    const c = sampleEpisodes(data, { n: 2, k: 3, count: 3, seed: 7 });
    const d = sampleEpisodes(data, { n: 2, k: 3, count: 10, seed: 8 });
    expect(b).toEqual(a);
    expect(c).toEqual(a.slice(0, 3));
    expect(d).not.toEqual(a);
    expect([a[4]!.seed, a[4]!.index]).toEqual([7, 4]);
    const alone = sampleEpisode(data, { n: 2, k: 3, rng: createRng(7).fork(4) });
    expect(alone).toEqual({ types: a[4]!.types, support: a[4]!.support, query: a[4]!.query });
  });

  it('uses the given types exactly, and names a type that is too rare', () => {
    const ep = sampleEpisode(data, { n: 2, k: 1, types: ['E', 'C'], rng: createRng(1) });
    expect(ep.types).toEqual(['E', 'C']);
    checkEpisode(ep, 1, 1);
    expect(() => sampleEpisode(data, { n: 2, k: 5, types: ['A', 'R'], rng: createRng(1) })).toThrow(
      SamplingError,
    );
    expect(() => sampleEpisode(data, { n: 2, k: 5, types: ['A', 'R'], rng: createRng(1) })).toThrow(
      /type R has 3 usable mentions \(in 3 sentences\) but support and query need 5 \+ 5/,
    );
    expect(() => sampleEpisode(data, { n: 3, k: 1, types: ['A', 'B'], rng: createRng(1) })).toThrow(
      /types has 2 entries but n is 3/,
    );
    expect(() => sampleEpisode(data, { n: 0, k: 1, rng: createRng(1) })).toThrow(/n must be an integer ≥ 1/);
  });

  it('throws when fewer than N types have enough mentions', () => {
    expect(() => sampleEpisode(data, { n: 6, k: 2, rng: createRng(1) })).toThrow(
      /only 5 type\(s\) have enough mentions for n=6, k=2 \(A, B, C, D, E\); R has 3 usable mentions/,
    );
  });

  it('querySize draws that many sentences with a target type', () => {
    const ep = sampleEpisode(data, { n: 2, k: 2, querySize: 25, rng: createRng(3) });
    expect(ep.query.length).toBe(25);
    for (const q of ep.query) expect(q.entities.length).toBeGreaterThan(0);
    const ids = new Set(ep.support.map((s) => s.id));
    expect(ep.query.filter((q) => ids.has(q.id))).toEqual([]);
    expect(() => sampleEpisode(data, { n: 1, k: 1, types: ['R'], querySize: 5, rng: createRng(3) })).toThrow(
      /querySize 5 but only 2 sentences outside the support contain a target type \(R\)/,
    );
  });

  it('queryPool: query from the pool only, excluding support ids', () => {
    const pool = data.slice(0, 150);
    const support = data.slice(100); // overlaps the pool on s100..s149
    const poolIds = new Set(pool.map((s) => s.id));
    for (let i = 0; i < 50; i++) {
      const ep = sampleEpisode(support, { n: 2, k: 2, queryPool: pool, rng: createRng(i) });
      checkEpisode(ep, 2, 2);
      for (const q of ep.query) expect(poolIds.has(q.id)).toBe(true);
    }
  });

  it('reports a greedy failure when a type cannot reach K', () => {
    // X appears only together with 3 Ys per sentence: K=2 of X needs 2 sentences = 6 Y > 2K.
    const tight: Sentence[] = Array.from({ length: 6 }, (_, i) => ({
      id: `t${i}`,
      text: 'x'.repeat(20),
      entities: [
        { start: 0, end: 1, type: 'X' },
        ...[2, 4, 6].map((s) => ({ start: s, end: s + 1, type: 'Y' })),
      ],
    }));
    expect(() => sampleEpisode(tight, { n: 2, k: 2, rng: createRng(1), maxAttempts: 3 })).toThrow(
      /could not reach 2 support mentions per type after 3 greedy passes: X reached 1/,
    );
  });
});

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const train = join(
  process.env['NERIMA_DATA'] ?? resolve(repoRoot, '../shared/data'),
  'stockmark/train.jsonl',
);

describe.skipIf(!existsSync(train))('sampleEpisodes on Stockmark train', () => {
  it('5-way 5-shot: K satisfied, ≤ 2K, no leakage over 200 episodes', async () => {
    const { sentences } = await readJsonl(train);
    const eps = sampleEpisodes(sentences, { n: 5, k: 5, count: 200, seed: 2024 });
    const seenTypes = new Set<string>();
    for (const ep of eps) {
      checkEpisode(ep, 5, 5);
      for (const t of ep.types) seenTypes.add(t);
    }
    expect(seenTypes.size).toBe(8);
  });
});
