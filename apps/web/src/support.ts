/**
 * The support set the page builds from a person's selections, its checks, and the difference
 * between two taggings (pure functions; `Sentence` of @nerima/core, UTF-16 offsets).
 */
import type { Entity, EntityType, Prediction, Sentence } from '@nerima/core';

/** A type name the page accepts: letters, digits, `_` or `-`, Japanese allowed, 1–40 characters. */
const TYPE_NAME = /^[\p{L}\p{N}_-]{1,40}$/u;

/** Checks a new or existing type name; returns a message when it is not usable. */
export function typeNameProblem(name: string): string | null {
  if (name.trim().length === 0) return 'Type a name for the entity type first (e.g. DISH or 料理).';
  if (!TYPE_NAME.test(name.trim())) {
    return `"${name}" is not a usable type name: use letters, digits, _ or - (1–40 characters, no spaces).`;
  }
  return null;
}

/** The result of {@link labelSelection}: the updated sentence, or why the label was refused. */
export type LabelResult =
  | { ok: true; sentence: Sentence; replaced?: Entity }
  | { ok: false; message: string };

/**
 * Labels `[start, end)` of `sentence` with `type`. The selection must be inside the sentence and
 * not empty or whitespace-only; one that covers exactly an existing entity relabels it; one that
 * overlaps an existing entity partly (crosses it) or contains or sits inside one is refused with
 * a message naming that entity.
 */
export function labelSelection(
  sentence: Sentence,
  start: number,
  end: number,
  type: EntityType,
): LabelResult {
  if (!(start < end))
    return { ok: false, message: 'Select the words to label first (the selection is empty).' };
  if (start < 0 || end > sentence.text.length) {
    return {
      ok: false,
      message: 'The selection must lie inside one sentence: select within a single sentence.',
    };
  }
  const piece = sentence.text.slice(start, end);
  if (piece.trim().length === 0) return { ok: false, message: 'The selection is only whitespace.' };
  if (piece.trim() !== piece) {
    return {
      ok: false,
      message: `The selection "${piece}" begins or ends with whitespace: select just the name.`,
    };
  }
  const same = sentence.entities.find((e) => e.start === start && e.end === end);
  if (same) {
    const entities = sentence.entities.map((e) => (e === same ? { start, end, type } : e));
    return { ok: true, sentence: { ...sentence, entities }, replaced: same };
  }
  const clash = sentence.entities.find((e) => e.start < end && start < e.end);
  if (clash) {
    const what = `"${sentence.text.slice(clash.start, clash.end)}" (${clash.type})`;
    return {
      ok: false,
      message:
        `The selection "${piece}" overlaps the entity ${what}. Select exactly that entity to change its type, ` +
        'or select text outside it.',
    };
  }
  const entities = [...sentence.entities, { start, end, type }].sort(
    (a, b) => a.start - b.start || a.end - b.end,
  );
  return { ok: true, sentence: { ...sentence, entities } };
}

/** Mentions per type of a support set, in first-seen order. */
export function typeCounts(support: readonly Sentence[]): Map<EntityType, number> {
  const counts = new Map<EntityType, number>();
  for (const s of support) for (const e of s.entities) counts.set(e.type, (counts.get(e.type) ?? 0) + 1);
  return counts;
}

/** Why the support set cannot be adapted to, or `null`. */
export function supportProblem(support: readonly Sentence[]): string | null {
  const counts = typeCounts(support);
  if (counts.size === 0)
    return 'The support set has no labelled entity: select a name in the text and label it.';
  if (counts.size === 1) {
    const [type] = counts.keys();
    return (
      `The support set has only one type (${type}): the model learns types by telling them apart, so label ` +
      'examples of at least one other type too (or keep the built-in examples).'
    );
  }
  return null;
}

/** Entities present after but not before, before but not after, and retyped (same span). */
export interface EntityDiff {
  added: Prediction[];
  removed: Prediction[];
  retyped: { before: Prediction; after: Prediction }[];
}

const key = (e: { start: number; end: number }) => `${e.start}:${e.end}`;

/** What changed between two taggings of one text. */
export function diffEntities(before: readonly Prediction[], after: readonly Prediction[]): EntityDiff {
  const old = new Map(before.map((e) => [key(e), e]));
  const now = new Map(after.map((e) => [key(e), e]));
  const out: EntityDiff = { added: [], removed: [], retyped: [] };
  for (const e of after) {
    const b = old.get(key(e));
    if (!b) out.added.push(e);
    else if (b.type !== e.type) out.retyped.push({ before: b, after: e });
  }
  for (const e of before) if (!now.has(key(e))) out.removed.push(e);
  return out;
}

/** One JSON object per line (our `Sentence` JSONL), ending with a newline. */
export function toJsonl(rows: readonly Sentence[]): string {
  return rows
    .map((s) =>
      JSON.stringify({
        id: s.id,
        text: s.text,
        entities: s.entities.map((e) => ({ start: e.start, end: e.end, type: e.type })),
      }),
    )
    .join('\n')
    .concat(rows.length > 0 ? '\n' : '');
}
