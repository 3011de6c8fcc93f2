/**
 * Mention lexicons for the mention swap: surfaces by entity type, from labelled sentences or from
 * the cross-lingual knowledge base (`shared/data/kb/entities.jsonl`).
 */
import { type EntityType, iterateJsonl, type Sentence } from '@nerima/core';
import { isWellFormed } from './pieces.js';

/** Surfaces by type, in a fixed order (insertion order), without duplicates. */
export class MentionLexicon {
  readonly name: string;
  readonly #byType = new Map<EntityType, string[]>();
  readonly #seen = new Map<EntityType, Set<string>>();

  constructor(name: string) {
    this.name = name;
  }

  /** Adds `surface` under `type` (ignored when already there). */
  add(type: EntityType, surface: string): void {
    let seen = this.#seen.get(type);
    if (!seen) {
      seen = new Set();
      this.#seen.set(type, seen);
      this.#byType.set(type, []);
    }
    if (seen.has(surface)) return;
    seen.add(surface);
    this.#byType.get(type)!.push(surface);
  }

  /** The surfaces of `type` (empty when none). */
  surfaces(type: EntityType): readonly string[] {
    return this.#byType.get(type) ?? [];
  }

  has(type: EntityType, surface: string): boolean {
    return this.#seen.get(type)?.has(surface) ?? false;
  }

