/**
 * Gazetteer features from the entity KB (`{ja, en, zh?, type}` JSON lines).
 *
 * Japanese names (NFKC per character, length ≥ minLength) go into a code-unit trie. For every start
 * position and every type, the LONGEST name of that type starting there is taken; the feature for a
 * character is a multi-hot over `type × {B, I}` (B = the match starts here, I = inside a match).
 */
import { normalizeWithOffsets } from './normalize.js';

/** KB types, in feature order. */
export const GAZETTEER_TYPES = [
  'PERSON',
  'CORPORATION',
  'ORGANIZATION',
  'LOCATION',
  'FACILITY',
  'PRODUCT',
  'LANGUAGE',
] as const;

/** Features per character: B and I per type. */
export const GAZETTEER_FEATURES = GAZETTEER_TYPES.length * 2;

interface TrieNode {
  next: Map<number, TrieNode>;
  /** Bit i set when a name of GAZETTEER_TYPES[i] ends here. */
  types: number;
}

export interface GazetteerEntry {
  ja: string;
  type: string;
}

/** One KB row (`../shared/data/kb/entities.jsonl`): name, type and, where the KB has one, subtype. */
export interface KbEntry extends GazetteerEntry {
  subtype?: string;
}

/** Reads a KB file (JSON lines with string `ja` and `type`, optional `subtype`); errors name file:line. */
export async function readKbEntries(path: string): Promise<KbEntry[]> {
  let raw: string;
  try {
    const { readFile } = await import('node:fs/promises'); // Node.js only; loaded on demand
    raw = await readFile(path, 'utf8');
  } catch (err) {
    throw new Error(
      `gazetteer: cannot read the KB at ${path} (${(err as Error).message}). ` +
        'Pass gazetteer.kbPath pointing at entities.jsonl (e.g. ../shared/data/kb/entities.jsonl).',
    );
  }
  const entries: KbEntry[] = [];
  const lines = raw.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (!line) continue;
    let obj: { ja?: unknown; type?: unknown; subtype?: unknown };
    try {
      obj = JSON.parse(line);
    } catch (err) {
      throw new Error(`${path}:${i + 1}: invalid JSON (${(err as Error).message})`);
    }
    if (typeof obj.ja !== 'string' || typeof obj.type !== 'string') {
      throw new Error(`${path}:${i + 1}: field ja/type: expected strings`);
    }
    entries.push({
      ja: obj.ja,
      type: obj.type,
      ...(typeof obj.subtype === 'string' ? { subtype: obj.subtype } : {}),
    });
  }
  return entries;
}

export class Gazetteer {
  private readonly root: TrieNode = { next: new Map(), types: 0 };
  /** Number of distinct (name, type) pairs inserted. */
  size = 0;

  constructor(
    entries: Iterable<GazetteerEntry>,
    readonly minLength = 2,
    readonly maxLength = 32,
  ) {
    for (const e of entries) this.add(e.ja, e.type);
  }

  /** Adds one name; unknown types and names outside [minLength, maxLength] are ignored. */
  add(name: string, type: string): void {
    const t = (GAZETTEER_TYPES as readonly string[]).indexOf(type);
    if (t < 0) return;
    const norm = normalizeWithOffsets(name).normalized;
    if (norm.length < this.minLength || norm.length > this.maxLength) return;
    let node = this.root;
    for (let i = 0; i < norm.length; i++) {
      const c = norm.charCodeAt(i);
      let child = node.next.get(c);
      if (!child) {
        child = { next: new Map(), types: 0 };
        node.next.set(c, child);
      }
      node = child;
    }
    if (!(node.types & (1 << t))) this.size++;
    node.types |= 1 << t;
  }

  /** Loads a KB file (JSON lines with `ja` and `type`). */
  static async load(
    path: string,
    options: { minLength?: number; maxLength?: number } = {},
  ): Promise<Gazetteer> {
    const entries = await readKbEntries(path);
    return new Gazetteer(
      entries.map((e) => ({ ja: e.ja, type: e.type })),
      options.minLength,
      options.maxLength,
    );
  }

  /**
   * Writes the features of `normalized` (a per-character-normalised text) into `out` at
   * `offset + pos * GAZETTEER_FEATURES + type * 2 + (0 for B, 1 for I)`.
   */
  features(normalized: string, out: Float32Array, offset = 0): void {
    const n = normalized.length;
    const F = GAZETTEER_FEATURES;
    for (let i = 0; i < n; i++) {
      let node: TrieNode | undefined = this.root;
      let remaining = (1 << GAZETTEER_TYPES.length) - 1;
      // Collect (end, types) of all matches from i, then keep the longest per type.
      const ends: number[] = [];
      const masks: number[] = [];
      for (let j = i; j < n && node; j++) {
        node = node.next.get(normalized.charCodeAt(j));
        if (node?.types) {
          ends.push(j + 1);
          masks.push(node.types);
        }
      }
      for (let k = ends.length - 1; k >= 0 && remaining; k--) {
        const m = masks[k]! & remaining;
        if (!m) continue;
        remaining &= ~m;
        const end = ends[k]!;
        for (let t = 0; t < GAZETTEER_TYPES.length; t++) {
          if (!(m & (1 << t))) continue;
          out[offset + i * F + t * 2] = 1;
          for (let p = i + 1; p < end; p++) out[offset + p * F + t * 2 + 1] = 1;
        }
      }
    }
  }
}

const cache = new Map<string, Promise<Gazetteer>>();

/** Loads a KB once per process and path. */
export function loadGazetteer(path: string): Promise<Gazetteer> {
  let p = cache.get(path);
  if (!p) {
    p = Gazetteer.load(path);
    p.catch(() => cache.delete(path));
    cache.set(path, p);
  }
  return p;
}
