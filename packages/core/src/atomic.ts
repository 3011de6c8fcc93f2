/**
 * Atomic file writes: data goes to a temporary file in the target's directory, is flushed to disk,
 * then renamed over the target. Readers see either the old file or the complete new one, never a
 * half-written file, even if the process dies mid-write (checkpoints, results, datasets).
 */
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdir, open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

function tempPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
}

async function syncDir(dir: string): Promise<void> {
  // Makes the rename durable on POSIX; not supported on every platform, so failures are ignored.
  try {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // ignore
  }
}

async function commit(tmp: string, path: string): Promise<void> {
  try {
    await rename(tmp, path);
  } catch (err) {
    await unlink(tmp).catch(() => {});
    throw err;
  }
  await syncDir(dirname(path));
}

/**
 * Writes `data` to `path` atomically. Missing parent directories are created.
 * @example await writeFileAtomic('runs/a/metrics.txt', 'f1 0.5\n');
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = tempPathFor(path);
  const handle = await open(tmp, 'w');
  try {
    await handle.writeFile(data);
    await handle.sync();
  } catch (err) {
    await handle.close().catch(() => {});
    await unlink(tmp).catch(() => {});
    throw err;
  }
  await handle.close();
  await commit(tmp, path);
}

/** Options for {@link writeJsonAtomic}. */
export interface WriteJsonOptions {
  /** Indentation passed to `JSON.stringify`; default 2. Use 0 for one line. */
  indent?: number;
}

/**
 * Writes `value` as JSON (with a trailing newline) to `path` atomically.
 * @example await writeJsonAtomic('runs/a/checkpoint.json', { step: 100 });
 */
export async function writeJsonAtomic(
  path: string,
  value: unknown,
  options: WriteJsonOptions = {},
): Promise<void> {
  const json = JSON.stringify(value, null, options.indent ?? 2);
  if (json === undefined) throw new TypeError(`writeJsonAtomic(${path}): value is not JSON-serializable`);
  await writeFileAtomic(path, `${json}\n`);
}

/**
 * Streams string chunks to `path` atomically (for files too big to build in memory). The target is
 * replaced only after every chunk is written and flushed; on error it is left untouched.
 */
export async function writeStreamAtomic(
  path: string,
  chunks: Iterable<string> | AsyncIterable<string>,
): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = tempPathFor(path);
  const out = createWriteStream(tmp, { encoding: 'utf8' });
  let streamError: unknown = null;
  out.on('error', (err) => {
    streamError = err;
  });
  try {
    await once(out, 'open');
    for await (const chunk of chunks) {
      if (streamError) throw streamError;
      if (!out.write(chunk)) await once(out, 'drain');
    }
    out.end();
    await once(out, 'finish');
    const handle = await open(tmp, 'r+');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch (err) {
    out.destroy();
    await unlink(tmp).catch(() => {});
    throw err;
  }
  await commit(tmp, path);
}
