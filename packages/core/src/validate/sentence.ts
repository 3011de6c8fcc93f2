/** Checks one `{id, text, entities}` record and normalises valid ones into a {@link Sentence}. */
import type { Entity, Sentence } from '../types.js';
import { type Issue, type Location, makeIssue, showValue } from './issue.js';

/** What {@link validateSentence} needs besides the record. */
export interface ValidationContext extends Location {
  /** Allowed entity types (e.g. from `types.json`); any type is allowed when absent. */
  types?: ReadonlySet<string>;
  /**
   * Ids already accepted, mapped to the line they came from. A valid record's id is added, so pass
   * the same map for every row of a file to detect duplicates. Invalid rows do not claim their id.
   */
  seenIds?: Map<string, number>;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

const isHigh = (c: number) => c >= 0xd800 && c <= 0xdbff;
const isLow = (c: number) => c >= 0xdc00 && c <= 0xdfff;

/** True when UTF-16 offset `i` falls between the two halves of a surrogate pair in `text`. */
export function splitsSurrogatePair(text: string, i: number): boolean {
  return i > 0 && i < text.length && isHigh(text.charCodeAt(i - 1)) && isLow(text.charCodeAt(i));
}

function describePair(text: string, i: number): string {
  const cp = text.codePointAt(i - 1) ?? 0;
  return `U+${cp.toString(16).toUpperCase().padStart(4, '0')} "${text.slice(i - 1, i + 1)}" at ${i - 1}-${i + 1}`;
}

/**
 * Checks a parsed JSONL record against the sentence format: `id` a non-empty string, `text` a
 * string, `entities` an array of `{start, end, type, text?}` with integer UTF-16 offsets,
 * `0 <= start < end <= text.length`, no offset inside a surrogate pair, `text.slice(start, end)`
 * equal to the entity's `text` when given, `type` in `ctx.types` when given, and the id not already
 * in `ctx.seenIds`. Returns every problem found (empty when the record is valid); extra fields are
 * allowed and ignored.
 * @example
 * validateSentence({ id: 'a', text: 'abc', entities: [{ start: 1, end: 5, type: 'X' }] },
 *   { file: 'train.jsonl', line: 17 })[0].message
 * // 'train.jsonl:17: entities[0].end (5) is beyond text length (3)'
 */
export function validateSentence(value: unknown, ctx: ValidationContext): Issue[] {
  const issues: Issue[] = [];
  const err = (field: string, detail: string, v?: unknown) => issues.push(makeIssue(ctx, field, detail, v));
  if (!isObject(value)) {
    err('', `the row must be a JSON object {"id", "text", "entities"}, got ${typeName(value)}`, value);
    return issues;
  }
  const { id, text, entities } = value;
  if (id === undefined) err('id', 'id is missing (every sentence needs a unique string id)');
  else if (typeof id !== 'string' || id === '') {
    err('id', `id must be a non-empty string, got ${typeName(id)} ${showValue(id)}`, id);
  }
  const textOk = typeof text === 'string';
  if (text === undefined) err('text', 'text is missing');
  else if (!textOk) err('text', `text must be a string, got ${typeName(text)}`, text);
  if (entities === undefined) err('entities', 'entities is missing (use [] for a sentence without entities)');
  else if (!Array.isArray(entities)) {
    err('entities', `entities must be an array, got ${typeName(entities)}`, entities);
  } else {
    entities.forEach((e, i) => {
      checkEntity(e, i, textOk ? (text as string) : null, ctx, err);
    });
  }
  if (issues.length === 0 && ctx.seenIds && typeof id === 'string') {
    const first = ctx.seenIds.get(id);
    if (first !== undefined) {
      err('id', `id ${showValue(id)} duplicates the id on ${ctx.record ? 'record' : 'line'} ${first}`, id);
    } else ctx.seenIds.set(id, ctx.line);
  }
  return issues;
}

function checkEntity(
  e: unknown,
  i: number,
  text: string | null,
  ctx: ValidationContext,
  err: (field: string, detail: string, v?: unknown) => void,
): void {
  const f = `entities[${i}]`;
  if (!isObject(e)) {
    err(f, `${f} must be an object {"start", "end", "type"}, got ${typeName(e)}`, e);
    return;
  }
  const offsetOk = (name: 'start' | 'end'): boolean => {
    const v = e[name];
    if (v === undefined) {
      err(`${f}.${name}`, `${f}.${name} is missing`);
      return false;
    }
    if (typeof v !== 'number' || !Number.isInteger(v)) {
      err(`${f}.${name}`, `${f}.${name} must be an integer UTF-16 offset, got ${showValue(v)}`, v);
      return false;
    }
    return true;
  };
  const startOk = offsetOk('start');
  const endOk = offsetOk('end');
  const start = e['start'] as number;
  const end = e['end'] as number;
  let rangeOk = startOk && endOk;
  if (startOk && start < 0) {
    err(`${f}.start`, `${f}.start (${start}) is negative`, start);
    rangeOk = false;
  }
  if (text !== null && endOk && end > text.length) {
    err(`${f}.end`, `${f}.end (${end}) is beyond text length (${text.length})`, end);
    rangeOk = false;
  }
  if (startOk && endOk && end <= start) {
    err(`${f}.end`, `${f}.end (${end}) must be greater than start (${start})`, end);
    rangeOk = false;
  }
  if (text !== null && rangeOk) {
    for (const [name, pos] of [
      ['start', start],
      ['end', end],
    ] as const) {
      if (splitsSurrogatePair(text, pos)) {
        err(
          `${f}.${name}`,
          `${f}.${name} (${pos}) splits a surrogate pair (${describePair(text, pos)}); offsets are UTF-16 code units, not bytes or code points`,
          pos,
        );
        rangeOk = false;
      }
    }
  }
  const type = e['type'];
  if (type === undefined) err(`${f}.type`, `${f}.type is missing`);
  else if (typeof type !== 'string' || type === '') {
    err(`${f}.type`, `${f}.type must be a non-empty string, got ${showValue(type)}`, type);
  } else if (ctx.types && !ctx.types.has(type)) {
    const known = [...ctx.types].join(', ');
    err(`${f}.type`, `${f}.type ${showValue(type)} is not a known type (known: ${known})`, type);
  }
  const surface = e['text'];
  if (surface !== undefined) {
    if (typeof surface !== 'string') {
      err(`${f}.text`, `${f}.text must be a string, got ${typeName(surface)}`, surface);
    } else if (text !== null && rangeOk && text.slice(start, end) !== surface) {
      err(
        `${f}.text`,
        `${f}.text ${showValue(surface)} does not match text.slice(${start}, ${end}) ${showValue(text.slice(start, end))}`,
        surface,
      );
    }
  }
}

/**
 * A clean copy of a record that passed {@link validateSentence}: only `id`, `text` and `entities`
 * with `{start, end, type, text}` (surface text filled in). Entity order is kept.
 */
export function normalizeSentence(s: Sentence): Sentence {
  return {
    id: s.id,
    text: s.text,
    entities: s.entities.map(
      (e): Entity => ({ start: e.start, end: e.end, type: e.type, text: s.text.slice(e.start, e.end) }),
    ),
  };
}
