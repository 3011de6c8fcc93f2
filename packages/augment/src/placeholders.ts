/**
 * Protecting entities from a rewriting model: each unit (movable outermost entity) becomes a
 * placeholder such as `<E0>`; after the rewrite the placeholders are found again and replaced by
 * the original mentions (with their nested entities), offsets recomputed from the new text.
 */
import { type Joined, joinPieces, type Piece, textPiece, unitPiece } from './pieces.js';
import type { SentenceStructure, Unit } from './structure.js';

/** How placeholders are written and found again. */
export interface PlaceholderStyle {
  /** The placeholder for unit `i`, e.g. `<E0>`. */
  format(i: number): string;
  /**
   * Finds placeholders in model output; must have the `g` flag and capture the index in group 1.
   * Be lenient about what models do to them (spaces, case).
   */
  pattern: RegExp;
}

/** `<E0>`, `<E1>`, ...; found again as `< E 0 >`, `<e0>` too. */
export const DEFAULT_PLACEHOLDERS: PlaceholderStyle = {
  format: (i) => `<E${i}>`,
  pattern: /<\s*[Ee]\s*(\d+)\s*>/g,
};

/** A protected text. */
export interface Protected {
  text: string;
  /** Placeholder `i` stands for `units[i]`. */
  units: Unit[];
}

/**
 * Replaces every unit of `source` by its placeholder. Returns an error when some entity is blocked
 * (crossing or same-span outermost entities cannot be protected as one placeholder) or when the
 * text already contains something that looks like a placeholder.
 */
export function protect(
  source: string,
  structure: SentenceStructure,
  style: PlaceholderStyle = DEFAULT_PLACEHOLDERS,
): Protected | { error: string; code: string } {
  if (structure.blocked.length > 0) {
    return {
      code: 'blocked-entities',
      error: 'crossing or same-span entities cannot be protected by placeholders',
    };
  }
  if (new RegExp(style.pattern.source, style.pattern.flags).test(source)) {
    return { code: 'placeholder-in-text', error: 'the text already contains a placeholder-like string' };
  }
  let text = '';
  let at = 0;
  structure.units.forEach((u, i) => {
    text += source.slice(at, u.entity.start) + style.format(i);
    at = u.entity.end;
  });
  text += source.slice(at);
  return { text, units: structure.units };
}

/** Result of {@link restore}. */
export type Restored = { ok: true; joined: Joined } | { ok: false; code: string; message: string };

/**
 * Puts the mentions back into `output`. Every placeholder must occur exactly once; a missing,
 * repeated or unknown placeholder is an error (the candidate is dropped). Whitespace at both ends
 * of the output is trimmed.
 */
export function restore(
  output: string,
  structure: SentenceStructure,
  units: readonly Unit[],
  style: PlaceholderStyle = DEFAULT_PLACEHOLDERS,
): Restored {
  if (!style.pattern.global) throw new TypeError('restore: the placeholder pattern needs the g flag');
  const text = output.trim();
  const matches = [...text.matchAll(new RegExp(style.pattern.source, style.pattern.flags))];
  const seen = new Map<number, number>();
  for (const m of matches) {
    const i = Number(m[1]);
    if (!Number.isInteger(i) || i >= units.length) {
      return {
        ok: false,
        code: 'placeholder-unknown',
        message: `${m[0]} does not stand for any entity (${units.length} placeholders)`,
      };
    }
    seen.set(i, (seen.get(i) ?? 0) + 1);
  }
  for (let i = 0; i < units.length; i++) {
    const n = seen.get(i) ?? 0;
    if (n === 0)
      return {
        ok: false,
        code: 'placeholder-missing',
        message: `${style.format(i)} (${units[i]!.entity.text}) is missing from the output`,
      };
    if (n > 1)
      return {
        ok: false,
        code: 'placeholder-repeated',
        message: `${style.format(i)} (${units[i]!.entity.text}) occurs ${n} times in the output`,
      };
  }
  const pieces: Piece[] = [];
  let at = 0;
  for (const m of matches) {
    const i = Number(m[1]);
    pieces.push(textPiece(text.slice(at, m.index)), unitPiece(structure, units[i]!));
    at = m.index! + m[0].length;
  }
  pieces.push(textPiece(text.slice(at)));
  return { ok: true, joined: joinPieces(pieces) };
}
