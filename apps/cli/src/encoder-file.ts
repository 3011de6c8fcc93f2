/**
 * Finding and loading the text encoder. `--encoder` takes a folder holding `encoder.bin` or the
 * file itself; without it, `NERIMA_ENCODER`, then the pre-trained model of the repository
 * (`models/encoder/encoder.bin`, found relative to this file both from source and from `dist/`).
 * The npm package does not ship the weights: there, `--encoder` or `NERIMA_ENCODER` is needed.
 */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { NerimaEncoder } from '@nerima/encoder';
import { userPath } from './args.js';
import type { CommandContext } from './command.js';
import { DataError } from './errors.js';

/** The environment variable naming a default encoder (folder or file). */
export const ENCODER_ENV = 'NERIMA_ENCODER';

/**
 * `<repo>/models/encoder/encoder.bin`: this module is `apps/cli/src/encoder-file.ts` from source
 * and bundled into `apps/cli/dist/main.js` when built, both three levels below the repository root.
 */
export function repositoryEncoderPath(): string {
  return fileURLToPath(new URL('../../../models/encoder/encoder.bin', import.meta.url));
}

async function kind(path: string): Promise<'file' | 'dir' | 'missing'> {
  try {
    return (await stat(path)).isDirectory() ? 'dir' : 'file';
  } catch {
    return 'missing';
  }
}

/** Where the encoder came from, for messages and run configs. */
export interface EncoderChoice {
  /** The `encoder.bin` file. */
  path: string;
  /** `--encoder`, `NERIMA_ENCODER` or `repository default`. */
  source: string;
  /** How to show it in messages, when not `path (source)`. */
  label?: string;
}

/**
 * Resolves `--encoder` (a folder with `encoder.bin`, or a file), else `NERIMA_ENCODER`, else the
 * repository's pre-trained encoder. Missing files are data errors (exit 3) that say what to pass.
 */
export async function resolveEncoder(
  ctx: Pick<CommandContext, 'cwd' | 'env'>,
  option: string | undefined,
): Promise<EncoderChoice> {
  const fromEnv = ctx.env[ENCODER_ENV];
  const given = option ?? (fromEnv ? fromEnv : undefined);
  if (given !== undefined) {
    const source = option !== undefined ? '--encoder' : ENCODER_ENV;
    const p = userPath(ctx, given);
    const k = await kind(p);
    if (k === 'missing') {
      throw new DataError(
        `${source} ${given}: no such file or folder; give a folder holding encoder.bin or an encoder file`,
      );
    }
    const path = k === 'dir' ? join(p, 'encoder.bin') : p;
    if (k === 'dir' && (await kind(path)) !== 'file') {
      throw new DataError(`${source} ${given}: the folder has no encoder.bin; give the encoder file itself`);
    }
    return { path, source };
  }
  const path = repositoryEncoderPath();
  if ((await kind(path)) !== 'file') {
    throw new DataError(
      `no encoder found: ${path} does not exist (the pre-trained weights ship in the repository's models/encoder/, not in the npm package); pass --encoder <folder with encoder.bin | file> or set ${ENCODER_ENV}`,
    );
  }
  return { path, source: 'repository default' };
}

/** Loads an encoder file; a bad or truncated file is a data error naming it. */
export async function loadEncoderFile(path: string): Promise<NerimaEncoder> {
  // Imported here: tfjs and kuromoji load only when a command needs the encoder.
  const { loadEncoder } = await import('@nerima/encoder');
  try {
    return await loadEncoder(path);
  } catch (err) {
    const msg = (err as Error).message;
    throw new DataError(msg.startsWith(path) ? msg : `${path}: cannot load the encoder: ${msg}`, [], {
      cause: err,
    });
  }
}
