/**
 * The upstream Stockmark Wikipedia NER file (`ner.json` of stockmarkteam/ner-wikipedia-dataset):
 * a JSON array of `{ curid, text, entities: [{ name, span: [start, end], type }] }` with Japanese
 * type names.
 */
import { readFile } from 'node:fs/promises';
import type { Entity, EntityType } from '../types.js';
import { type ReadOptions, type ReadResult, SentenceCollector } from '../validate/collect.js';
import { type Issue, makeIssue, showValue } from '../validate/issue.js';

/** Stockmark's Japanese type names → the type codes used in `shared/data/stockmark`. */
export const STOCKMARK_TYPE_MAP: Readonly<Record<string, EntityType>> = Object.freeze({
  人名: 'PERSON',
  法人名: 'CORPORATION',
  政治的組織名: 'POLITICAL_ORG',
  その他の組織名: 'OTHER_ORG',
  地名: 'LOCATION',
  施設名: 'FACILITY',
  製品名: 'PRODUCT',
  イベント名: 'EVENT',
});

/**
 * Maps code-point offsets of `text` to UTF-16 offsets. Returns `null` when the text has no astral
 * characters (then both kinds of offsets are equal).
 */
export function codePointToUtf16Offsets(text: string): number[] | null {
  if (!/[\uD800-\uDBFF][\uDC00-\uDFFF]/.test(text)) return null;
  const map: number[] = [];
  let u = 0;
  for (const ch of text) {
    map.push(u);
    u += ch.length;
  }
  map.push(u);
  return map;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Converts parsed (or raw string) `ner.json` content into validated sentences. Ids are
 * `stockmark-<curid>-<k>` with `k` the index of the record among those with the same `curid`, in
 * file order (the same ids as `shared/data/stockmark`). Issues name the 1-based record number.
 *
 * Upstream spans are Python string indices, i.e. code points. When a text contains astral
 * characters (outside the BMP, e.g. 𠮷) they are converted to UTF-16 offsets here; for BMP-only
 * texts (the whole upstream file at the pinned commit) the two are equal.
 */
export function parseStockmarkNer(
  input: string | unknown,
  fileName = 'ner.json',
  options: ReadOptions = {},
): ReadResult {
  let data: unknown = input;
  if (typeof input === 'string') {
    try {
      data = JSON.parse(input);
    } catch (e) {
      const c = new SentenceCollector(fileName, options, true);
      c.report([makeIssue({ file: fileName, line: 0 }, '', `invalid JSON (${(e as Error).message})`)]);
      return c.finish();
    }
  }
  const c = new SentenceCollector(fileName, options, true);
  if (!Array.isArray(data)) {
    c.report([
      makeIssue({ file: fileName, line: 0 }, '', 'expected a JSON array of {curid, text, entities} records'),
    ]);
    return c.finish();
  }
  const perPage = new Map<string, number>();
  data.forEach((rec, i) => {
    const loc = { file: fileName, line: i + 1, record: true };
    const issues: Issue[] = [];
    const err = (field: string, detail: string, v?: unknown) => issues.push(makeIssue(loc, field, detail, v));
    if (!isObject(rec)) {
      err('', `the record must be an object {curid, text, entities}, got ${showValue(rec)}`, rec);
      c.countBadRow();
      c.report(issues);
      return;
    }
    const curid = rec['curid'];
    let id: string | undefined;
    if (typeof curid === 'string' || typeof curid === 'number') {
      const key = String(curid);
      const k = perPage.get(key) ?? 0;
      perPage.set(key, k + 1);
      id = `stockmark-${key}-${k}`;
    } else {
      err('curid', `curid must be a string or number, got ${showValue(curid)}`, curid);
      id = `stockmark-?-${i}`; // the row is invalid anyway; avoids a second "id is missing" issue
    }
    const text = rec['text'];
    const map = typeof text === 'string' ? codePointToUtf16Offsets(text) : null;
    const raw = rec['entities'];
    const entities: unknown[] = [];
    if (Array.isArray(raw)) {
      raw.forEach((e, j) => {
        const f = `entities[${j}]`;
        if (!isObject(e)) {
          entities.push(e); // validateSentence reports it
          return;
        }
        const span = e['span'];
        const jaType = e['type'];
        let type: unknown = jaType;
        if (typeof jaType === 'string') {
          const mapped = STOCKMARK_TYPE_MAP[jaType];
          if (mapped) type = mapped;
          else {
            err(
              `${f}.type`,
              `${f}.type ${showValue(jaType)} is not a Stockmark type (${Object.keys(STOCKMARK_TYPE_MAP).join(', ')})`,
              jaType,
            );
          }
        }
        if (!Array.isArray(span) || span.length !== 2) {
          err(`${f}.span`, `${f}.span must be [start, end], got ${showValue(span)}`, span);
          return;
        }
        let [start, end] = span as [unknown, unknown];
        if (map && Number.isInteger(start) && Number.isInteger(end)) {
          const s = map[start as number];
          const t = map[end as number];
          if (s !== undefined && t !== undefined) {
            start = s;
            end = t;
          }
        }
        const ent: Record<string, unknown> = { start, end, type };
        if (e['name'] !== undefined) ent['text'] = e['name'];
        entities.push(ent as unknown as Entity);
      });
    }
    c.add({ id, text, entities: Array.isArray(raw) ? entities : raw }, i + 1, issues);
  });
  return c.finish();
}

/** Reads an upstream Stockmark `ner.json` file (see {@link parseStockmarkNer}). */
export async function readStockmarkNer(path: string, options: ReadOptions = {}): Promise<ReadResult> {
  return parseStockmarkNer(await readFile(path, 'utf8'), path, options);
}
