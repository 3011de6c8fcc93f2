/** What the few-shot benchmarks share: paths, the commit they ran at, the repository encoder. */
export { gitCommit } from '../git-commit.js';

import { existsSync } from 'node:fs';
import path from 'node:path';
import { enc } from './resolve.js';

export const repoRoot = path.resolve(import.meta.dirname, '../..');
export const dataRoot = process.env['NERIMA_DATA'] ?? path.resolve(repoRoot, '../shared/data');
export const kbPath = path.join(dataRoot, 'kb/entities.jsonl');

/** The shipped encoder (`models/encoder/encoder.bin`), with KB gazetteer features when the KB is there. */
export function loadRepoEncoder() {
  return enc.createEncoder({
    from: path.join(repoRoot, 'models/encoder/encoder.bin'),
    gazetteer: existsSync(kbPath) ? { kbPath } : false,
  });
}
