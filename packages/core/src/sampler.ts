/**
 * N-way K-shot episode sampling with Few-NERD's greedy rule (Ding et al., ACL 2021, Algorithm 1):
 * sentences are visited in random order and one is added when it brings a target type still below K
 * closer to K without pushing any target type above 2K. Mentions of non-target types are relabelled
 * as non-entities (they stay in the text, unlabelled).
 */
import { createRng, type Rng } from './rng.js';
import { keepTypes } from './splits.js';
import type { EntityType, Episode, Sentence } from './types.js';

/** Options for {@link sampleEpisode}. */
export interface SampleEpisodeOptions {
  /** Number of target types (N). */
  n: number;
  /** Mentions per target type in the support set (K); each type gets between K and 2K. */
  k: number;
  /** Use exactly these target types (length must be `n`) instead of drawing them. */
  types?: readonly EntityType[];
  /**
   * Query mentions per target type, sampled with the same greedy rule (between queryK and
   * 2·queryK); default `k`. Ignored when `querySize` is given.
   */
  queryK?: number;
  /** Instead of greedy: this many random sentences containing at least one target type. */
  querySize?: number;
  /**
   * Sentences the query is drawn from; default the support pool (`sentences`). Query sentences never
   * share an id with a support sentence. To draw both support and query from e.g. dev, pass dev as
   * `sentences` and leave this out.
   */
  queryPool?: readonly Sentence[];
  /** Greedy passes (fresh shuffles) tried before giving up; default 20. */
  maxAttempts?: number;
}

/** Options for {@link sampleEpisodes}. */
export interface SampleEpisodesOptions extends SampleEpisodeOptions {
  /** Number of episodes. */
  count: number;
  /** Episode `i` uses `createRng(seed).fork(i)`, so it does not depend on `count`. */
  seed: number;
}

/** Sampling was impossible (a type too rare, too few types, too few query sentences). */
export class SamplingError extends Error {
  override readonly name = 'SamplingError';
}

type Counts = Map<EntityType, number>;

interface Pool {
  sentences: readonly Sentence[];
  counts: Counts[];
}

function indexPool(sentences: readonly Sentence[]): Pool {
  return {
    sentences,
    counts: sentences.map((s) => {
      const c: Counts = new Map();
      for (const e of s.entities) c.set(e.type, (c.get(e.type) ?? 0) + 1);
      return c;
    }),
  };
}

/** Mentions of `type` in sentences where it occurs at most `cap` times (others can never be added). */
function usable(pool: Pool, type: EntityType, cap: number): { mentions: number; sentences: number } {
  let mentions = 0;
  let sentences = 0;
  for (const c of pool.counts) {
    const x = c.get(type) ?? 0;
    if (x > 0 && x <= cap) {
      mentions += x;
      sentences++;
    }
  }
  return { mentions, sentences };
}

function checkInt(name: string, v: unknown, min: number): void {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) {
    throw new RangeError(`sampleEpisode: ${name} must be an integer ≥ ${min}, got ${String(v)}`);
  }
}

/**
 * Greedy Few-NERD selection of indices from `candidates` (not modified) so that every target type
 * has between k and 2k mentions. Returns null when a pass ends below k for some type.
 */
function greedy(
  pool: Pool,
  candidates: readonly number[],
  types: readonly EntityType[],
  k: number,
  rng: Rng,
): { picked: number[]; counts: number[] } {
  const order = rng.shuffle([...candidates]);
  const counts = types.map(() => 0);
  const picked: number[] = [];
  let below = types.length;
  for (const idx of order) {
    if (below === 0) break;
    const c = pool.counts[idx] as Counts;
    let helps = false;
    let fits = true;
    for (let t = 0; t < types.length; t++) {
      const x = c.get(types[t] as EntityType) ?? 0;
      if (x === 0) continue;
      const cur = counts[t] as number;
      if (cur + x > 2 * k) {
        fits = false;
        break;
      }
      if (cur < k) helps = true;
    }
    if (!helps || !fits) continue;
    picked.push(idx);
    for (let t = 0; t < types.length; t++) {
      const x = c.get(types[t] as EntityType) ?? 0;
      if (x === 0) continue;
      const before = counts[t] as number;
      counts[t] = before + x;
      if (before < k && before + x >= k) below--;
    }
  }
  return { picked, counts };
}

