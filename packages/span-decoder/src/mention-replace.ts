/**
 * Mention replacement (Dai & Adel, 2020): during training, swap a gold mention for another mention
 * of the same type seen in training, keeping the context. Teaches the tagger to use the context and
 * not only memorised names. Seeded; offsets stay UTF-16 code units.
 */
import type { Entity, Rng, Sentence } from '@nerima/core';

/** Distinct mention strings per type. */
export type MentionPools = ReadonlyMap<string, readonly string[]>;

/** Collects the distinct mentions of every type (sorted, so the pools do not depend on data order). */
export function mentionPools(sentences: readonly Sentence[]): MentionPools {
  const pools = new Map<string, Set<string>>();
  for (const s of sentences) {
    for (const e of s.entities) {
      const m = s.text.slice(e.start, e.end);
      if (m.length === 0) continue;
      const set = pools.get(e.type) ?? new Set<string>();
      set.add(m);
      pools.set(e.type, set);
    }
  }
  return new Map([...pools].map(([t, set]) => [t, [...set].sort()]));
}

/**
 * Returns `sentence` with each entity replaced, with probability `p`, by a random mention of its
 * type from `pools`. Sentences whose entities overlap are returned unchanged.
 */
export function replaceMentions(sentence: Sentence, pools: MentionPools, p: number, rng: Rng): Sentence {
  if (p <= 0 || sentence.entities.length === 0) return sentence;
  const ents = [...sentence.entities].sort((a, b) => a.start - b.start || a.end - b.end);
  for (let i = 1; i < ents.length; i++) {
    if ((ents[i] as Entity).start < (ents[i - 1] as Entity).end) return sentence;
  }
  let text = '';
  let pos = 0;
  let changed = false;
  const out: Entity[] = [];
  for (const e of ents) {
    text += sentence.text.slice(pos, e.start);
    let mention = sentence.text.slice(e.start, e.end);
    const pool = pools.get(e.type);
    if (pool && pool.length > 0 && rng.next() < p) {
      mention = rng.pick(pool);
      changed = true;
    }
    const start = text.length;
    text += mention;
    out.push({ start, end: text.length, type: e.type, text: mention });
    pos = e.end;
  }
  if (!changed) return sentence;
  text += sentence.text.slice(pos);
  return { id: `${sentence.id}#mr`, text, entities: out };
}
