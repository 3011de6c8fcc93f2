/**
 * Shared data types. All offsets are UTF-16 code units (JavaScript string indices), `end` exclusive,
 * so `text.slice(start, end)` is the mention at every API boundary.
 */

/** An entity type code such as `PERSON` or `LOCATION`. */
export type EntityType = string;

/** A labelled span. `end > start`; `text.slice(start, end)` is the mention. */
export interface Entity {
  start: number;
  end: number;
  type: EntityType;
  /** The surface text; optional on input, always filled on output. */
  text?: string;
}

/** One sentence with its gold entities (possibly nested or overlapping). */
export interface Sentence {
  id: string;
  text: string;
  entities: Entity[];
}

/** A predicted entity with its confidence in [0, 1]. */
export interface Prediction extends Entity {
  text: string;
  score: number;
}

/** An N-way K-shot task: learn `types` from `support`, tag `query`. */
export interface Episode {
  /** The N target types; all other gold types were relabelled as non-entities. */
  types: EntityType[];
  support: Sentence[];
  query: Sentence[];
  /** Seed and index that reproduce this episode. */
  seed?: number;
  index?: number;
}

/** Anything that tags raw text. */
export interface Tagger {
  /** One prediction list per input text, offsets into that text. */
  predict(texts: readonly string[]): Promise<Prediction[][]>;
  /** Types this tagger can output. */
  readonly types: readonly EntityType[];
  /** Frees tensors or other resources; safe to call twice. */
  dispose?(): void;
}

/** A method that learns a tagger for new types from a few labelled sentences. */
export interface FewShotLearner {
  readonly name: string;
  /** Learns the types present in `support` (or exactly `types` when given). */
  adapt(support: readonly Sentence[], types?: readonly EntityType[]): Promise<Tagger>;
}
