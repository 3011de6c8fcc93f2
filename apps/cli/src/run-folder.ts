/**
 * Run folders are written whole or not at all: files go into a hidden temporary folder beside the
 * target, which is renamed into place at the end. A failed or interrupted run leaves the target as
 * it was. A non-empty target is refused unless `force` is set; with `force` the old folder is moved
 * aside, the new one renamed in, then the old one deleted.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { UsageError } from './errors.js';

/** A run folder being written. */
export interface PendingRunFolder {
  /** The final path. */
  readonly path: string;
  /** Where to write the files now (a temporary folder beside {@link path}). */
  readonly tmp: string;
  /** Moves the finished folder into place; returns {@link path}. */
  commit(): Promise<string>;
  /** Deletes the temporary folder (after a failure). */
  abort(): Promise<void>;
}

async function state(path: string): Promise<'missing' | 'empty' | 'nonEmpty' | 'file'> {
  let s: Awaited<ReturnType<typeof stat>>;
  try {
    s = await stat(path);
  } catch {
    return 'missing';
  }
  if (!s.isDirectory()) return 'file';
  return (await readdir(path)).length === 0 ? 'empty' : 'nonEmpty';
}

function refuse(path: string, option: string): UsageError {
  return new UsageError(
    `${option} ${path} already exists and is not empty; choose a new folder, or pass --force to replace it`,
  );
}

/**
 * Fails early (before any work) when `path` cannot be used as a run folder: it is a file, or a
 * non-empty folder and `force` is false. {@link startRunFolder} checks again when it commits.
 */
export async function checkRunFolder(path: string, force: boolean, option = '--out'): Promise<void> {
  const now = await state(path);
  if (now === 'file') throw new UsageError(`${option} ${path} is a file; give a folder path`);
  if (now === 'nonEmpty' && !force) throw refuse(path, option);
}

/**
 * Checks `path` and creates the temporary folder. Throws a usage error (exit 2) when `path` is a
 * file, or a non-empty folder and `force` is false. `option` names the flag in messages.
 */
export async function startRunFolder(
  path: string,
  force: boolean,
  option = '--out',
): Promise<PendingRunFolder> {
  await checkRunFolder(path, force, option);
  const parent = dirname(path);
  await mkdir(parent, { recursive: true });
  const tag = `${process.pid}-${randomBytes(4).toString('hex')}`;
  const tmp = join(parent, `.${basename(path)}.tmp-${tag}`);
  await mkdir(tmp);
  let finished = false;
  return {
    path,
    tmp,
    async commit() {
      if (finished) return path;
      const now = await state(path);
      if (now === 'file') throw new UsageError(`${option} ${path} became a file while the run was going`);
      if (now === 'nonEmpty' && !force) throw refuse(path, option);
      if (now === 'missing') {
        await rename(tmp, path);
      } else {
        const old = join(parent, `.${basename(path)}.old-${tag}`);
        await rename(path, old);
        try {
          await rename(tmp, path);
        } catch (err) {
          await rename(old, path).catch(() => {});
          throw err;
        }
        await rm(old, { recursive: true, force: true });
      }
      finished = true;
      return path;
    },
    async abort() {
      if (finished) return;
      finished = true;
      await rm(tmp, { recursive: true, force: true });
    },
  };
}

/** A file-system-safe timestamp for default run names: `2025-11-25T21-50-07`. */
export function timestampName(date = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${p(date.getMonth() + 1)}-${p(date.getDate())}T${p(date.getHours())}-${p(date.getMinutes())}-${p(date.getSeconds())}`;
}
