/**
 * The generator contract: a {@link Generator} turns one source sentence into {@link Candidate}s, each
 * with its entities (UTF-16 offsets into the candidate text), where every entity came from
 * ({@link EntityOrigin}) and how the candidate was made ({@link Provenance}).
 */
import type { Entity, EntityType, Rng, Sentence } from '@nerima/core';
import type { SentenceStructure } from './structure.js';

/** An entity of a candidate: `text` is always filled (`candidate.text.slice(start, end)`). */
export interface CandidateEntity extends Entity {
  text: string;
}

/** Where an entity of a candidate came from. */
export type EntityOrigin =
  /** Copied from the source sentence (`index` into `source.entities`), moved but unchanged. */
  | { kind: 'source'; index: number }
  /** A mention put in place of source entity `replaces`, taken from lexicon `lexicon`. */
  | { kind: 'replacement'; replaces: number; lexicon: string; surface: string };

/** One replaced mention of a mention-swap candidate. */
export interface SwapEdit {
  /** Index into `source.entities`. */
  index: number;
  from: string;
  to: string;
  type: EntityType;
  /** Name of the lexicon the replacement came from (`corpus`, `kb`, ...). */
  lexicon: string;
}

/** How a candidate was made; enough to recompute its entities independently. */
export type Provenance =
  | {
      kind: 'swap';
      edits: SwapEdit[];
      /** Source entities nested inside a swapped mention: they described the old string and are dropped. */
      droppedInner: number[];
    }
  | {
      kind: 'context';
      /** The sentence whose context (text outside its entities) was reused. */
      templateId: string;
      /** Slot `i` is donor entity `donorIndex` (an outermost entity of the donor), filled with source entity `sourceIndex`. */
      slots: { donorIndex: number; sourceIndex: number; type: EntityType }[];
    }
  | {
      kind: 'paraphrase';
      /** Model ids, in the order they ran (one for a paraphraser, two for back-translation). */
      models: string[];
      /** The text with placeholders sent to the first model. */
      protectedText: string;
      /** Intermediate outputs (the pivot-language text for back-translation), then the final output. */
      outputs: string[];
      /** Placeholder `i` stands for source entity `placeholders[i]` (an outermost entity). */
      placeholders: number[];
    };

/** A generated sentence before filtering. */
export interface Candidate {
  text: string;
  /** Sorted by start, longer first. */
  entities: CandidateEntity[];
  /** Parallel to `entities`. */
  origins: EntityOrigin[];
  /** Name of the generator that made it. */
  generator: string;
  sourceId: string;
  provenance: Provenance;
  /**
   * The text the candidate should stay close to, for the similarity filter's drift check (default
   * the source text; context change sets the donor sentence, whose context it reuses).
   */
  reference?: string;
}

/** What {@link Generator.generate} gets besides the sentence. */
export interface GeneratorContext {
  /** A generator of its own per (generator, sentence id): results do not depend on sentence order. */
  rng: Rng;
  /** How many candidates are wanted (at most). */
  count: number;
  /** The sentence's entities sorted into movable units and blocked ones (see `analyzeStructure`). */
  structure: SentenceStructure;
  /** Records why this sentence gave no (or fewer) candidates, e.g. `no entities`. */
  skip(code: string, message?: string): void;
  /** Records a candidate the generator made and rejected itself (e.g. a placeholder did not survive). */
  drop(code: string, message: string, text?: string): void;
}

/** What {@link Generator.prepare} gets. */
export interface PrepareContext {
  rng: Rng;
}

/** A way of making new labelled sentences from one labelled sentence. */
export interface Generator {
  /** Unique within one `augment` call; used in ids, reports and rng forks. */
  readonly name: string;
  /**
   * When set, the generator cannot run (e.g. no paraphrase model); `augment` reports this once as a
   * warning and runs the other generators.
   */
  readonly unavailable?: string;
  /** Called once per `augment` call with all input sentences (lexicons, templates). */
  prepare?(corpus: readonly Sentence[], ctx: PrepareContext): void | Promise<void>;
  /** Candidates for one sentence; offsets UTF-16; may return fewer than `ctx.count`. */
  generate(sentence: Sentence, ctx: GeneratorContext): Candidate[] | Promise<Candidate[]>;
  /** Frees models; safe to call twice. */
  dispose?(): void | Promise<void>;
}
