/** Type splits for novel-type evaluation: meta-train on some types, evaluate on the others. */
import type { EntityType, Sentence } from './types.js';

/** The eight Stockmark Wikipedia NER types. */
export const STOCKMARK_TYPES: readonly EntityType[] = Object.freeze([
  'PERSON',
  'CORPORATION',
  'POLITICAL_ORG',
  'OTHER_ORG',
  'LOCATION',
  'FACILITY',
  'PRODUCT',
  'EVENT',
]);

/** Types seen in meta-training and the disjoint types evaluated as novel. */
export interface TypeFold {
  train: readonly EntityType[];
  test: readonly EntityType[];
}

const FOLD_A: TypeFold = Object.freeze({
  train: Object.freeze(['PERSON', 'CORPORATION', 'POLITICAL_ORG', 'FACILITY']),
  test: Object.freeze(['LOCATION', 'OTHER_ORG', 'PRODUCT', 'EVENT']),
});

/** The two Stockmark folds: B swaps A's train and test types. */
export const STOCKMARK_FOLDS: Readonly<Record<'A' | 'B', TypeFold>> = Object.freeze({
  A: FOLD_A,
  B: Object.freeze({ train: FOLD_A.test, test: FOLD_A.train }),
});

/**
 * A copy of `s` keeping only entities of `types`; the others become non-entities. Surface `text`
 * is filled in on the kept entities. The input is not modified.
 */
export function keepTypes(s: Sentence, types: Iterable<EntityType>): Sentence {
  const set = types instanceof Set ? (types as ReadonlySet<EntityType>) : new Set(types);
  return {
    id: s.id,
    text: s.text,
    entities: s.entities
      .filter((e) => set.has(e.type))
      .map((e) => ({ start: e.start, end: e.end, type: e.type, text: s.text.slice(e.start, e.end) })),
  };
}

/** Options for {@link splitByTypes}. */
export interface SplitByTypesOptions {
  /** Drop sentences left without any entity; default false (they stay as negative examples). */
  dropEmpty?: boolean;
}

/**
 * Meta-training data for a type fold: every sentence with only `trainTypes` kept (mentions of other
 * types relabelled as non-entities, so the novel types are never seen as labels).
 * @example splitByTypes(train, STOCKMARK_FOLDS.A.train)
 */
export function splitByTypes(
  sentences: readonly Sentence[],
  trainTypes: Iterable<EntityType>,
  options: SplitByTypesOptions = {},
): Sentence[] {
  const set = new Set(trainTypes);
  const out = sentences.map((s) => keepTypes(s, set));
  return options.dropEmpty ? out.filter((s) => s.entities.length > 0) : out;
}

/** Types present in `sentences`, sorted by name. */
export function typesIn(sentences: readonly Sentence[]): EntityType[] {
  const set = new Set<EntityType>();
  for (const s of sentences) for (const e of s.entities) set.add(e.type);
  return [...set].sort();
}
