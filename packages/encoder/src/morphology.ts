/**
 * kuromoji.js (IPADIC) tokenisation mapped back to UTF-16 offsets, with no Node.js import at load
 * time (browsers pass `dictPath`, a URL folder; Node.js defaults to the installed package's `dict/`).
 *
 * The dictionary loads once per process and path (a module-level promise cache). kuromoji's
 * `word_position` counts code points (an astral character counts once), so offsets are computed here
 * by walking the surface forms over the text in UTF-16 code units instead.
 */
import kuromoji from 'kuromoji';
import { LruCache } from './lru.js';

/** One morpheme with UTF-16 offsets into the tokenised text. */
export interface Morpheme {
  start: number;
  end: number;
  surface: string;
  /** Base (dictionary) form, or the surface when the dictionary has none (`*`). */
  base: string;
  /** `pos,pos_detail_1,pos_detail_2` (e.g. `名詞,固有名詞,人名`). */
  pos: string;
  /** True for words found in the dictionary, false for unknown-word fallbacks. */
  known: boolean;
}

export type KuromojiTokenizer = kuromoji.Tokenizer<kuromoji.IpadicFeatures>;

/** The IPADIC folder inside the installed kuromoji package (Node.js only; loaded on demand). */
async function installedDictPath(): Promise<string> {
  const isNode = typeof process !== 'undefined' && typeof process.versions?.node === 'string';
  if (!isNode) {
    throw new Error(
      'kuromoji: no dictionary folder given; in a browser pass dictPath (the URL of a folder serving ' +
        'base.dat.gz, cc.dat.gz, ... as plain bytes, e.g. "/dict/")',
    );
  }
  const { createRequire } = await import('node:module');
  const path = await import('node:path');
  const require = createRequire(import.meta.url);
  return path.join(path.dirname(require.resolve('kuromoji/package.json')), 'dict');
}

const tokenizers = new Map<string, Promise<KuromojiTokenizer>>();

/** Loads (once per process and folder) the kuromoji tokenizer. */
export function loadKuromoji(dictPath: string): Promise<KuromojiTokenizer> {
  let p = tokenizers.get(dictPath);
  if (!p) {
    p = new Promise<KuromojiTokenizer>((resolve, reject) => {
      kuromoji.builder({ dicPath: dictPath }).build((err, tokenizer) => {
        if (err) {
          reject(
            new Error(
              `kuromoji: cannot load the dictionary from ${dictPath}: ${err.message}. ` +
                'Pass morph.dictPath pointing at a folder with base.dat.gz, cc.dat.gz, ...',
            ),
          );
        } else resolve(tokenizer);
      });
    });
    p.catch(() => tokenizers.delete(dictPath));
    tokenizers.set(dictPath, p);
  }
  return p;
}

/** Tokenises texts with kuromoji, caching repeated texts in a bounded LRU. */
export class Morphology {
  private readonly cache: LruCache<string, Morpheme[]>;
  private constructor(
    private readonly tokenizer: KuromojiTokenizer,
    cacheSize: number,
  ) {
    this.cache = new LruCache(cacheSize);
  }

  static async create(options: { dictPath?: string; cacheSize?: number } = {}): Promise<Morphology> {
    const tokenizer = await loadKuromoji(options.dictPath ?? (await installedDictPath()));
    return new Morphology(tokenizer, options.cacheSize ?? 20_000);
  }

  /** Morphemes of `text` with offsets; they tile the text exactly (no gaps, no overlaps). */
  tokenize(text: string): Morpheme[] {
    const hit = this.cache.get(text);
    if (hit) return hit;
    const out = alignTokens(text, text.length === 0 ? [] : this.tokenizer.tokenize(text));
    this.cache.set(text, out);
    return out;
  }
}

/** Maps kuromoji tokens to UTF-16 offsets by walking their surface forms. Exported for tests. */
export function alignTokens(text: string, tokens: readonly kuromoji.IpadicFeatures[]): Morpheme[] {
  const out: Morpheme[] = [];
  let cursor = 0;
  for (const t of tokens) {
    const surface = t.surface_form;
    let start = cursor;
    if (!text.startsWith(surface, cursor)) {
      const found = text.indexOf(surface, cursor);
      if (found < 0) continue; // cannot happen with kuromoji; skip rather than corrupt offsets
      // A gap (kuromoji never drops characters, but be safe): give it its own unknown morpheme.
      out.push({
        start: cursor,
        end: found,
        surface: text.slice(cursor, found),
        base: '',
        pos: '*,*,*',
        known: false,
      });
      start = found;
    }
    const end = start + surface.length;
    const base = t.basic_form && t.basic_form !== '*' ? t.basic_form : surface;
    out.push({
      start,
      end,
      surface,
      base,
      pos: `${t.pos},${t.pos_detail_1},${t.pos_detail_2}`,
      known: t.word_type === 'KNOWN',
    });
    cursor = end;
  }
  if (cursor < text.length) {
    out.push({
      start: cursor,
      end: text.length,
      surface: text.slice(cursor),
      base: '',
      pos: '*,*,*',
      known: false,
    });
  }
  return out;
}
