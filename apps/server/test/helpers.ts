/** Test doubles and HTTP helpers shared by the server tests. */
import type { EntityType, FewShotLearner, Prediction, Sentence, Tagger } from '@nerima/core';
import { createServer, type NerimaServer, type ServerOptions } from '../src/index.js';

/** Knobs and counters of {@link FakeLearner}. */
export interface FakeStats {
  adaptCalls: number;
  disposed: number;
  /** Most `predict` calls that were running at once on one tagger. */
  maxOverlap: number;
  /** Sizes of the `predict` batches, in call order. */
  batchSizes: number[];
}

/**
 * An exact-match learner (every occurrence of a support mention, longest first, no overlaps)
 * that records what the server did with it. `predictDelayMs` makes predictions overlap in time.
 */
export class FakeLearner implements FewShotLearner {
  readonly name = 'fake';
  readonly stats: FakeStats = { adaptCalls: 0, disposed: 0, maxOverlap: 0, batchSizes: [] };
  constructor(
    private readonly options: { predictDelayMs?: number; adaptDelayMs?: number; failOn?: string } = {},
  ) {}

  async adapt(support: readonly Sentence[], types?: readonly EntityType[]): Promise<Tagger> {
    this.stats.adaptCalls++;
    if (this.options.adaptDelayMs) await sleep(this.options.adaptDelayMs);
    const lexicon = new Map<string, EntityType>();
    const seen: EntityType[] = [];
    for (const s of support) {
      for (const e of s.entities) {
        if (types && !types.includes(e.type)) continue;
        lexicon.set(s.text.slice(e.start, e.end), e.type);
        if (!seen.includes(e.type)) seen.push(e.type);
      }
    }
    const surfaces = [...lexicon.keys()].sort((a, b) => b.length - a.length);
    const stats = this.stats;
    const { predictDelayMs, failOn } = this.options;
    let running = 0;
    let disposed = false;
    return {
      types: types ? [...types] : seen,
      async predict(texts: readonly string[]): Promise<Prediction[][]> {
        if (disposed) throw new Error('predict on a disposed tagger');
        running++;
        stats.maxOverlap = Math.max(stats.maxOverlap, running);
        stats.batchSizes.push(texts.length);
        try {
          if (predictDelayMs) await sleep(predictDelayMs);
          if (disposed) throw new Error('tagger disposed during predict');
          return texts.map((text) => {
            if (failOn !== undefined && text.includes(failOn)) throw new Error(`cannot tag ${text}`);
            const taken = new Array<boolean>(text.length).fill(false);
            const out: Prediction[] = [];
            for (const surface of surfaces) {
              for (let i = text.indexOf(surface); i !== -1; i = text.indexOf(surface, i + 1)) {
                if (taken.slice(i, i + surface.length).some(Boolean)) continue;
                taken.fill(true, i, i + surface.length);
                out.push({
                  start: i,
                  end: i + surface.length,
                  type: lexicon.get(surface)!,
                  text: surface,
                  score: 0.9,
                });
              }
            }
            return out.sort((a, b) => a.start - b.start);
          });
        } finally {
          running--;
        }
      },
      dispose() {
        if (!disposed) stats.disposed++;
        disposed = true;
      },
    };
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A support sentence with entities found by surface (first occurrence). */
export function sentence(text: string, mentions: Array<[string, string]>): Sentence {
  return {
    id: text,
    text,
    entities: mentions.map(([surface, type]) => {
      const start = text.indexOf(surface);
      if (start < 0) throw new Error(`fixture: ${surface} not in ${text}`);
      return { start, end: start + surface.length, type };
    }),
  };
}

export const SUPPORT: Sentence[] = [
  sentence('山田さんは東京に住む。', [
    ['山田', 'PER'],
    ['東京', 'LOC'],
  ]),
  sentence('𠮷野家は大阪にある。', [
    ['𠮷野家', 'ORG'],
    ['大阪', 'LOC'],
  ]),
];

/** A listening server and its base URL. */
export interface Running {
  server: NerimaServer;
  url: string;
}

export async function start(
  options: Partial<ServerOptions> & Pick<ServerOptions, 'learner'>,
): Promise<Running> {
  const server = await createServer({ store: ':memory:', ...options });
  const url = await server.listen();
  return { server, url };
}

// biome-ignore lint/suspicious/noExplicitAny: response bodies are checked by expect(), not by types.
type Json = any;

/** The status and parsed JSON body (or `null` for an empty body). */
export interface Reply<T = Json> {
  status: number;
  body: T;
  headers: Headers;
}

export async function request<T = Json>(
  url: string,
  method: string,
  body?: unknown,
  init: { raw?: string; contentType?: string } = {},
): Promise<Reply<T>> {
  const headers: Record<string, string> = {};
  let payload: string | undefined;
  if (init.raw !== undefined) payload = init.raw;
  else if (body !== undefined) payload = JSON.stringify(body);
  if (payload !== undefined) headers['content-type'] = init.contentType ?? 'application/json';
  const res = await fetch(url, { method, headers, ...(payload !== undefined ? { body: payload } : {}) });
  const text = await res.text();
  const type = res.headers.get('content-type') ?? '';
  return {
    status: res.status,
    body: text && type.includes('json') ? JSON.parse(text) : text || null,
    headers: res.headers,
  };
}

export const post = <T = Json>(url: string, body: unknown, init?: { raw?: string; contentType?: string }) =>
  request<T>(url, 'POST', body, init);
export const get = <T = Json>(url: string) => request<T>(url, 'GET');
export const del = <T = Json>(url: string) => request<T>(url, 'DELETE');
