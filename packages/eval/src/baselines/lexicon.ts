/**
 * The lexicon baseline: memorise the support mentions, tag exact string matches.
 */
import type { EntityType, FewShotLearner, Prediction, Sentence, Tagger } from '@nerima/core';

/** Options of {@link LexiconLearner}. */
export interface LexiconLearnerOptions {
  /** Drop matches whose score is below this (default 0: keep every match). */
  minScore?: number;
  /**
   * Also keep shorter matches nested inside an accepted longer match (default false: accepted
   * matches never overlap). Crossing overlaps are never kept.
   */
  allowNested?: boolean;
}

/** One memorised surface string. */
interface LexiconEntry {
  type: EntityType;
  score: number;
}

/** Counts every (possibly overlapping) occurrence of `needle` in `haystack`. */
function countOccurrences(haystack: string, needle: string): number {
  let n = 0;
  for (let i = haystack.indexOf(needle); i !== -1; i = haystack.indexOf(needle, i + 1)) n++;
  return n;
}

class LexiconTagger implements Tagger {
  readonly types: readonly EntityType[];
  readonly #lexicon: ReadonlyMap<string, LexiconEntry>;
  readonly #minScore: number;
  readonly #allowNested: boolean;

  constructor(
    types: readonly EntityType[],
    lexicon: ReadonlyMap<string, LexiconEntry>,
    minScore: number,
    allowNested: boolean,
  ) {
    this.types = types;
    this.#lexicon = lexicon;
    this.#minScore = minScore;
    this.#allowNested = allowNested;
  }

  async predict(texts: readonly string[]): Promise<Prediction[][]> {
    return texts.map((text, i) => {
      if (typeof text !== 'string') throw new TypeError(`LexiconTagger.predict: texts[${i}] is not a string`);
      return this.#tag(text);
    });
  }

  #tag(text: string): Prediction[] {
    const candidates: Prediction[] = [];
    for (const [surface, entry] of this.#lexicon) {
      if (entry.score < this.#minScore) continue;
      for (let s = text.indexOf(surface); s !== -1; s = text.indexOf(surface, s + 1)) {
        candidates.push({
          start: s,
          end: s + surface.length,
          type: entry.type,
          text: surface,
          score: entry.score,
        });
      }
    }
    // Longest first; among equal lengths, leftmost first, then higher score.
    candidates.sort((a, b) => b.end - b.start - (a.end - a.start) || a.start - b.start || b.score - a.score);
    const accepted: Prediction[] = [];
    for (const c of candidates) {
      const conflict = accepted.some((a) => {
        if (c.end <= a.start || a.end <= c.start) return false; // disjoint
        const nested = a.start <= c.start && c.end <= a.end;
        return !(this.#allowNested && nested);
      });
      if (!conflict) accepted.push(c);
    }
    return accepted.sort((a, b) => a.start - b.start || b.end - a.end);
  }

  dispose(): void {}
}

/**
 * An honest few-shot baseline. `adapt` memorises every support mention (`text.slice(start, end)`)
 * of the target types; the tagger marks exact occurrences of those strings in query texts,
 * longest match first, without crossing overlaps (and without nesting unless `allowNested`).
 *
 * A string labelled with several types gets the type it carries most often in the support set
 * (ties: the earlier type in `types`). Its score is the fraction of the string's occurrences in
 * the support texts (all positions, labelled or not) that carry that type label, so a string that
 * also appears unlabelled in the support scores below 1.
 */
export class LexiconLearner implements FewShotLearner {
  readonly name: string = 'lexicon';
  readonly #minScore: number;
  readonly #allowNested: boolean;

  constructor(options: LexiconLearnerOptions = {}) {
    const minScore = options.minScore ?? 0;
    if (!(minScore >= 0 && minScore <= 1)) {
      throw new RangeError(`LexiconLearner: options.minScore = ${minScore} must be in [0, 1]`);
    }
    this.#minScore = minScore;
    this.#allowNested = options.allowNested ?? false;
  }

  async adapt(support: readonly Sentence[], types?: readonly EntityType[]): Promise<Tagger> {
    const wanted = types ? new Set(types) : undefined;
    const order: EntityType[] = types ? [...new Set(types)] : [];
    // surface → type → set of labelled positions "sentence:start" (an entity listed twice counts once).
    const labelled = new Map<string, Map<EntityType, Set<string>>>();
    support.forEach((sentence, si) => {
      for (const [ei, e] of sentence.entities.entries()) {
        if (wanted && !wanted.has(e.type)) continue;
        if (!Number.isInteger(e.start) || !Number.isInteger(e.end) || e.start < 0 || e.end <= e.start) {
          throw new RangeError(
            `LexiconLearner.adapt: support[${si}] (id ${sentence.id}) entities[${ei}] has start ${e.start}, end ${e.end}; need 0 ≤ start < end`,
          );
        }
        if (e.end > sentence.text.length) {
          throw new RangeError(
            `LexiconLearner.adapt: support[${si}] (id ${sentence.id}) entities[${ei}].end = ${e.end} exceeds the text length ${sentence.text.length}`,
          );
        }
        if (!wanted && !order.includes(e.type)) order.push(e.type);
        const surface = sentence.text.slice(e.start, e.end);
        let byType = labelled.get(surface);
        if (byType === undefined) {
          byType = new Map();
          labelled.set(surface, byType);
        }
        let positions = byType.get(e.type);
        if (positions === undefined) {
          positions = new Set();
          byType.set(e.type, positions);
        }
        positions.add(`${si}:${e.start}`);
      }
    });

    const lexicon = new Map<string, LexiconEntry>();
    for (const [surface, byType] of labelled) {
      let best: EntityType | undefined;
      let bestCount = 0;
      for (const type of order) {
        const count = byType.get(type)?.size ?? 0;
        if (count > bestCount) {
          best = type;
          bestCount = count;
        }
      }
      if (best === undefined) continue;
      let occurrences = 0;
      for (const s of support) occurrences += countOccurrences(s.text, surface);
      lexicon.set(surface, { type: best, score: bestCount / Math.max(occurrences, bestCount) });
    }
    return new LexiconTagger(order, lexicon, this.#minScore, this.#allowNested);
  }
}
