/**
 * Entity-mention swap: replace one or more mentions with other mentions of the same type, from the
 * mentions labelled in the input sentences and from extra lexicons (e.g. the knowledge base).
 */
import type { Rng, Sentence } from '@nerima/core';
import { lexiconFromSentences, type MentionLexicon } from '../lexicon.js';
import { type Piece, rebuild } from '../pieces.js';
import type { Unit } from '../structure.js';
import type { Candidate, Generator, GeneratorContext, SwapEdit } from '../types.js';

/** A lexicon with a sampling weight. */
export interface WeightedLexicon {
  lexicon: MentionLexicon;
  /** Relative chance of drawing from this lexicon when several have a replacement (default 1). */
  weight?: number;
}

/** Options of {@link createMentionSwap}. */
export interface MentionSwapOptions {
  /** Generator name (default `swap`). */
  name?: string;
  /** Extra lexicons, e.g. from `loadKbLexicon`. */
  lexicons?: readonly (MentionLexicon | WeightedLexicon)[];
  /**
   * Also draw from the mentions of the sentences given to `augment` (lexicon `corpus`): `true`
   * (default, weight 1), `false`, or a weight.
   */
  corpusLexicon?: boolean | number;
  /** Mentions replaced per candidate (default 1; fewer when the sentence has fewer swappable ones). */
  mentionsPerCandidate?: number;
  /** Draws tried per wanted candidate before giving up (default 4). */
  maxAttempts?: number;
}

interface Source {
  lexicon: MentionLexicon;
  weight: number;
}

function checkWeight(w: number, what: string): number {
  if (!Number.isFinite(w) || w < 0)
    throw new RangeError(`createMentionSwap: ${what} must be a finite number ≥ 0, got ${w}`);
  return w;
}

/** The sources that have a surface of `unit`'s type other than its own. */
function usableSources(unit: Unit, sources: readonly Source[]): Source[] {
  const { type, text } = unit.entity;
  return sources.filter((s) => {
    const list = s.lexicon.surfaces(type);
    return s.weight > 0 && (list.length > 1 || (list.length === 1 && list[0] !== text));
  });
}

/** Draws a surface of `unit`'s type other than its own from `usable` (non-empty). */
function drawReplacement(
  unit: Unit,
  usable: readonly Source[],
  rng: Rng,
): { surface: string; lexicon: string } {
  const { type, text } = unit.entity;
  const total = usable.reduce((a, s) => a + s.weight, 0);
  let r = rng.next() * total;
  let chosen = usable[usable.length - 1]!;
  for (const s of usable) {
    r -= s.weight;
    if (r < 0) {
      chosen = s;
      break;
    }
  }
  const list = chosen.lexicon.surfaces(type);
  let j = rng.int(list.length);
  if (list[j] === text) j = (j + 1) % list.length;
  return { surface: list[j]!, lexicon: chosen.lexicon.name };
}

/**
 * Creates the mention-swap generator. Only units are swapped (outermost entities that cross or share
 * a span with no other outermost entity); entities nested inside a swapped mention described the old
 * string and are dropped (listed in `provenance.droppedInner`); every other entity keeps its text and
 * type and is moved by the length change. Offsets come from the pieces' UTF-16 lengths, so astral
 * characters in mentions or replacements are safe.
 * @example
 * const swap = createMentionSwap({ lexicons: [(await loadKbLexicon(kbPath)).lexicon] });
 * const { sentences } = await augment(train, { generators: [swap], seed: 1 });
 */
export function createMentionSwap(options: MentionSwapOptions = {}): Generator {
  const name = options.name ?? 'swap';
  const perCandidate = options.mentionsPerCandidate ?? 1;
  if (!Number.isInteger(perCandidate) || perCandidate < 1) {
    throw new RangeError(
      `createMentionSwap: mentionsPerCandidate must be an integer ≥ 1, got ${perCandidate}`,
    );
  }
  const maxAttempts = options.maxAttempts ?? 4;
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1) {
    throw new RangeError(`createMentionSwap: maxAttempts must be an integer ≥ 1, got ${maxAttempts}`);
  }
  const extra: Source[] = (options.lexicons ?? []).map((l, i) =>
    'lexicon' in l
      ? { lexicon: l.lexicon, weight: checkWeight(l.weight ?? 1, `lexicons[${i}].weight`) }
      : { lexicon: l, weight: 1 },
  );
  const corpusWeight =
    options.corpusLexicon === false
      ? 0
      : typeof options.corpusLexicon === 'number'
        ? checkWeight(options.corpusLexicon, 'corpusLexicon')
        : 1;
  let sources: Source[] = extra;

  return {
    name,
    prepare(corpus: readonly Sentence[]) {
      sources =
        corpusWeight > 0
          ? [{ lexicon: lexiconFromSentences(corpus), weight: corpusWeight }, ...extra]
          : extra;
    },
    generate(sentence: Sentence, ctx: GeneratorContext): Candidate[] {
      const { structure, rng } = ctx;
      if (!structure.valid) {
        ctx.skip('invalid-sentence', structure.problems[0]);
        return [];
      }
      if (structure.entities.length === 0) {
        ctx.skip('no-entities', 'the sentence has no entities to swap');
        return [];
      }
      if (structure.units.length === 0) {
        ctx.skip('no-movable-entity', 'every outermost entity crosses or shares its span with another');
        return [];
      }
      const swappable = structure.units
        .map((u, k) => ({ u, k }))
        .map(({ u, k }) => ({ u, k, usable: usableSources(u, sources) }))
        .filter(({ usable }) => usable.length > 0);
      if (swappable.length === 0) {
        ctx.skip('no-replacement', 'no lexicon has another mention of the types in this sentence');
        return [];
      }
      const out: Candidate[] = [];
      const seen = new Set<string>([sentence.text]);
      for (let attempt = 0; attempt < ctx.count * maxAttempts && out.length < ctx.count; attempt++) {
        const chosen = rng
          .shuffle([...swappable])
          .slice(0, perCandidate)
          .sort((a, b) => a.k - b.k);
        const replace = new Map<number, Piece>();
        const edits: SwapEdit[] = [];
        const droppedInner: number[] = [];
        for (const { u, k, usable } of chosen) {
          const r = drawReplacement(u, usable, rng);
          replace.set(k, {
            text: r.surface,
            entities: [
              {
                start: 0,
                end: r.surface.length,
                type: u.entity.type,
                origin: { kind: 'replacement', replaces: u.index, lexicon: r.lexicon, surface: r.surface },
              },
            ],
          });
          edits.push({
            index: u.index,
            from: u.entity.text,
            to: r.surface,
            type: u.entity.type,
            lexicon: r.lexicon,
          });
          droppedInner.push(...u.inner);
        }
        const joined = rebuild(sentence.text, structure, replace);
        if (seen.has(joined.text)) continue;
        seen.add(joined.text);
        out.push({
          ...joined,
          generator: name,
          sourceId: sentence.id,
          provenance: { kind: 'swap', edits, droppedInner: droppedInner.sort((a, b) => a - b) },
        });
      }
      return out;
    },
  };
}
