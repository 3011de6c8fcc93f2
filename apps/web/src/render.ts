/**
 * HTML for the entity view (in the spirit of displaCy's): the text with each entity in a `<mark>`
 * coloured by type, its type label after it, and score and offsets in the tooltip; plus the legend.
 * Pure string functions (escaped), so they are tested without a DOM.
 */
import type { EntityType, Prediction } from '@nerima/core';

const PALETTE = [
  '#7aecec',
  '#bfeeb7',
  '#feca74',
  '#ff9561',
  '#aa9cfc',
  '#c887fb',
  '#9cc9cc',
  '#ffeb80',
  '#ff8197',
  '#f0d0ff',
  '#bfe1d9',
  '#e4e7d2',
  '#a5d8ff',
  '#ffc9c9',
  '#d8f5a2',
  '#eebefa',
];

/** A stable colour per type: its position in `types` (the legend order) picks from a palette. */
export function typeColour(type: EntityType, types: readonly EntityType[]): string {
  const i = types.indexOf(type);
  if (i >= 0) return PALETTE[i % PALETTE.length]!;
  let h = 0;
  for (let k = 0; k < type.length; k++) h = (h * 31 + type.charCodeAt(k)) >>> 0;
  return PALETTE[h % PALETTE.length]!;
}

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * Entities that can be drawn inline: sorted by start, and of overlapping ones only the first
 * (longest at a tie) is kept. Returns the drawn ones and the hidden ones.
 */
export function inlineEntities<E extends { start: number; end: number }>(
  entities: readonly E[],
): { shown: E[]; hidden: E[] } {
  const sorted = [...entities].sort((a, b) => a.start - b.start || b.end - a.end);
  const shown: E[] = [];
  const hidden: E[] = [];
  let end = 0;
  for (const e of sorted) {
    if (e.start >= end) {
      shown.push(e);
      end = e.end;
    } else hidden.push(e);
  }
  return { shown, hidden };
}

/** Options of {@link entitiesHtml}. */
export interface EntitiesHtmlOptions {
  /** Legend order (colours); types not in it get a hashed colour. */
  types: readonly EntityType[];
  /** Offset of `text` in the whole input (the tooltip and `data-start` show whole-input offsets). */
  offset?: number;
  /** Entity keys (`start:end:type`, whole-input offsets) to mark as new (class `changed`). */
  changed?: ReadonlySet<string>;
}

/** The key {@link EntitiesHtmlOptions.changed} uses. */
export function entityKey(e: { start: number; end: number; type: EntityType }): string {
  return `${e.start}:${e.end}:${e.type}`;
}

/**
 * `text` as HTML with its entities marked: `<mark class="ent" data-type data-start data-end
 * data-score title="TYPE · score 0.93 · [12, 15)">surface<span class="ent-label">TYPE</span></mark>`.
 * Offsets in `entities` are relative to `text`; `offset` shifts the displayed ones.
 */
export function entitiesHtml(
  text: string,
  entities: readonly (Prediction | (Omit<Prediction, 'score' | 'text'> & { score?: number }))[],
  options: EntitiesHtmlOptions,
): string {
  const off = options.offset ?? 0;
  const { shown } = inlineEntities(entities);
  let html = '';
  let at = 0;
  for (const e of shown) {
    html += escapeHtml(text.slice(at, e.start));
    const start = e.start + off;
    const end = e.end + off;
    const score = typeof e.score === 'number' ? e.score : undefined;
    const title = `${e.type} · ${score === undefined ? 'labelled' : `score ${score.toFixed(3)}`} · [${start}, ${end})`;
    const cls = options.changed?.has(entityKey({ start, end, type: e.type })) ? 'ent changed' : 'ent';
    html +=
      `<mark class="${cls}" style="background:${typeColour(e.type, options.types)}" data-type="${escapeHtml(e.type)}"` +
      ` data-start="${start}" data-end="${end}"${score === undefined ? '' : ` data-score="${score.toFixed(4)}"`}` +
      ` title="${escapeHtml(title)}">${escapeHtml(text.slice(e.start, e.end))}` +
      `<span class="ent-label">${escapeHtml(e.type)}</span></mark>`;
    at = e.end;
  }
  return html + escapeHtml(text.slice(at));
}

/** The legend: one coloured chip per type, with counts when given. */
export function legendHtml(types: readonly EntityType[], counts?: ReadonlyMap<EntityType, number>): string {
  return types
    .map((t) => {
      const n = counts?.get(t);
      return (
        `<span class="chip" data-type="${escapeHtml(t)}" style="background:${typeColour(t, types)}">` +
        `${escapeHtml(t)}${n === undefined ? '' : ` <small>${n}</small>`}</span>`
      );
    })
    .join(' ');
}
