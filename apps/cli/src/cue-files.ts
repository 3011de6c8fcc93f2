/**
 * Which span cues (meta-core `spanCues`) `nerima meta-train` / `nerima pipeline` train with, and
 * their data files: `--span-cues vectors,kb|vectors|kb|none`, `--vectors <file>` (default:
 * models/vectors/vectors.bin, or `$NERIMA_MODELS/vectors/vectors.bin`),
 * `--kb <file>` (KB JSONL with ja / type / subtype rows; no default: the KB is not shipped).
 * The vectors are built by `pnpm build:vectors` (not committed); without them the default warns.
 * Default: `vectors`, plus `kb` when `--kb` is given.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { candidateDirs } from '@nerima/models';
import { getList, getString, userPath } from './args.js';
import type { CommandContext, OptionValues } from './command.js';
import { UsageError } from './errors.js';
import { META, type SpanCueFiles } from './layout.js';

/** The shipped vectors file, if any. */
export function shippedVectorsFile(): string | undefined {
  return candidateDirs('vectors')
    .map((d) => join(d, META.vectors))
    .find((f) => existsSync(f));
}

/** Reads the cue flags (see the module comment). */
export function resolveCueFiles(
  ctx: Pick<CommandContext, 'cwd' | 'out'>,
  values: OptionValues,
): SpanCueFiles {
  const kbArg = getString(values, 'kb');
  const vectorsArg = getString(values, 'vectors');
  const requested =
    values['span-cues'] === undefined
      ? ['vectors', ...(kbArg ? ['kb'] : [])]
      : getList(values, 'span-cues', []).filter((x) => x !== 'none');
  const bad = requested.filter((x) => x !== 'vectors' && x !== 'kb');
  if (bad.length > 0)
    throw new UsageError(`--span-cues: unknown cue(s) ${bad.join(', ')}; use vectors, kb or none`);
  const files: SpanCueFiles = {};
  if (requested.includes('vectors')) {
    const file = vectorsArg ? userPath(ctx, vectorsArg) : shippedVectorsFile();
    if (!file) {
      if (values['span-cues'] !== undefined)
        throw new UsageError('--span-cues vectors: no vectors file found; pass --vectors <file>');
      ctx.out.warn(
        'no subword vectors found (models/vectors/vectors.bin; `pnpm build:vectors` makes it): training without the vectors span cue',
      );
    } else if (!existsSync(file)) throw new UsageError(`--vectors: ${file} does not exist`);
    else files.vectors = file;
  }
  if (requested.includes('kb')) {
    if (!kbArg) throw new UsageError('--span-cues kb needs --kb <file> (KB JSONL with ja, type, subtype)');
    const file = userPath(ctx, kbArg);
    if (!existsSync(file)) throw new UsageError(`--kb: ${file} does not exist`);
    files.kb = file;
  }
  return files;
}
