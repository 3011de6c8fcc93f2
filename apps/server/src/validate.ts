/**
 * Checks that JSON schema cannot express: UTF-16 lengths against the limits, offsets inside the
 * text, surrogate pairs, requested types that have no example. Each failure names the field.
 */
import type { Entity, EntityType, Sentence } from '@nerima/core';
import { ApiError } from './errors.js';
import type { ServerLimits } from './limits.js';

/** Body of `POST /v1/entities` and `POST /v1/tasks/:id/entities` after schema validation. */
export interface EntitiesRequest {
  text?: string;
  texts?: string[];
}

/** A support sentence as sent: `id` and entity `text` are optional. */
export interface SentenceInput {
  id?: string;
  text: string;
  entities: Entity[];
}

/** Body of `POST /v1/tasks` after schema validation. */
export interface CreateTaskRequest {
  support: SentenceInput[];
  types?: string[];
}

/** The texts of an entities request, and whether it was a batch. */
export interface TextsInput {
  texts: string[];
  batch: boolean;
}

function checkLength(text: string, field: string, limits: ServerLimits): void {
  if (text.length > limits.maxTextLength) {
    throw new ApiError(
      413,
      'text_too_long',
      `${field} has ${text.length} UTF-16 code units; the limit is ${limits.maxTextLength} (limits.maxTextLength): split the text`,
      field,
    );
  }
}

/** Reads `{text}` or `{texts}` and applies the length and batch limits. */
export function textsOf(body: EntitiesRequest, limits: ServerLimits): TextsInput {
  const hasText = body.text !== undefined;
  const hasTexts = body.texts !== undefined;
  if (hasText === hasTexts) {
    throw new ApiError(
      400,
      'invalid_request',
      hasText ? 'give either text or texts, not both' : 'text is required (or texts, an array of strings)',
      'text',
    );
  }
  if (hasText) {
    checkLength(body.text!, 'text', limits);
    return { texts: [body.text!], batch: false };
  }
  const texts = body.texts!;
  if (texts.length > limits.maxBatchSize) {
    throw new ApiError(
      413,
      'batch_too_large',
      `texts has ${texts.length} items; the limit is ${limits.maxBatchSize} (limits.maxBatchSize): send several requests`,
      'texts',
    );
  }
  for (const [i, t] of texts.entries()) checkLength(t, `texts[${i}]`, limits);
  return { texts, batch: true };
}

/** Whether offset `i` falls between the two halves of a surrogate pair. */
function splitsPair(text: string, i: number): boolean {
  if (i <= 0 || i >= text.length) return false;
  const before = text.charCodeAt(i - 1);
  const after = text.charCodeAt(i);
  return before >= 0xd800 && before <= 0xdbff && after >= 0xdc00 && after <= 0xdfff;
}

function bad(field: string, detail: string): ApiError {
  return new ApiError(400, 'invalid_request', `${field} ${detail}`, field);
}

/** The validated support set and the types to learn (`undefined`: every type in the support). */
export interface ValidSupport {
  support: Sentence[];
  types: EntityType[] | undefined;
}

/**
 * Validates a support set: at least one sentence and one entity, offsets inside the text and not
 * splitting surrogate pairs, `end > start`, entity `text` equal to the slice, each requested type
 * present at least once. Returns clean {@link Sentence}s (ids filled, entity text filled).
 * @throws ApiError 400 naming the field, or 413 for the size limits.
 */
export function validateSupport(body: CreateTaskRequest, limits: ServerLimits): ValidSupport {
  const { support, types } = body;
  if (support.length === 0) throw bad('support', 'is empty: give at least one labelled sentence');
  if (support.length > limits.maxSupportSentences) {
    throw new ApiError(
      413,
      'support_too_large',
      `support has ${support.length} sentences; the limit is ${limits.maxSupportSentences} (limits.maxSupportSentences)`,
      'support',
    );
  }
  const seenTypes = new Set<string>();
  const clean: Sentence[] = support.map((s, i) => {
    const f = `support[${i}]`;
    checkLength(s.text, `${f}.text`, limits);
    const entities = s.entities.map((e, j): Entity => {
      const ef = `${f}.entities[${j}]`;
      if (e.end <= e.start) throw bad(`${ef}.end`, `(${e.end}) must be greater than start (${e.start})`);
      if (e.end > s.text.length) {
        throw bad(`${ef}.end`, `(${e.end}) is beyond the text length (${s.text.length} UTF-16 code units)`);
      }
      for (const [name, pos] of [
        ['start', e.start],
        ['end', e.end],
      ] as const) {
        if (splitsPair(s.text, pos)) {
          throw bad(
            `${ef}.${name}`,
            `(${pos}) splits a surrogate pair; offsets are UTF-16 code units, not bytes`,
          );
        }
      }
      const surface = s.text.slice(e.start, e.end);
      if (e.text !== undefined && e.text !== surface) {
        throw bad(
          `${ef}.text`,
          `${JSON.stringify(e.text)} does not match text.slice(${e.start}, ${e.end}) = ${JSON.stringify(surface)}`,
        );
      }
      seenTypes.add(e.type);
      return { start: e.start, end: e.end, type: e.type, text: surface };
    });
    return { id: s.id ?? `s${i}`, text: s.text, entities };
  });
  if (seenTypes.size === 0) throw bad('support', 'has no entities: label at least one mention');
  if (types !== undefined) {
    if (types.length === 0) throw bad('types', 'is empty: omit it to learn every type in the support set');
    const seen = new Set<string>();
    types.forEach((t, i) => {
      if (seen.has(t)) throw bad(`types[${i}]`, `${JSON.stringify(t)} is listed twice`);
      seen.add(t);
      if (!seenTypes.has(t)) {
        throw bad(
          `types[${i}]`,
          `${JSON.stringify(t)} has no example in support (types there: ${[...seenTypes].join(', ')}); label at least one mention or remove it`,
        );
      }
    });
  }
  return { support: clean, types };
}