function greedyWithRetries(
  pool: Pool,
  candidates: readonly number[],
  types: readonly EntityType[],
  k: number,
  rng: Rng,
  attempts: number,
  what: 'support' | 'query',
): number[] {
  let last: number[] = [];
  for (let a = 0; a < attempts; a++) {
    const { picked, counts } = greedy(pool, candidates, types, k, rng);
    if (counts.every((x) => x >= k)) return picked;
    last = counts;
  }
  const short = types
    .map((t, i) => ({ t, got: last[i] as number, avail: usable(pool, t, 2 * k) }))
    .filter((x) => x.got < k)
    .map(
      (x) =>
        `${x.t} reached ${x.got} (usable: ${x.avail.mentions} mentions in ${x.avail.sentences} sentences)`,
    );
  throw new SamplingError(
    `sampleEpisode: could not reach ${k} ${what} mentions per type after ${attempts} greedy passes: ${short.join('; ')}. ` +
      `Lower k${what === 'query' ? ' / queryK' : ''}, pick other types, or use a bigger pool.`,
  );
}

function chooseTypes(
  support: Pool,
  query: Pool,
  samePool: boolean,
  o: SampleEpisodeOptions,
  queryK: number,
  rng: Rng,
): EntityType[] {
  const { n, k } = o;
  const queryNeed = o.querySize !== undefined ? 1 : queryK;
  const queryCap = o.querySize !== undefined ? Number.POSITIVE_INFINITY : 2 * queryK;
  const shortfall = (t: EntityType): string | null => {
    const s = usable(support, t, 2 * k);
    if (samePool) {
      const q = usable(support, t, queryCap);
      if (s.mentions < k || q.mentions < k + queryNeed) {
        return `${t} has ${s.mentions} usable mentions (in ${s.sentences} sentences) but support and query need ${k} + ${queryNeed}`;
      }
      return null;
    }
    if (s.mentions < k)
      return `${t} has ${s.mentions} usable support mentions (in ${s.sentences} sentences), need ${k}`;
    const q = usable(query, t, queryCap);
    if (q.mentions < queryNeed) return `${t} has ${q.mentions} usable query-pool mentions, need ${queryNeed}`;
    return null;
  };
  if (o.types) {
    const types = [...o.types];
    if (types.length !== n)
      throw new RangeError(`sampleEpisode: types has ${types.length} entries but n is ${n}`);
    if (new Set(types).size !== types.length)
      throw new RangeError(`sampleEpisode: types has duplicates: ${types.join(', ')}`);
    for (const t of types) {
      const why = shortfall(t);
      if (why) throw new SamplingError(`sampleEpisode: type ${why}. Lower k or choose another type.`);
    }
    return types;
  }
  const all = new Set<EntityType>();
  for (const c of support.counts) for (const t of c.keys()) all.add(t);
  const sorted = [...all].sort();
  const eligible = sorted.filter((t) => shortfall(t) === null);
  if (eligible.length < n) {
    const rare = sorted.filter((t) => shortfall(t) !== null).map((t) => shortfall(t));
    throw new SamplingError(
      `sampleEpisode: only ${eligible.length} type(s) have enough mentions for n=${n}, k=${k} (${eligible.join(', ') || 'none'}); ${rare.join('; ')}.`,
    );
  }
  return rng.shuffle(eligible).slice(0, n);
}