  /** Types with at least one surface. */
  get types(): EntityType[] {
    return [...this.#byType.keys()];
  }

  /** Number of (type, surface) pairs. */
  get size(): number {
    let n = 0;
    for (const list of this.#byType.values()) n += list.length;
    return n;
  }
}

/** A surface usable as a replacement: non-empty, one line, no lone surrogates, no outer spaces. */
export function isUsableSurface(surface: unknown): surface is string {
  return (
    typeof surface === 'string' &&
    surface.length > 0 &&
    surface.trim() === surface &&
    !/[\r\n\t]/.test(surface) &&
    isWellFormed(surface)
  );
}

/** Options of {@link lexiconFromSentences}. */
export interface SentenceLexiconOptions {
  /** Lexicon name shown in provenance and reports (default `corpus`). */
  name?: string;
  /** Keep surfaces labelled with several types (default false: such surfaces are left out). */
  keepAmbiguous?: boolean;
}

/**
 * The mentions labelled in `sentences` (`text.slice(start, end)`), by type, each type's surfaces
 * sorted (so the lexicon does not depend on the order of the sentences).
 */
export function lexiconFromSentences(
  sentences: readonly Sentence[],
  options: SentenceLexiconOptions = {},
): MentionLexicon {
  const typesOf = new Map<string, Set<EntityType>>();
  const order: [EntityType, string][] = [];
  for (const s of sentences) {
    for (const e of s.entities) {
      const surface = s.text.slice(e.start, e.end);
      if (!isUsableSurface(surface)) continue;
      let set = typesOf.get(surface);
      if (!set) {
        set = new Set();
        typesOf.set(surface, set);
      }
      if (!set.has(e.type)) {
        set.add(e.type);
        order.push([e.type, surface]);
      }
    }
  }
  const lex = new MentionLexicon(options.name ?? 'corpus');
  order.sort(([ta, a], [tb, b]) => (ta < tb ? -1 : ta > tb ? 1 : a < b ? -1 : a > b ? 1 : 0));
  for (const [type, surface] of order) {
    if (!options.keepAmbiguous && typesOf.get(surface)!.size > 1) continue;
    lex.add(type, surface);
  }
  return lex;
}

/**
 * The default KB type → dataset type map: only the KB types that correspond one-to-one to a
 * Stockmark type. `ORGANIZATION` (political or other organisation: ENAMDICT does not say which)
 * and `LANGUAGE` are left out; pass a map such as `{ ORGANIZATION: 'OTHER_ORG' }` to use them.
 */
export const KB_TYPE_MAP: Readonly<Record<string, EntityType>> = {
  PERSON: 'PERSON',
  CORPORATION: 'CORPORATION',
  LOCATION: 'LOCATION',
  FACILITY: 'FACILITY',
  PRODUCT: 'PRODUCT',
};

/** Which name fields of a KB entry to use. */
export type KbField = 'ja' | 'en' | 'zh';

/** Options of {@link loadKbLexicon}. */
export interface KbLexiconOptions {
  /** KB type → dataset type (default {@link KB_TYPE_MAP}); KB types not in the map are skipped. */
  typeMap?: Readonly<Record<string, EntityType>>;
  /** Name fields to take (default `['ja']`). */
  fields?: readonly KbField[];
  /** Keep names that the KB files under several (mapped) types (default false). */
  keepAmbiguous?: boolean;
  /** Keep only names of at least this many UTF-16 units (default 2: one-character names are mostly noise). */
  minLength?: number;
  /** Lexicon name (default `kb`). */
  name?: string;
}

/** What {@link loadKbLexicon} read. */
export interface KbLexiconStats {
  entries: number;
  /** Names added, by dataset type. */
  perType: Record<EntityType, number>;
  /** Entries skipped because their KB type is not in the type map, by KB type. */
  unmappedTypes: Record<string, number>;
  /** Names dropped because the KB files them under several mapped types. */
  ambiguous: number;
  /** Rows or names that were malformed or too short. */
  invalid: number;
}

interface KbRow {
  ja?: unknown;
  en?: unknown;
  zh?: unknown;
  type?: unknown;
}

/**
 * Reads the knowledge base (`{ja, en, zh?, type, ...}` per line) into a lexicon of dataset types.
 * Throws when the file is missing or a line is not JSON (with file:line).
 * @example
 * const { lexicon, stats } = await loadKbLexicon('../shared/data/kb/entities.jsonl');
 * lexicon.surfaces('PERSON').length; // ~20000
 */
export async function loadKbLexicon(
  path: string,
  options: KbLexiconOptions = {},
): Promise<{ lexicon: MentionLexicon; stats: KbLexiconStats }> {
  const typeMap = options.typeMap ?? KB_TYPE_MAP;
  for (const [k, v] of Object.entries(typeMap)) {
    if (typeof v !== 'string' || v === '') {
      throw new TypeError(
        `loadKbLexicon: typeMap.${k} must be one dataset type (a non-empty string), got ${JSON.stringify(v)}`,
      );
    }
  }
  const fields = options.fields ?? ['ja'];
  const minLength = options.minLength ?? 2;
  const stats: KbLexiconStats = { entries: 0, perType: {}, unmappedTypes: {}, ambiguous: 0, invalid: 0 };
  const typesOf = new Map<string, Set<EntityType>>();
  const order: [EntityType, string][] = [];
  for await (const { value } of iterateJsonl<KbRow>(path)) {
    stats.entries++;
    if (value === null || typeof value !== 'object' || typeof value.type !== 'string') {
      stats.invalid++;
      continue;
    }
    const type = Object.hasOwn(typeMap, value.type) ? typeMap[value.type] : undefined;
    if (type === undefined) {
      stats.unmappedTypes[value.type] = (stats.unmappedTypes[value.type] ?? 0) + 1;
      continue;
    }
    for (const f of fields) {
      const name = value[f];
      if (name === undefined) continue;
      if (!isUsableSurface(name) || name.length < minLength) {
        stats.invalid++;
        continue;
      }
      let set = typesOf.get(name);
      if (!set) {
        set = new Set();
        typesOf.set(name, set);
      }
      if (!set.has(type)) {
        set.add(type);
        order.push([type, name]);
      }
    }
  }
  const lexicon = new MentionLexicon(options.name ?? 'kb');
  for (const [type, name] of order) {
    if (!options.keepAmbiguous && typesOf.get(name)!.size > 1) {
      stats.ambiguous++;
      continue;
    }
    lexicon.add(type, name);
    stats.perType[type] = (stats.perType[type] ?? 0) + 1;
  }
  return { lexicon, stats };
}
