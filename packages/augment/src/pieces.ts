/**
 * Building candidate sentences from pieces of text that carry their own entities. Offsets are
 * computed from the pieces' UTF-16 lengths, so a piece never needs to know where it ends up.
 */
import type { SentenceStructure, Unit } from './structure.js';
import type { CandidateEntity, EntityOrigin } from './types.js';

/** An entity inside a piece, offsets relative to the piece's start. */
export interface PieceEntity {
  start: number;
  end: number;
  type: string;
  origin: EntityOrigin;
}

/** A run of text with the entities that lie inside it. */
export interface Piece {
  text: string;
  entities: PieceEntity[];
}

/** Result of {@link joinPieces}. */
export interface Joined {
  text: string;
  /** Sorted by start, longer first, then type. */
  entities: CandidateEntity[];
  /** Parallel to `entities`. */
  origins: EntityOrigin[];
}

/** Plain text without entities. */
export function textPiece(text: string): Piece {
  return { text, entities: [] };
}

/** Concatenates pieces and shifts each piece's entities by the length of what precedes it. */
export function joinPieces(pieces: readonly Piece[]): Joined {
  let text = '';
  const all: { entity: CandidateEntity; origin: EntityOrigin }[] = [];
  for (const p of pieces) {
    const offset = text.length;
    text += p.text;
    for (const e of p.entities) {
      const start = offset + e.start;
      const end = offset + e.end;
      all.push({ entity: { start, end, type: e.type, text: text.slice(start, end) }, origin: e.origin });
    }
  }
  all.sort(
    (a, b) =>
      a.entity.start - b.entity.start ||
      b.entity.end - a.entity.end ||
      (a.entity.type < b.entity.type ? -1 : a.entity.type > b.entity.type ? 1 : 0),
  );
  return { text, entities: all.map((x) => x.entity), origins: all.map((x) => x.origin) };
}

/** A unit's mention with the entities nested in it (origins point at the source sentence). */
export function unitPiece(structure: SentenceStructure, unit: Unit): Piece {
  const base = unit.entity.start;
  const entities: PieceEntity[] = [unit.index, ...unit.inner].map((i) => {
    const e = structure.entities[i]!;
    return { start: e.start - base, end: e.end - base, type: e.type, origin: { kind: 'source', index: i } };
  });
  return { text: unit.entity.text, entities };
}

/**
 * The source text in `[from, to)` with every source entity that lies wholly inside it (the blocked
 * ones, when the range is a gap between units).
 */
export function segmentPiece(text: string, structure: SentenceStructure, from: number, to: number): Piece {
  const entities: PieceEntity[] = [];
  structure.entities.forEach((e, i) => {
    if (from <= e.start && e.end <= to) {
      entities.push({
        start: e.start - from,
        end: e.end - from,
        type: e.type,
        origin: { kind: 'source', index: i },
      });
    }
  });
  return { text: text.slice(from, to), entities };
}

/**
 * Rebuilds the source sentence with some units replaced: `replace.get(k)` is the new piece for
 * `structure.units[k]`. Units not replaced keep their mention and nested entities; the text between
 * units keeps its (blocked) entities.
 */
export function rebuild(
  text: string,
  structure: SentenceStructure,
  replace: ReadonlyMap<number, Piece>,
): Joined {
  const pieces: Piece[] = [];
  let at = 0;
  structure.units.forEach((unit, k) => {
    pieces.push(segmentPiece(text, structure, at, unit.entity.start));
    pieces.push(replace.get(k) ?? unitPiece(structure, unit));
    at = unit.entity.end;
  });
  pieces.push(segmentPiece(text, structure, at, text.length));
  return joinPieces(pieces);
}

/** True when `text` has no lone surrogate halves (well-formed UTF-16). */
export function isWellFormed(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = text.charCodeAt(i + 1);
      if (!(d >= 0xdc00 && d <= 0xdfff)) return false;
      i++;
    } else if (c >= 0xdc00 && c <= 0xdfff) return false;
  }
  return true;
}
