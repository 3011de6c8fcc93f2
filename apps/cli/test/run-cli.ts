/**
 * Runs the CLI as a child process from source (node --import tsx, @nerima/source condition), the
 * way `pnpm nerima` runs it. Shared by the CLI's process tests.
 */
import { type ChildProcessWithoutNullStreams, execFile, spawn } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const mainTs = join(repoRoot, 'apps/cli/src/main.ts');
const nodeArgs = ['--import', 'tsx', '--conditions=@nerima/source', mainTs];

export interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs `nerima ...args` to the end; `input` is written to its stdin (which is closed either way);
 * `env` is added to the environment.
 */
export function nerima(
  args: readonly string[],
  options: { input?: string; env?: Record<string, string> } = {},
): Promise<Result> {
  return new Promise((done) => {
    const child = execFile(
      process.execPath,
      [...nodeArgs, ...args],
      {
        cwd: repoRoot,
        env: { ...process.env, NO_COLOR: '1', ...options.env },
        timeout: 120_000,
        maxBuffer: 64 << 20,
      },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        done({ code, stdout, stderr });
      },
    );
    child.stdin?.end(options.input ?? '');
  });
}

/** Starts `nerima ...args` without waiting for it (for `serve`). */
export function startNerima(args: readonly string[]): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, [...nodeArgs, ...args], {
    cwd: repoRoot,
    env: { ...process.env, NO_COLOR: '1' },
  });
}

/** No JavaScript stack frames leak into user-facing errors. */
export function expectNoStack(r: Result): void {
  expect(r.stderr).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
}
