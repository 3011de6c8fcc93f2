/** Entity type inventories (`types.json`). */
import { readFile } from 'node:fs/promises';
import type { EntityType } from '../types.js';

/** One entity type from a `types.json` file. */
export interface TypeInfo {
  code: EntityType;
  /** Original (e.g. Japanese) type name, when the file gives one. */
  ja?: string;
  description?: string;
  /** Any other fields of the file's entry. */
  [key: string]: unknown;
}

/** The types of a data set, in file order. */
export interface TypeInventory {
  codes: EntityType[];
  byCode: Record<EntityType, TypeInfo>;
}

/**
 * Builds a {@link TypeInventory} from parsed `types.json` content: either an object
 * `{ "PERSON": { "ja": "人名", "description": "..." }, ... }` (the shared data format) or an array of
 * type codes `["PERSON", ...]`.
 */
export function parseTypes(value: unknown, file = '<types>'): TypeInventory {
  const codes: string[] = [];
  const byCode: Record<string, TypeInfo> = {};
  const add = (code: unknown, info: Record<string, unknown>) => {
    if (typeof code !== 'string' || code === '') {
      throw new TypeError(`${file}: type codes must be non-empty strings, got ${JSON.stringify(code)}`);
    }
    if (byCode[code]) throw new TypeError(`${file}: type ${code} is listed twice`);
    codes.push(code);
    byCode[code] = { ...info, code };
  };
  if (Array.isArray(value)) {
    for (const code of value) add(code, {});
  } else if (typeof value === 'object' && value !== null) {
    for (const [code, info] of Object.entries(value)) {
      add(
        code,
        typeof info === 'object' && info !== null && !Array.isArray(info)
          ? (info as Record<string, unknown>)
          : {},
      );
    }
  } else {
    throw new TypeError(`${file}: expected an object {"TYPE": {...}} or an array of type codes`);
  }
  if (codes.length === 0) throw new TypeError(`${file}: no types listed`);
  return { codes, byCode };
}

/**
 * Reads a `types.json` file.
 * @example const { codes } = await loadTypes('../shared/data/stockmark/types.json');
 */
export async function loadTypes(path: string): Promise<TypeInventory> {
  const text = await readFile(path, 'utf8');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new TypeError(`${path}: invalid JSON (${(e as Error).message})`);
  }
  return parseTypes(value, path);
}
