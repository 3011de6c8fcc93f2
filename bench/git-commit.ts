/** The commit a benchmark ran at, for its results file: short sha, `+dirty` with uncommitted changes. */
import { execSync } from 'node:child_process';
import path from 'node:path';

const repoRoot = path.resolve(import.meta.dirname, '..');

/** `abc1234`, `abc1234+dirty`, or `unknown` outside a git checkout. */
export function gitCommit(): string {
  try {
    const sha = execSync('git rev-parse --short HEAD', { cwd: repoRoot }).toString().trim();
    const dirty = execSync('git status --porcelain', { cwd: repoRoot }).toString().trim() !== '';
    return dirty ? `${sha}+dirty` : sha;
  } catch {
    return 'unknown';
  }
}
