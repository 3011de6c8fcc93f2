/**
 * Which distant-supervision (silver) source type corresponds to which Stockmark type — the one
 * place that decides what a fold may train on. For a Stockmark fold, a silver type that corresponds
 * to one of the fold's *test* types is dropped (and so is every silver sentence with such a
 * mention), so the novel types stay novel; one that corresponds to exactly one *training* type is
 * merged into it (more, and more varied, mentions of that type); one that corresponds to none is a
 * training type of its own.
 */
import type { EntityType } from '@nerima/core';
import { RULE_TYPES } from './rules.js';

/** A silver source type: a rule type, or `KB:<type>:<subtype>` of the KB (kb/entities.jsonl). */
export type SilverType = string;

/**
 * Silver type → the Stockmark types it corresponds to. KB ORGANIZATION (ENAMDICT `o`) does not tell
 * political from other organisations and includes companies, so it corresponds to all three.
 * Languages and the numeric rule types have no Stockmark counterpart.
 */
export const SILVER_TO_STOCKMARK: Readonly<Record<SilverType, readonly EntityType[]>> = Object.freeze({
  ...Object.fromEntries(RULE_TYPES.map((t) => [t, []])),
  'KB:PERSON:full_name': ['PERSON'],
  'KB:CORPORATION:company': ['CORPORATION'],
  'KB:ORGANIZATION:organization': ['POLITICAL_ORG', 'OTHER_ORG', 'CORPORATION'],
  'KB:FACILITY:station': ['FACILITY'],
  'KB:LOCATION:place': ['LOCATION'],
  'KB:LOCATION:subdivision': ['LOCATION'],
  'KB:LOCATION:city': ['LOCATION'],
  'KB:LOCATION:country_or_region': ['LOCATION'],
  'KB:PRODUCT:work': ['PRODUCT'],
  'KB:PRODUCT:product': ['PRODUCT'],
  'KB:LANGUAGE:language': [],
});

/** What a fold does with each silver type. */
export interface SilverPlan {
  /** Silver type → the type its mentions are trained as (a fold training type, or its own name). */
  rename: Map<SilverType, EntityType>;
  /** Silver types that correspond to a fold test type: sentences with such a mention are dropped. */
  blocked: Set<SilverType>;
  /** The fold's training types plus the new silver-only types, in a stable order. */
  trainTypes: EntityType[];
}

/** The silver plan of a fold (`train` / `test` Stockmark types); unknown silver types are an error. */
export function silverPlan(
  fold: { train: readonly EntityType[]; test: readonly EntityType[] },
  silverTypes: readonly SilverType[] = Object.keys(SILVER_TO_STOCKMARK),
): SilverPlan {
  const rename = new Map<SilverType, EntityType>();
  const blocked = new Set<SilverType>();
  const extra: EntityType[] = [];
  for (const s of silverTypes) {
    const to = SILVER_TO_STOCKMARK[s];
    if (!to) throw new Error(`silverPlan: no Stockmark correspondence is written down for silver type ${s}`);
    if (to.some((t) => fold.test.includes(t))) blocked.add(s);
    else if (to.length === 0) {
      rename.set(s, s);
      extra.push(s);
    } else if (to.length === 1 && fold.train.includes(to[0] as EntityType))
      rename.set(s, to[0] as EntityType);
    // Corresponds to several training types: ambiguous, so neither merged nor new.
    else blocked.add(s);
  }
  return { rename, blocked, trainTypes: [...fold.train, ...extra] };
}
