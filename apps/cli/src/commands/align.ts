import { stat } from 'node:fs/promises';
import { type BackendRequest, initBackend } from '@nerima/core';
// Types only: the package (tensors, kuromoji) is loaded when the command runs, not on every CLI start.
import type { AlignFilesReport, AlignProgress, PairEvaluation, TuneScope } from '@nerima/xling-align';
import { getFlag, getInt, getList, getString, requireString, userPath } from '../args.js';
import { defineCommand } from '../command.js';
import { asInputError, CliError, DataError, EXIT, UsageError } from '../errors.js';
import { formatDuration } from '../progress.js';

const TUNE_SCOPES: readonly TuneScope[] = ['embeddings', 'char', 'encoder'];
/** `@nerima/xling-align`'s DEFAULT_ENCODER. */
const DEFAULT_ENCODER = 'models/encoder';

function parseMinutes(raw: string | undefined): number {
  if (raw === undefined) return 10;
  const n = Number(raw);
  if (!/^\d+(\.\d+)?$/.test(raw.trim()) || !(n > 0) || n > 24 * 60) {
    throw new UsageError(
      `--minutes must be a number of minutes > 0 (e.g. 10 or 0.5), got ${JSON.stringify(raw)}`,
    );
  }
  return n;
}

function pct(x: number): string {
  return `${(100 * x).toFixed(1)}%`;
}

function evalRow(label: string, e: PairEvaluation | undefined): string {
  if (!e || e.pool === 0) return `  ${label.padEnd(10)} (no held-out pairs)`;
  return (
    `  ${label.padEnd(10)} pool ${String(e.pool).padStart(4)}  cos true ${e.trueCosine.toFixed(3)} random ${e.randomCosine.toFixed(3)}  ` +
    `ja→${e.lang} @1 ${pct(e.jaTo.at1)} @10 ${pct(e.jaTo.at10)}  ${e.lang}→ja @1 ${pct(e.toJa.at1)} @10 ${pct(e.toJa.at10)}`
  );
}

function summary(r: AlignFilesReport): string {
  const t = r.training;
  const lines = [
    `aligned ${r.encoder} on ${r.kb.pairs.en} ja–en and ${r.kb.pairs.zh} ja–zh pairs (${r.split.heldOut.en} / ${r.split.heldOut.zh} held out)`,
    `  ${t.steps} steps in ${formatDuration(t.seconds)} (stopped by ${t.stoppedBy}), loss en ${t.firstLoss.en.toFixed(3)} → ${t.lastLoss.en.toFixed(3)}, zh ${t.firstLoss.zh.toFixed(3)} → ${t.lastLoss.zh.toFixed(3)}`,
    `  dropped: ${Object.entries(r.kb.dropped)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}; homographs: ${r.kb.homographs.jaWithSeveralEn} ja with several en`,
  ];
  if (r.oov) {
    lines.push(
      `  characters unseen by the encoder: ja ${r.oov.ja.oovChars}/${r.oov.ja.chars} (${r.oov.ja.namesWithOov} names), zh ${r.oov.zh.oovChars}/${r.oov.zh.chars} (${r.oov.zh.namesWithOov} names)`,
    );
  }
  if (r.before && r.after) {
    lines.push('held-out evaluation (same encoder, same pairs):');
    for (const lang of ['en', 'zh'] as const) {
      lines.push(evalRow(`${lang} before`, r.before[lang]), evalRow(`${lang} after`, r.after[lang]));
    }
  }
  lines.push(`wrote ${r.files.encoder}, ${r.files.aligner}, ${r.files.report}`);
  return lines.join('\n');
}

