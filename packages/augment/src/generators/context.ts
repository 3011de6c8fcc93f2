/**
 * Context change: keep a sentence's mentions and put them into the context of another sentence.
 * Templates are made by abstracting other sentences' outermost entities into typed slots; a source
 * sentence fills a template's slots with its own mentions of the same types.
 */
import type { EntityType, Sentence } from '@nerima/core';
import { joinPieces, type Piece, textPiece, unitPiece } from '../pieces.js';
import { analyzeStructure, type Unit } from '../structure.js';
import type { Candidate, Generator, GeneratorContext } from '../types.js';

/** Options of {@link createContextChange}. */
export interface ContextChangeOptions {
  /** Generator name (default `context`). */
  name?: string;
  /** Sentences whose contexts are reused (default: the sentences given to `augment`). */
  frames?: readonly Sentence[];
  /**
   * Also use templates with fewer slots than the sentence has mentions (only some of its mentions
   * are kept; default true). Templates that use every mention are preferred.
   */
  allowSubset?: boolean;
  /** Least number of UTF-16 units of context (text outside slots) a template must have (default 4). */
  minContextLength?: number;
}

/** A sentence with its outermost entities abstracted into typed slots. */
export interface Template {
  id: string;
  text: string;
  /** `segments[i]` precedes slot `i`; the last one follows the last slot. */
  segments: string[];
  slots: { type: EntityType; donorIndex: number }[];
  counts: Map<EntityType, number>;
}

/** Why frames did not become templates, by reason. */
export interface TemplateStats {
  templates: number;
  skipped: Record<string, number>;
}

/**
 * Builds templates from `frames`. A frame is left out when it is invalid, has no entities, has
 * blocked entities (crossing or same-span outermost ones: their text would stay in the context with
 * labels the filler does not know), or has less context than `minContextLength`.
 */
export function buildTemplates(
  frames: readonly Sentence[],
  minContextLength = 4,
): { templates: Template[]; stats: TemplateStats } {
  const templates: Template[] = [];
  const skipped: Record<string, number> = {};
  const skip = (r: string) => {
    skipped[r] = (skipped[r] ?? 0) + 1;
  };
  for (const f of frames) {
    const st = analyzeStructure(f);
    if (!st.valid) skip('invalid');
    else if (st.units.length === 0) skip(st.entities.length === 0 ? 'no-entities' : 'no-movable-entity');
    else if (st.blocked.length > 0) skip('blocked-entities');
    else {
      const segments: string[] = [];
      let at = 0;
      for (const u of st.units) {
        segments.push(f.text.slice(at, u.entity.start));
        at = u.entity.end;
      }
      segments.push(f.text.slice(at));
      if (segments.reduce((a, s) => a + s.trim().length, 0) < minContextLength) {
        skip('too-little-context');
        continue;
      }
      const counts = new Map<EntityType, number>();
      for (const u of st.units) counts.set(u.entity.type, (counts.get(u.entity.type) ?? 0) + 1);
      templates.push({
        id: f.id,
        text: f.text,
        segments,
        slots: st.units.map((u) => ({ type: u.entity.type, donorIndex: u.index })),
        counts,
      });
    }
  }
  // Sorted by id, then text: the template order (and so the random draws) does not depend on the order of the frames.
  templates.sort((a, b) =>
    a.id < b.id ? -1 : a.id > b.id ? 1 : a.text < b.text ? -1 : a.text > b.text ? 1 : 0,
  );
  return { templates, stats: { templates: templates.length, skipped } };
}

/**
 * Creates the context-change generator. A template fits a sentence when, for every type, it has at
 * most as many slots as the sentence has units of that type (exactly as many without
 * `allowSubset`). Templates using more of the sentence's mentions come first; within a size, the
 * order is random. Mentions keep their nested entities; units of a type are assigned to that type's
 * slots in random order. Candidates carry the template's text as `reference` for the drift check.
 */
export function createContextChange(options: ContextChangeOptions = {}): Generator & {
  /** Template statistics of the last `prepare`. */
  readonly templateStats: TemplateStats | undefined;
} {
  const name = options.name ?? 'context';
  const allowSubset = options.allowSubset ?? true;
  const minContext = options.minContextLength ?? 4;
  let templates: Template[] = [];
  let templateStats: TemplateStats | undefined;

  return {
    name,
    get templateStats() {
      return templateStats;
    },
    prepare(corpus: readonly Sentence[]) {
      const built = buildTemplates(options.frames ?? corpus, minContext);
      templates = built.templates;
      templateStats = built.stats;
    },
    generate(sentence: Sentence, ctx: GeneratorContext): Candidate[] {
      const { structure, rng } = ctx;
      if (!structure.valid) {
        ctx.skip('invalid-sentence', structure.problems[0]);
        return [];
      }
      if (structure.entities.length === 0) {
        ctx.skip('no-entities', 'the sentence has no entities to keep');
        return [];
      }
      if (structure.units.length === 0) {
        ctx.skip('no-movable-entity', 'every outermost entity crosses or shares its span with another');
        return [];
      }
      const byType = new Map<EntityType, Unit[]>();
      for (const u of structure.units) {
        const list = byType.get(u.entity.type) ?? [];
        list.push(u);
        byType.set(u.entity.type, list);
      }
      const fits = templates.filter((t) => {
        if (t.id === sentence.id) return false;
        if (!allowSubset && t.slots.length !== structure.units.length) return false;
        for (const [type, n] of t.counts) {
          const have = byType.get(type)?.length ?? 0;
          if (n > have || (!allowSubset && n !== have)) return false;
        }
        return true;
      });
      if (fits.length === 0) {
        ctx.skip('no-template', `no other sentence has slots of types ${[...byType.keys()].join(', ')}`);
        return [];
      }
      // Most slots first; random order within a size.
      const bySize = new Map<number, Template[]>();
      for (const t of fits) {
        const list = bySize.get(t.slots.length) ?? [];
        list.push(t);
        bySize.set(t.slots.length, list);
      }
      const ordered = [...bySize.keys()].sort((a, b) => b - a).flatMap((k) => rng.shuffle(bySize.get(k)!));
      const out: Candidate[] = [];
      const seen = new Set<string>([sentence.text]);
      for (const t of ordered) {
        if (out.length >= ctx.count) break;
        const pools = new Map<EntityType, Unit[]>();
        for (const [type, units] of byType) pools.set(type, rng.shuffle([...units]));
        const pieces: Piece[] = [];
        const slots: { donorIndex: number; sourceIndex: number; type: EntityType }[] = [];
        t.slots.forEach((slot, i) => {
          const unit = pools.get(slot.type)!.shift()!;
          pieces.push(textPiece(t.segments[i]!), unitPiece(structure, unit));
          slots.push({ donorIndex: slot.donorIndex, sourceIndex: unit.index, type: slot.type });
        });
        pieces.push(textPiece(t.segments[t.segments.length - 1]!));
        const joined = joinPieces(pieces);
        if (seen.has(joined.text) || joined.text === t.text) continue;
        seen.add(joined.text);
        out.push({
          ...joined,
          generator: name,
          sourceId: sentence.id,
          provenance: { kind: 'context', templateId: t.id, slots },
          reference: t.text,
        });
      }
      return out;
    },
  };
}