function sampleFromPools(
  support: Pool,
  query: Pool,
  samePool: boolean,
  o: SampleEpisodeOptions,
  rng: Rng,
): Episode {
  checkInt('n', o.n, 1);
  checkInt('k', o.k, 1);
  const queryK = o.queryK ?? o.k;
  checkInt('queryK', queryK, 1);
  if (o.querySize !== undefined) checkInt('querySize', o.querySize, 1);
  const attempts = o.maxAttempts ?? 20;
  checkInt('maxAttempts', attempts, 1);

  const types = chooseTypes(support, query, samePool, o, queryK, rng);
  const target = new Set(types);
  const hasTarget = (c: Counts) => {
    for (const t of types) if (c.has(t)) return true;
    return false;
  };

  const supportCandidates: number[] = [];
  support.counts.forEach((c, i) => {
    if (hasTarget(c)) supportCandidates.push(i);
  });
  const supportIdx = greedyWithRetries(support, supportCandidates, types, o.k, rng, attempts, 'support');
  const supportIds = new Set(supportIdx.map((i) => (support.sentences[i] as Sentence).id));

  const queryCandidates: number[] = [];
  query.counts.forEach((c, i) => {
    if (hasTarget(c) && !supportIds.has((query.sentences[i] as Sentence).id)) queryCandidates.push(i);
  });
  let queryIdx: number[];
  if (o.querySize !== undefined) {
    if (queryCandidates.length < o.querySize) {
      throw new SamplingError(
        `sampleEpisode: querySize ${o.querySize} but only ${queryCandidates.length} sentences outside the support contain a target type (${types.join(', ')})`,
      );
    }
    queryIdx = rng.shuffle(queryCandidates).slice(0, o.querySize);
  } else {
    queryIdx = greedyWithRetries(query, queryCandidates, types, queryK, rng, attempts, 'query');
  }
  return {
    types,
    support: supportIdx.map((i) => keepTypes(support.sentences[i] as Sentence, target)),
    query: queryIdx.map((i) => keepTypes(query.sentences[i] as Sentence, target)),
  };
}

/**
 * Samples one N-way K-shot episode from `sentences` with `rng` (see the module comment for the
 * rule). Support and query are disjoint by sentence id; entities of other types are removed from
 * both. Throws a {@link SamplingError} naming the type and its available count when it cannot work.
 * @example
 * const ep = sampleEpisode(train, { n: 4, k: 5, rng: createRng(1) });
 */
export function sampleEpisode(
  sentences: readonly Sentence[],
  options: SampleEpisodeOptions & { rng: Rng },
): Episode {
  const support = indexPool(sentences);
  const samePool = options.queryPool === undefined || options.queryPool === sentences;
  const query = samePool ? support : indexPool(options.queryPool as readonly Sentence[]);
  return sampleFromPools(support, query, samePool, options, options.rng);
}

/**
 * Samples `count` episodes; episode `i` is drawn with `createRng(seed).fork(i)` and carries
 * `seed` and `index`, so it is the same whatever `count` is and can be regenerated alone with
 * `sampleEpisode(sentences, { ...options, rng: createRng(seed).fork(i) })`.
 */
export function sampleEpisodes(sentences: readonly Sentence[], options: SampleEpisodesOptions): Episode[] {
  checkInt('count', options.count, 0);
  if (typeof options.seed !== 'number' || !Number.isFinite(options.seed)) {
    throw new RangeError(`sampleEpisodes: seed must be a finite number, got ${String(options.seed)}`);
  }
  const support = indexPool(sentences);
  const samePool = options.queryPool === undefined || options.queryPool === sentences;
  const query = samePool ? support : indexPool(options.queryPool as readonly Sentence[]);
  const root = createRng(options.seed);
  const episodes: Episode[] = [];
  for (let i = 0; i < options.count; i++) {
    const ep = sampleFromPools(support, query, samePool, options, root.fork(i));
    ep.seed = options.seed;
    ep.index = i;
    episodes.push(ep);
  }
  return episodes;
}
