/** Test helpers (not exported from the package). */
import { createRng, type Sentence } from '@nerima/core';
import { analyzeStructure } from './structure.js';
import type { Candidate, Generator } from './types.js';

/** A sentence from `[surface, type, occurrence]` triples located in `text`. */
export function sentence(id: string, text: string, mentions: [string, string, number?][] = []): Sentence {
  return {
    id,
    text,
    entities: mentions.map(([surface, type, nth = 0]) => {
      let start = -1;
      for (let i = 0; i <= nth; i++) start = text.indexOf(surface, start + 1);
      if (start < 0) throw new Error(`test fixture: ${surface} not in ${text}`);
      return { start, end: start + surface.length, type, text: surface };
    }),
  };
}

/** Runs one generator on one sentence (after preparing it on `corpus`), collecting skips and drops. */
export async function generateFor(
  g: Generator,
  corpus: readonly Sentence[],
  s: Sentence,
  { count = 5, seed = 1 }: { count?: number; seed?: number } = {},
): Promise<{ candidates: Candidate[]; skips: string[]; drops: string[] }> {
  const rng = createRng(seed);
  await g.prepare?.(corpus, { rng: rng.fork('prepare') });
  const skips: string[] = [];
  const drops: string[] = [];
  const candidates = await g.generate(s, {
    rng: rng.fork(s.id),
    count,
    structure: analyzeStructure(s),
    skip: (code) => skips.push(code),
    drop: (code) => drops.push(code),
  });
  return { candidates, skips, drops };
}

/** `[text, [entity text/type, ...]]` for compact assertions. */
export function show(c: {
  text: string;
  entities: { text?: string; type: string; start: number; end: number }[];
}) {
  return [c.text, c.entities.map((e) => `${c.text.slice(e.start, e.end)}/${e.type}@${e.start}`)] as const;
}
