/**
 * Run folders are written whole or not at all: files go into a hidden temporary folder beside the
 * target, which is renamed into place at the end. A failed or interrupted run leaves the target as
 * it was. A non-empty target is refused unless `force` is set; with `force` the old folder is moved
 * aside, the new one renamed in, then the old one deleted. Training commands use a resumable
 * variant whose work folder (with the checkpoints) survives a crash for `--resume`.
 */
import { randomBytes } from 'node:crypto';
import type { Dirent } from 'node:fs';
import { copyFile, mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
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

async function moveIntoPlace(
  tmp: string,
  path: string,
  replace: boolean,
  option: string,
  tag: string,
): Promise<void> {
  const now = await state(path);
  if (now === 'file') throw new UsageError(`${option} ${path} became a file while the run was going`);
  if (now === 'nonEmpty' && !replace) throw refuse(path, option);
  if (now === 'missing') {
    await rename(tmp, path);
    return;
  }
  const old = join(dirname(path), `.${basename(path)}.old-${tag}`);
  await rename(path, old);
  try {
    await rename(tmp, path);
  } catch (err) {
    await rename(old, path).catch(() => {});
    throw err;
  }
  await rm(old, { recursive: true, force: true });
}

function newTag(): string {
  return `${process.pid}-${randomBytes(4).toString('hex')}`;
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
  const tag = newTag();
  const tmp = join(parent, `.${basename(path)}.tmp-${tag}`);
  await mkdir(tmp);
  let finished = false;
  return {
    path,
    tmp,
    async commit() {
      if (finished) return path;
      await moveIntoPlace(tmp, path, force, option, tag);
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

/** A run folder whose work folder outlives a failure, so that `--resume` can continue it. */
export interface ResumableRunFolder {
  /** The final path. */
  readonly path: string;
  /** The work folder, `.<name>.partial` beside {@link path}. */
  readonly tmp: string;
  /** Moves the finished folder into place; returns {@link path}. */
  commit(): Promise<string>;
  /**
   * Where the checkpoints of a resumed run came from: the work folder of an unfinished run
   * (`partial`), the finished run at {@link path} (`finished`, its checkpoints are copied into the
   * work folder), or `null` (a fresh start).
   */
  readonly resumedFrom: 'partial' | 'finished' | null;
  /**
   * After a failure: deletes the work folder when it holds no file, else keeps it for `--resume`.
   * Returns whether it was kept.
   */
  abort(): Promise<boolean>;
}

/** Options of {@link startResumableRunFolder}. */
export interface ResumableOptions {
  /** Replace a non-empty target, or discard an unfinished run's work folder. */
  force: boolean;
  /** Continue an unfinished run (its work folder), or a finished one (its checkpoints). */
  resume: boolean;
  /** Files (relative to the run folder) that hold the checkpoints a finished run is resumed from. */
  checkpoints: readonly string[];
  option?: string;
}

async function hasFiles(dir: string): Promise<boolean> {
  let entries: Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true, encoding: 'utf8' });
  } catch {
    return false;
  }
  for (const e of entries) {
    if (e.isFile()) return true;
    if (e.isDirectory() && (await hasFiles(join(dir, e.name)))) return true;
  }
  return false;
}

/**
 * Prints `message()` on SIGINT / SIGTERM (instead of Node's default exit) until the returned function
 * is called; the handler then exits with 130 / 143.
 */
export function onInterrupt(message: () => string, write: (line: string) => void): () => void {
  const handler = (signal: NodeJS.Signals) => {
    write(message());
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.once('SIGINT', handler);
  process.once('SIGTERM', handler);
  return () => {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  };
}

/**
 * Like {@link startRunFolder}, but the work folder has a fixed name, `.<name>.partial` beside
 * `path`, and is kept when the run fails or is killed, with the checkpoints written so far. Running
 * again with `resume` continues in it; without `resume` an existing work folder is refused (exit 2)
 * unless `force` (which deletes it). With `resume` and no work folder, the `checkpoints` of a
 * finished run at `path` are copied in and the new run replaces it when done. Two processes must
 * not write the same run folder at once.
 */
export async function startResumableRunFolder(
  path: string,
  options: ResumableOptions,
): Promise<ResumableRunFolder> {
  const option = options.option ?? '--out';
  const parent = dirname(path);
  const tmp = join(parent, `.${basename(path)}.partial`);
  const target = await state(path);
  if (target === 'file') throw new UsageError(`${option} ${path} is a file; give a folder path`);
  let partial = await state(tmp);
  if (partial === 'file') throw new UsageError(`${tmp} is a file; remove it or choose another ${option}`);
  if (partial !== 'missing' && !(await hasFiles(tmp))) {
    // Killed before the first checkpoint: nothing to keep.
    await rm(tmp, { recursive: true, force: true });
    partial = 'missing';
  }
  let resumedFrom: ResumableRunFolder['resumedFrom'] = null;
  if (options.resume) {
    if (partial !== 'missing') resumedFrom = 'partial';
    else if (target === 'nonEmpty') {
      const found: string[] = [];
      for (const rel of options.checkpoints) if ((await state(join(path, rel))) === 'file') found.push(rel);
      if (found.length > 0) {
        await mkdir(tmp, { recursive: true });
        for (const rel of found) {
          await mkdir(dirname(join(tmp, rel)), { recursive: true });
          await copyFile(join(path, rel), join(tmp, rel));
        }
        resumedFrom = 'finished';
      }
    }
  } else if (partial !== 'missing') {
    if (!options.force) {
      throw new UsageError(
        `an unfinished run of ${option} ${path} is kept in ${tmp}; pass --resume to continue it, or --force to discard it and start over`,
      );
    }
    await rm(tmp, { recursive: true, force: true });
  }
  // A resumed run replaces the run it continues; a fresh one needs --force to replace anything.
  const replace = options.force || resumedFrom !== null;
  if (resumedFrom === null) await checkRunFolder(path, options.force, option);
  await mkdir(tmp, { recursive: true });
  const tag = newTag();
  let finished = false;
  return {
    path,
    tmp,
    resumedFrom,
    async commit() {
      if (finished) return path;
      await moveIntoPlace(tmp, path, replace, option, tag);
      finished = true;
      return path;
    },
    async abort() {
      if (finished) return false;
      finished = true;
      if (await hasFiles(tmp)) return true;
      await rm(tmp, { recursive: true, force: true });
      return false;
    },
  };
}

/** A file-system-safe timestamp for default run names: `2025-11-25T21-50-07`. */
export function timestampName(date = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${p(date.getMonth() + 1)}-${p(date.getDate())}T${p(date.getHours())}-${p(date.getMinutes())}-${p(date.getSeconds())}`;
}
