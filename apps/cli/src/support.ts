/** Checking a support set before adapting: clear data errors (exit 3) for the usual mistakes. */
import type { EntityType, Sentence } from '@nerima/core';
import { DataError } from './errors.js';

/** Mentions per type. */
export function countMentions(sentences: readonly Sentence[]): Map<EntityType, number> {
  const counts = new Map<EntityType, number>();
  for (const s of sentences) for (const e of s.entities) counts.set(e.type, (counts.get(e.type) ?? 0) + 1);
  return counts;
}

/**
 * Checks `support` (read from `file`) and returns the types to learn: `listed`, or every type in
 * the support. Errors: no sentences, no entities, a listed type without a mention ("unknown"), a
 * type with fewer than `minK` mentions.
 */
export function checkSupport(
  support: readonly Sentence[],
  file: string,
  listed: readonly EntityType[] | undefined,
  minK: number,
): { types: EntityType[]; counts: Map<EntityType, number> } {
  if (support.length === 0) {
    throw new DataError(`${file}: the support set is empty; give at least one labelled sentence per type`);
  }
  const counts = countMentions(support);
  if (counts.size === 0) {
    throw new DataError(`${file}: the support set has no entities; label at least one mention per type`);
  }
  const have = [...counts.entries()].map(([t, c]) => `${t} (${c})`).join(', ');
  const types: EntityType[] = listed ? [...listed] : [...counts.keys()].sort();
  const unknown = types.filter((t) => !counts.has(t));
  if (unknown.length > 0) {
    throw new DataError(
      `${file}: unknown type(s) ${unknown.join(', ')}: the support set has no mention of them; it has ${have}`,
    );
  }
  const few = types.filter((t) => (counts.get(t) ?? 0) < minK);
  if (few.length > 0) {
    throw new DataError(
      `${file}: ${few.map((t) => `${t} has ${counts.get(t)} mention(s)`).join(', ')}, fewer than --min-k ${minK}; add examples or lower --min-k`,
    );
  }
  return { types, counts };
}
