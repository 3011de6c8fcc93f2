/**
 * Sorting a sentence's entities into what generators may move or replace. A *unit* is an outermost
 * entity that overlaps no other outermost entity; the entities nested inside it travel with it. An
 * outermost entity that crosses or shares its span with another outermost entity is *blocked*
 * (together with everything nested in it): generators leave that text alone.
 */
import { type Entity, type Sentence, validateSentence } from '@nerima/core';
import type { CandidateEntity } from './types.js';

/** A movable outermost entity and the entities nested inside it. */
export interface Unit {
  /** Index into `sentence.entities`. */
  index: number;
  entity: CandidateEntity;
  /** Indices (into `sentence.entities`) of the entities strictly inside this one, by start. */
  inner: number[];
}

/** The result of {@link analyzeStructure}. */
export interface SentenceStructure {
  /** False when an entity is malformed (bad offsets, split surrogate pair, text mismatch). */
  valid: boolean;
  /** Why the sentence is invalid (messages from `validateSentence`). */
  problems: string[];
  /** The entities with `text` filled (as given when invalid). */
  entities: CandidateEntity[];
  /** Movable outermost entities, by start. */
  units: Unit[];
  /** Indices of blocked entities (crossing / same-span outermost ones and their nested entities). */
  blocked: number[];
}

const contains = (a: Entity, b: Entity) => a.start <= b.start && b.end <= a.end;
const sameSpan = (a: Entity, b: Entity) => a.start === b.start && a.end === b.end;
const overlaps = (a: Entity, b: Entity) => a.start < b.end && b.start < a.end;

/**
 * Validates `sentence` (as `@nerima/core`'s `validateSentence` does for files) and sorts its
 * entities into units and blocked ones.
 * @example
 * // 金沢大学 (ORG) contains 金沢 (LOC): one unit with one inner entity.
 * analyzeStructure({ id: 'a', text: '金沢大学に行く', entities: [
 *   { start: 0, end: 4, type: 'ORG' }, { start: 0, end: 2, type: 'LOC' }] }).units
 * // [{ index: 0, entity: { start: 0, end: 4, type: 'ORG', text: '金沢大学' }, inner: [1] }]
 */
export function analyzeStructure(sentence: Sentence, where = `sentence ${sentence.id}`): SentenceStructure {
  const issues = validateSentence(sentence, { file: where, line: 0 });
  const problems = issues.filter((i) => i.severity === 'error').map((i) => i.message.replace(/:0: /, ': '));
  const raw = Array.isArray(sentence.entities) ? sentence.entities : [];
  const text = typeof sentence.text === 'string' ? sentence.text : '';
  const entities: CandidateEntity[] = raw.map((e) => ({
    start: e.start,
    end: e.end,
    type: e.type,
    text: e.text ?? text.slice(e.start, e.end),
  }));
  if (problems.length > 0) return { valid: false, problems, entities, units: [], blocked: [] };

  const n = entities.length;
  const topLevel: number[] = [];
  for (let i = 0; i < n; i++) {
    const e = entities[i]!;
    let inside = false;
    for (let j = 0; j < n && !inside; j++) {
      if (j !== i && contains(entities[j]!, e) && !sameSpan(entities[j]!, e)) inside = true;
    }
    if (!inside) topLevel.push(i);
  }
  const blockedTop = new Set<number>();
  for (const i of topLevel) {
    for (const j of topLevel) {
      if (i !== j && overlaps(entities[i]!, entities[j]!)) blockedTop.add(i);
    }
  }
  const units: Unit[] = topLevel
    .filter((i) => !blockedTop.has(i))
    .map((i) => ({ index: i, entity: entities[i]!, inner: [] as number[] }))
    .sort((a, b) => a.entity.start - b.entity.start);
  const blocked: number[] = [...blockedTop];
  const topSet = new Set(topLevel);
  for (let k = 0; k < n; k++) {
    if (topSet.has(k)) continue;
    const unit = units.find((u) => contains(u.entity, entities[k]!));
    if (unit) unit.inner.push(k);
    else blocked.push(k);
  }
  for (const u of units) {
    u.inner.sort((a, b) => entities[a]!.start - entities[b]!.start || entities[b]!.end - entities[a]!.end);
  }
  blocked.sort((a, b) => a - b);
  return { valid: true, problems: [], entities, units, blocked };
}
