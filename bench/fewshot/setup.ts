/** What the few-shot benchmarks share: paths, the commit they ran at, the repository encoder. */
import { execSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { enc } from './resolve.js';

export const repoRoot = path.resolve(import.meta.dirname, '../..');
export const dataRoot = process.env['NERIMA_DATA'] ?? path.resolve(repoRoot, '../shared/data');
export const kbPath = path.join(dataRoot, 'kb/entities.jsonl');

/** The short commit, with `+dirty` when the working tree has changes; `unknown` outside git. */
export function gitCommit(): string {
  try {
    const sha = execSync('git rev-parse --short HEAD', { cwd: repoRoot }).toString().trim();
    const dirty = execSync('git status --porcelain', { cwd: repoRoot }).toString().trim() !== '';
    return dirty ? `${sha}+dirty` : sha;
  } catch {
    return 'unknown';
  }
}

/** The shipped encoder (`models/encoder/encoder.bin`), with KB gazetteer features when the KB is there. */
export function loadRepoEncoder() {
  return enc.createEncoder({
    from: path.join(repoRoot, 'models/encoder/encoder.bin'),
    gazetteer: existsSync(kbPath) ? { kbPath } : false,
  });
}
