/**
 * File-level alignment for the CLI and scripts: load an encoder, align it on KB files, write the
 * aligned encoder, the aligner heads and `report.json` into one folder. Node.js only.
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { writeJsonAtomic } from '@nerima/core';
import { createEncoder, loadEncoder, type NerimaEncoder, saveEncoder } from '@nerima/encoder';
import { type AlignOptions, type AlignReport, alignEncoder } from './align.js';
import { type AlignerOptions, createNameAligner } from './aligner.js';
import { type ReadKbOptions, readKb } from './kb.js';

/** The encoder used when none is given: the pre-trained one of the repository. */
export const DEFAULT_ENCODER = 'models/encoder';

/** Options of {@link alignFiles}. */
export interface AlignFilesOptions extends Omit<AlignOptions, 'aligner' | 'read'> {
  /** KB JSONL file(s). */
  kb: string | readonly string[];
  /**
   * A folder holding `encoder.bin`, an encoder file, or `new` (a randomly initialised encoder whose
   * vocabulary is built from the KB names). Default {@link DEFAULT_ENCODER}.
   */
  encoder?: string;
  /** Output folder: `encoder.bin`, `aligner.bin`, `report.json`. */
  out: string;
  read?: ReadKbOptions;
  aligner?: AlignerOptions;
  /** Storage type of the written weights (default float16). */
  dtype?: 'float16' | 'float32';
  /** The command line, recorded in the report. */
  command?: string;
}

/** The report written to `report.json`. */
export interface AlignFilesReport extends AlignReport {
  command?: string;
  date: string;
  /** The encoder that was aligned (`new` for a fresh one). */
  encoder: string;
  files: { encoder: string; aligner: string; report: string };
}

/** Resolves `--encoder`: a folder means its `encoder.bin`. */
export async function resolveEncoderPath(encoder: string): Promise<string> {
  let s: Awaited<ReturnType<typeof stat>>;
  try {
    s = await stat(encoder);
  } catch {
    throw Object.assign(
      new Error(
        `encoder ${encoder}: no such file or folder. Pre-train one (packages/encoder/src/pretrain-cli.ts --out ${DEFAULT_ENCODER}), ` +
          'pass --encoder <folder with encoder.bin | file>, or --encoder new for an untrained one',
      ),
      { code: 'ENOENT' },
    );
  }
  return s.isDirectory() ? path.join(encoder, 'encoder.bin') : encoder;
}

/**
 * Aligns an encoder on KB files and writes `out/encoder.bin` (aligned encoder, same format as
 * `saveEncoder`), `out/aligner.bin` (the name-encoder heads, for {@link loadNameAligner}) and
 * `out/report.json` (the {@link AlignFilesReport}). Call `initBackend()` first.
 * @example
 * await alignFiles({ kb: '../shared/data/kb/entities.jsonl', encoder: 'models/encoder', out: 'runs/align', minutes: 10 });
 */
export async function alignFiles(options: AlignFilesOptions): Promise<AlignFilesReport> {
  const {
    kb: kbPaths,
    encoder: encoderOption,
    out,
    read,
    aligner: alignerOptions,
    dtype,
    command,
    ...rest
  } = options;
  const kb = await readKb(kbPaths, read);
  const which = encoderOption ?? DEFAULT_ENCODER;
  let encoder: NerimaEncoder;
  if (which === 'new') {
    const names = [...kb.pairs.en.map((p) => p.ja), ...kb.pairs.zh.flatMap((p) => [p.ja, p.text])];
    encoder = await createEncoder({ texts: [...new Set(names)], seed: options.seed ?? 1 });
  } else {
    encoder = await loadEncoder(await resolveEncoderPath(which));
  }
  const aligner = createNameAligner(encoder, { seed: options.seed ?? 1, ...alignerOptions });
  try {
    const report = await alignEncoder(encoder, kb, { ...rest, aligner });
    const files = {
      encoder: path.join(out, 'encoder.bin'),
      aligner: path.join(out, 'aligner.bin'),
      report: path.join(out, 'report.json'),
    };
    const summary: Record<string, unknown> = {
      kb: kb.report.files,
      steps: report.training.steps,
      pairsSeen: report.training.pairsSeen,
      tuned: report.training.tuned,
    };
    if (report.after) {
      summary['heldOut'] = {
        en: { at1: report.after.en.jaTo.at1, at10: report.after.en.jaTo.at10, pool: report.after.en.pool },
        zh: { at1: report.after.zh.jaTo.at1, at10: report.after.zh.jaTo.at10, pool: report.after.zh.pool },
      };
    }
    await saveEncoder(encoder, files.encoder, { dtype: dtype ?? 'float16', meta: { xling: summary } });
    await aligner.save(files.aligner, { dtype: dtype ?? 'float16' });
    const full: AlignFilesReport = {
      ...(command !== undefined ? { command } : {}),
      date: new Date().toISOString(),
      encoder: which,
      files,
      ...report,
    };
    await writeJsonAtomic(files.report, full);
    return full;
  } finally {
    aligner.dispose();
    encoder.dispose();
  }
}