export const alignCommand = defineCommand({
  name: 'align',
  summary: 'align the encoder across languages on a ja/en/zh entity KB and write the aligned encoder',
  description: `Trains an entity-name encoder that shares the encoder's character and word embedding tables
(Japanese and Chinese names) with an English character n-gram tower, using a contrastive (InfoNCE)
loss on the KB's ja–en and ja–zh name pairs: in-batch negatives, hard same-type batches, learned
temperature. The shared tables are updated in place. Held-out pairs (5% of Japanese names, 14% of
those with a Chinese name) are scored before and after training in the same run: mean cosine of
true against random pairs, and retrieval accuracy @1/@10 over a pool of --eval-pool names.
The KB is JSONL, one {"ja", "en"?, "zh"?, "type"?} object per line (like shared/data/kb/entities.jsonl).
Writes <out>/encoder.bin (the aligned encoder), <out>/aligner.bin (the name-encoder heads) and
<out>/report.json.`,
  options: {
    kb: {
      type: 'string',
      valueName: '<file,...>',
      description: 'KB JSONL file(s), comma-separated (required)',
    },
    encoder: {
      type: 'string',
      valueName: '<dir|file|new>',
      description: `encoder folder (with encoder.bin) or file to align; "new" for an untrained one`,
      defaultText: DEFAULT_ENCODER,
    },
    out: { type: 'string', short: 'o', valueName: '<dir>', description: 'output folder (required)' },
    minutes: { type: 'string', valueName: '<n>', description: 'training time budget', defaultText: '10' },
    'max-steps': { type: 'string', valueName: '<n>', description: 'stop after this many steps' },
    'batch-size': {
      type: 'string',
      valueName: '<n>',
      description: 'ja–en pairs per step',
      defaultText: '128',
    },
    'zh-batch-size': {
      type: 'string',
      valueName: '<n>',
      description: 'ja–zh pairs per step (0: no Chinese)',
      defaultText: '64',
    },
    'eval-pool': {
      type: 'string',
      valueName: '<n>',
      description: 'held-out candidate pool per language',
      defaultText: '1000',
    },
    tune: {
      type: 'string',
      valueName: '<scope>',
      description: 'encoder variables to update: embeddings | char | encoder',
      defaultText: 'embeddings',
    },
    'keep-identical': {
      type: 'boolean',
      description: 'keep ja–en pairs whose names are identical (e.g. CNN/CNN)',
    },
    lenient: { type: 'boolean', description: 'skip invalid KB rows (listed as warnings) instead of failing' },
  },
  examples: [
    {
      command:
        'nerima align --kb ../shared/data/kb/entities.jsonl --encoder models/encoder --out runs/align --minutes 10',
      description: 'align the pre-trained encoder on the shared KB for 10 minutes',
    },
    {
      command:
        'nerima align --kb my-kb.jsonl --encoder new --out runs/align-test --max-steps 50 --eval-pool 200',
      description: 'a short run from an untrained encoder on your own KB',
    },
  ],
  async run(ctx) {
    const kbFiles = getList(ctx.values, 'kb', []).map((p) => userPath(ctx, p));
    if (kbFiles.length === 0) throw new UsageError('missing required option --kb (the KB JSONL file)');
    const out = userPath(ctx, requireString(ctx.values, 'out', 'the output folder'));
    const encoderOption = getString(ctx.values, 'encoder', DEFAULT_ENCODER);
    const encoder = encoderOption === 'new' ? 'new' : userPath(ctx, encoderOption);
    const tune = getString(ctx.values, 'tune', 'embeddings') as TuneScope;
    if (!TUNE_SCOPES.includes(tune))
      throw new UsageError(`--tune must be one of ${TUNE_SCOPES.join(', ')}, got ${JSON.stringify(tune)}`);
    const minutes = parseMinutes(getString(ctx.values, 'minutes'));
    const maxStepsRaw = getString(ctx.values, 'max-steps');
    const maxSteps = maxStepsRaw === undefined ? undefined : getInt(ctx.values, 'max-steps', 0, { min: 0 });
    const batchSize = getInt(ctx.values, 'batch-size', 128, { min: 2, max: 4096 });
    const zhBatchSize = getInt(ctx.values, 'zh-batch-size', 64, { min: 0, max: 4096 });
    const evalPool = getInt(ctx.values, 'eval-pool', 1000, { min: 1, max: 100_000 });

    const { alignFiles, resolveEncoderPath } = await import('@nerima/xling-align');
    for (const f of kbFiles) {
      try {
        const s = await stat(f);
        if (s.isDirectory()) throw new DataError(`--kb ${f}: is a directory, expected a JSONL file`);
      } catch (err) {
        throw asInputError(err, `--kb ${f}`);
      }
    }
    if (encoder !== 'new') {
      try {
        await resolveEncoderPath(encoder);
      } catch (err) {
        throw new DataError((err as Error).message, [], { cause: err });
      }
    }
    try {
      const request = ctx.global.backend as BackendRequest | undefined;
      const info = await initBackend(request ? { backend: request } : {});
      ctx.out.info(`tfjs backend: ${info.name}${info.fallbackReason ? ` (${info.fallbackReason})` : ''}`);
    } catch (err) {
      throw new CliError((err as Error).message, EXIT.FAILURE, { cause: err });
    }

    const onProgress = (p: AlignProgress) => {
      if (p.phase !== 'train') {
        ctx.out.info(
          p.phase === 'evaluate-before'
            ? 'evaluating held-out pairs (before)…'
            : 'evaluating held-out pairs (after)…',
        );
        return;
      }
      ctx.out.info(
        `step ${p.step}${p.steps !== undefined ? `/${p.steps}` : ''} | loss en ${p.lossEn.toFixed(3)} zh ${p.lossZh.toFixed(3)} | ` +
          `scale ${p.scale.toFixed(1)} | lr ${p.learningRate.toExponential(1)} | ${formatDuration(p.elapsedMs / 1000)}`,
      );
    };
    let report: AlignFilesReport;
    try {
      report = await alignFiles({
        kb: kbFiles,
        encoder,
        out,
        minutes,
        ...(maxSteps !== undefined ? { maxSteps } : {}),
        batchSize,
        zhBatchSize,
        evalPool,
        tune,
        seed: ctx.global.seed,
        read: {
          mode: getFlag(ctx.values, 'lenient') ? 'lenient' : 'strict',
          identical: getFlag(ctx.values, 'keep-identical') ? 'keep' : 'drop',
        },
        onProgress,
        command: `nerima ${process.argv.slice(2).join(' ')}`.trim(),
      });
    } catch (err) {
      const mapped = asInputError(err, kbFiles.join(', '));
      if (mapped !== err) throw mapped;
      if (err instanceof Error && /training pairs after the held-out split/.test(err.message))
        throw new DataError(err.message, [], { cause: err });
      throw err;
    }
    ctx.out.result(report, () => summary(report));
    return EXIT.OK;
  },
});
