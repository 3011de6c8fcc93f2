/**
 * The pipeline's data stages: augmenting the meta-training sentences and aligning the encoder on a
 * KB. Imported by `nerima pipeline` when it runs (the packages are heavy).
 */
import { join } from 'node:path';
import {
  augment,
  createContextChange,
  createMentionSwap,
  loadKbLexicon,
  type MentionLexicon,
} from '@nerima/augment';
import { createRng, type Sentence, writeJsonAtomic, writeJsonl } from '@nerima/core';
import { alignFiles } from '@nerima/xling-align';
import type { CommandContext } from './command.js';
import { asInputError, DataError } from './errors.js';
import { formatDuration } from './progress.js';

/** What the augmentation stage did. */
export interface AugmentStage {
  /** The input sentences plus the kept new ones. */
  sentences: Sentence[];
  summary: {
    input: number;
    generated: number;
    kept: number;
    used: number;
    perGenerator: Record<string, { generated: number; kept: number }>;
    kb: string | null;
  };
}

/**
 * Augments `train` with mention swap (mentions of the same type from the data and, with `kbPath`,
 * the KB) and context change, one candidate per sentence and generator, through the structure and
 * similarity filters (the tagger stages need a separately trained tagger, which the pipeline does
 * not have). At most `max` new sentences are used (a seeded sample). Writes `dir/report.json` and
 * `dir/train.aug.jsonl` (the new sentences).
 */
export async function augmentTraining(
  ctx: Pick<CommandContext, 'out'>,
  train: readonly Sentence[],
  options: { seed: number; max: number; kbPath?: string; dir: string },
): Promise<AugmentStage> {
  const lexicons: MentionLexicon[] = [];
  if (options.kbPath) {
    try {
      lexicons.push((await loadKbLexicon(options.kbPath)).lexicon);
    } catch (err) {
      throw asInputError(err, options.kbPath);
    }
  }
  const { sentences: kept, report } = await augment(train, {
    generators: [createMentionSwap({ lexicons }), createContextChange()],
    filter: { confidence: false, consistency: false },
    perSentence: 1,
    seed: options.seed,
  });
  for (const w of report.warnings) ctx.out.warn(`augment: ${w}`);
  let chosen = kept;
  if (kept.length > options.max) {
    // A seeded sample, in the original order.
    const rng = createRng(options.seed).fork('augment-sample');
    const idx = kept.map((_, i) => i);
    for (let i = 0; i < options.max; i++) {
      const j = i + rng.int(idx.length - i);
      [idx[i], idx[j]] = [idx[j] as number, idx[i] as number];
    }
    const pick = new Set(idx.slice(0, options.max));
    chosen = kept.filter((_, i) => pick.has(i));
  }
  const extra: Sentence[] = chosen.map((s) => ({ id: s.id, text: s.text, entities: s.entities }));
  const perGenerator = Object.fromEntries(
    Object.entries(report.generators).map(([name, g]) => [name, { generated: g.generated, kept: g.kept }]),
  );
  const summary = {
    input: train.length,
    generated: report.generated,
    kept: report.kept,
    used: extra.length,
    perGenerator,
    kb: options.kbPath ?? null,
  };
  await writeJsonl(join(options.dir, 'train.aug.jsonl'), extra);
  await writeJsonAtomic(join(options.dir, 'report.json'), { ...summary, report });
  return { sentences: [...train, ...extra], summary };
}

/** What the alignment stage did. */
export interface AlignStage {
  /** The aligned encoder file. */
  encoder: string;
  summary: Record<string, unknown>;
}

/**
 * Aligns the encoder across languages on the KB for `minutes` (contrastive ja–en / ja–zh name
 * pairs; see `nerima align`) and writes `dir/encoder.bin`, `dir/aligner.bin`, `dir/report.json`.
 */
export async function alignStage(
  ctx: Pick<CommandContext, 'out'>,
  options: { kbPath: string; encoder: string; minutes: number; seed: number; dir: string },
): Promise<AlignStage> {
  let report: Awaited<ReturnType<typeof alignFiles>>;
  try {
    report = await alignFiles({
      kb: options.kbPath,
      encoder: options.encoder,
      out: options.dir,
      minutes: options.minutes,
      seed: options.seed,
      evalPool: 500,
      onProgress: (p) => {
        if (p.phase === 'train')
          ctx.out.debug(`align step ${p.step}: loss en ${p.lossEn.toFixed(3)} zh ${p.lossZh.toFixed(3)}`);
      },
      command: 'nerima pipeline (alignment stage)',
    });
  } catch (err) {
    const mapped = asInputError(err, options.kbPath);
    if (mapped !== err) throw mapped;
    if (err instanceof Error && /training pairs/.test(err.message))
      throw new DataError(err.message, [], { cause: err });
    throw err;
  }
  const at1 = (lang: 'en' | 'zh', when: 'before' | 'after') => report[when]?.[lang]?.jaTo.at1 ?? null;
  const summary = {
    kb: options.kbPath,
    steps: report.training.steps,
    seconds: report.training.seconds,
    heldOutAt1: {
      en: { before: at1('en', 'before'), after: at1('en', 'after') },
      zh: { before: at1('zh', 'before'), after: at1('zh', 'after') },
    },
  };
  const pct = (x: number | null) => (x === null ? 'n/a' : `${(100 * x).toFixed(1)}%`);
  ctx.out.info(
    `align: ${report.training.steps} steps in ${formatDuration(report.training.seconds)}; held-out ja→en @1 ${pct(summary.heldOutAt1.en.before)} → ${pct(summary.heldOutAt1.en.after)}`,
  );
  return { encoder: report.files.encoder, summary };
}
