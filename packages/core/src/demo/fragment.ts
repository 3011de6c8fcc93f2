import type { Entity, EntityType } from '../types.js';

/** A piece of text with its entities; offsets are relative to `text` (UTF-16 code units). */
export interface Fragment {
  text: string;
  entities: Entity[];
}

/** Plain text or an annotated fragment. */
export type Piece = string | Fragment;

/** Concatenates pieces, shifting each fragment's entity offsets to its place in the result. */
export function join(...pieces: Piece[]): Fragment {
  let text = '';
  const entities: Entity[] = [];
  for (const piece of pieces) {
    if (typeof piece === 'string') {
      text += piece;
      continue;
    }
    const offset = text.length;
    for (const e of piece.entities) {
      entities.push({ start: e.start + offset, end: e.end + offset, type: e.type, text: e.text });
    }
    text += piece.text;
  }
  return { text, entities };
}

/** Concatenates pieces and labels the whole result as one `type` mention; inner entities stay (nesting). */
export function span(type: EntityType, ...pieces: Piece[]): Fragment {
  const inner = join(...pieces);
  return {
    text: inner.text,
    entities: [{ start: 0, end: inner.text.length, type, text: inner.text }, ...inner.entities],
  };
}
