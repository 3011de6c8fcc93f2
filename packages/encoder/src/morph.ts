/**
 * kuromoji.js tokenisation (see ./morphology.ts) plus the Node.js default dictionary folder.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { type KuromojiTokenizer, loadKuromoji as loadFrom } from './morphology.js';

export { alignTokens, type Morpheme, Morphology } from './morphology.js';

/** The IPADIC folder shipped inside the kuromoji npm package. */
export function defaultDictPath(): string {
  const require = createRequire(import.meta.url);
  return path.join(path.dirname(require.resolve('kuromoji/package.json')), 'dict');
}

/** Loads (once per process and folder) the kuromoji tokenizer. */
export function loadKuromoji(dictPath: string = defaultDictPath()): Promise<KuromojiTokenizer> {
  return loadFrom(dictPath);
}
