import { existsSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { EntityType } from '@nerima/core';
import { getFlag, getInt, getNumber, getString, requireString, userPath } from '../args.js';
import { defineCommand } from '../command.js';
import { readDatasetFile, readTypesFile } from '../data.js';
import { resolveEncoder } from '../encoder-file.js';
import { DataError, UsageError } from '../errors.js';
import { gitCommit } from '../evaluate.js';
import { RUN } from '../layout.js';
import { formatDuration } from '../progress.js';
import { onInterrupt, startResumableRunFolder, timestampName } from '../run-folder.js';
import { VERSION } from '../version.js';

function pct(x: number): string {
  return (100 * x).toFixed(1);
}

export const trainCommand = defineCommand({
  name: 'train',
  summary: 'train a supervised span tagger (encoder + joint span decoder) and save it in a run folder',
  description: `Fine-tunes the encoder and trains the joint span decoder (start → end given start → type) on
--train, evaluates micro F1 on --dev after every epoch (with start/end/type thresholds tuned on dev
unless --no-tune), keeps the best epoch and stops early after --patience epochs without improvement.
Writes <out>/model/tagger/ (tagger.json, encoder.bin, decoder.bin), config.json, report.json (dev
metrics of the best epoch: micro/macro F1, per type; the history per epoch) and
<out>/checkpoints/tagger/checkpoint.bin (every epoch). Like meta-train, the run is written in
.<out>.partial and renamed when done; --resume continues an interrupted run from its last epoch.
Use the tagger with "nerima predict --model <out>" or "nerima serve --model <out>".`,
  options: {
    train: {
      type: 'string',
      valueName: '<file>',
      description: 'training data (JSONL, Stockmark ner.json or CoNLL)',
    },
    dev: { type: 'string', valueName: '<file>', description: 'development data, for model selection' },
    types: {
      type: 'string',
      valueName: '<types.json>',
      description: 'allowed types; rows with others are errors',
    },
    encoder: {
      type: 'string',
      valueName: '<dir|file>',
      description: 'encoder to start from: a folder with encoder.bin, or the file',
      defaultText: '$NERIMA_ENCODER, else models/encoder of the repository',
    },
    epochs: { type: 'string', valueName: '<n>', description: 'epochs at most', defaultText: '10' },
    minutes: {
      type: 'string',
      valueName: '<m>',
      description: 'time limit; no epoch starts that would end after it',
    },
    'batch-size': { type: 'string', valueName: '<n>', description: 'sentences per step', defaultText: '16' },
    lr: {
      type: 'string',
      valueName: '<rate>',
      description: 'peak learning rate of the decoder',
      defaultText: '0.001',
    },
    'encoder-lr': {
      type: 'string',
      valueName: '<rate>',
      description: 'peak learning rate of the encoder (0 freezes it)',
      defaultText: 'same as --lr',
    },
    patience: {
      type: 'string',
      valueName: '<n>',
      description: 'stop after n epochs without a better dev F1',
      defaultText: '3',
    },
    'no-tune': {
      type: 'boolean',
      description: 'keep the default decoding thresholds instead of tuning them on dev',
    },
    out: {
      type: 'string',
      short: 'o',
      valueName: '<dir>',
      description: 'run folder',
      defaultText: 'runs/train-<timestamp>',
    },
    resume: { type: 'boolean', description: 'continue an interrupted run of --out from its last epoch' },
    force: { type: 'boolean', description: 'replace a non-empty --out, or discard an unfinished run of it' },
  },
  examples: [
    {
      command:
        'nerima train --train ../shared/data/stockmark/train.jsonl --dev ../shared/data/stockmark/dev.jsonl --out runs/tagger --minutes 60',
      description: 'a Stockmark tagger in at most an hour',
    },
    {
      command:
        'nerima train --train data/demo/train.jsonl --dev data/demo/dev.jsonl --epochs 2 --out runs/demo-tagger',
      description: 'two epochs on the demo corpus',
    },
  ],
  async run(ctx) {
    const t0 = performance.now();
    const trainPath = userPath(ctx, requireString(ctx.values, 'train', 'the training file'));
    const devPath = userPath(
      ctx,
      requireString(ctx.values, 'dev', 'the development file, for model selection'),
    );
    const typesArg = getString(ctx.values, 'types');
    const epochs = getInt(ctx.values, 'epochs', 10, { min: 1, max: 10_000 });
    const minutes = getNumber(ctx.values, 'minutes', undefined, { above: 0, max: 100_000 });
    const batchSize = getInt(ctx.values, 'batch-size', 16, { min: 1, max: 4096 });
    const lr = getNumber(ctx.values, 'lr', 1e-3, { above: 0, max: 10 });
    const encoderLr = getNumber(ctx.values, 'encoder-lr', undefined, { above: -1e-12, max: 10 });
    const patience = getInt(ctx.values, 'patience', 3, { min: 1, max: 10_000 });
    const tune = !getFlag(ctx.values, 'no-tune');
    const out = userPath(ctx, getString(ctx.values, 'out', `runs/train-${timestampName()}`));
    const force = getFlag(ctx.values, 'force');
    const resume = getFlag(ctx.values, 'resume');
    const encoder = await resolveEncoder(ctx, getString(ctx.values, 'encoder'));

    const types = typesArg ? await readTypesFile(userPath(ctx, typesArg)) : undefined;
    const train = (await readDatasetFile(trainPath, types ? { types } : {})).sentences;
    const dev = (await readDatasetFile(devPath, types ? { types } : {})).sentences;
    if (!train.some((s) => s.entities.length > 0))
      throw new DataError(`${trainPath}: no entities; a tagger needs labelled training data`);
    if (dev.length === 0) throw new DataError(`${devPath}: no sentences; model selection needs a dev set`);
    const trainTypes = [...new Set(train.flatMap((s) => s.entities.map((e) => e.type)))].sort();
    const devOnly = [...new Set(dev.flatMap((s) => s.entities.map((e) => e.type)))].filter(
      (t: EntityType) => !trainTypes.includes(t),
    );
    if (devOnly.length > 0) {
      ctx.out.warn(
        `${devPath}: type(s) ${devOnly.join(', ')} never occur in ${trainPath}; the tagger cannot learn them`,
      );
    }

    const folder = await startResumableRunFolder(out, { force, resume, checkpoints: [RUN.taggerCheckpoint] });
    if (resume && folder.resumedFrom === null)
      ctx.out.warn(`nothing to resume at ${out}; starting a new run`);
    ctx.out.info(
      `data: ${train.length} training sentences (${trainPath}), ${dev.length} dev (${devPath}); types ${trainTypes.join(', ')}`,
    );
    const stopHandling = onInterrupt(
      () =>
        existsSync(join(folder.tmp, RUN.taggerCheckpoint))
          ? `interrupted: the unfinished run is kept in ${folder.tmp} (last epoch); run the same command with --resume to continue it`
          : 'interrupted before the first epoch ended',
      (line) => ctx.out.warn(line),
    );
    const { initTensorBackend } = await import('../backend.js');
    const { loadEncoderFile } = await import('../encoder-file.js');
    const sd = await import('@nerima/span-decoder');
    let dispose: (() => void) | undefined;
    let summary: Record<string, unknown>;
    try {
      await initTensorBackend(ctx);
      const enc = await loadEncoderFile(encoder.path);
      dispose = () => enc.dispose();
      ctx.out.info(`encoder: ${encoder.path} (${encoder.source})`);
      const checkpointDir = join(folder.tmp, RUN.taggerCheckpointDir);
      let bar: ReturnType<typeof ctx.progress> | undefined;
      let last = 0;
      const limitMs = minutes === undefined ? undefined : minutes * 60_000;
      const result = await sd.trainSpanTagger({
        train,
        dev,
        encoder: enc,
        outDir: checkpointDir,
        seed: ctx.global.seed,
        epochs,
        batchSize,
        lr,
        ...(encoderLr !== undefined ? { encoderLr } : {}),
        earlyStoppingPatience: patience,
        resume,
        ...(minutes !== undefined ? { timeBudgetMinutes: minutes } : {}),
        tuneThresholds: tune,
        meta: { trainFile: trainPath, devFile: devPath },
        onProgress: (p) => {
          if (!bar) {
            // After a resume the first report comes late in the schedule: count from there.
            last = p.kind === 'step' ? p.step - 1 : p.step;
            bar = ctx.progress('train', Math.max(1, p.totalSteps - last), {
              logEveryMs: 15_000,
              ...(limitMs !== undefined ? { limitMs } : {}),
            });
          }
          if (p.step > last) {
            bar.tick(p.step - last, `epoch ${p.epoch}${p.loss ? ` loss ${p.loss.total.toFixed(3)}` : ''}`);
            last = p.step;
          }
          if (p.kind === 'epoch' && p.record) {
            const r = p.record;
            ctx.out.debug(
              `epoch ${r.epoch}: dev micro F1 ${pct(r.devMicroF1)}${r.improved ? ' (best)' : ''}`,
            );
          }
        },
      });
      bar?.done();
      dispose = () => result.tagger.dispose();
      await result.tagger.save(join(folder.tmp, RUN.taggerDir), {
        trainFile: trainPath,
        devFile: devPath,
        bestEpoch: result.bestEpoch,
        devMicroF1: result.bestDevMicroF1,
      });
      // The trainer's own copy of the best tagger duplicates model/tagger.
      await rm(join(checkpointDir, 'best'), { recursive: true, force: true });
      const { report } = await sd.evaluateTagger(result.tagger, dev);
      summary = {
        bestEpoch: result.bestEpoch,
        epochsDone: result.epochsDone,
        stoppedEarly: result.stoppedEarly,
        timedOut: result.timedOut,
        devMicroF1: report.micro.f1,
        devMacroF1: report.macro.f1,
        seconds: (performance.now() - t0) / 1000,
      };
      const config = {
        command: 'train',
        version: VERSION,
        createdAt: new Date().toISOString(),
        commit: gitCommit(ctx.cwd) ?? null,
        data: { train: trainPath, dev: devPath, trainSentences: train.length, devSentences: dev.length },
        types: result.tagger.types,
        epochs,
        minutes: minutes ?? null,
        batchSize,
        lr,
        encoderLr: encoderLr ?? lr,
        patience,
        tuneThresholds: tune,
        seed: ctx.global.seed,
        encoder: encoder.path,
        backend: ctx.global.backend ?? null,
        node: process.version,
      };
      await writeFile(join(folder.tmp, RUN.config), `${JSON.stringify(config, null, 2)}\n`);
      const full = {
        command: 'train',
        ...summary,
        decode: result.tagger.decodeOptions,
        dev: report,
        history: result.history,
      };
      await writeFile(join(folder.tmp, RUN.report), `${JSON.stringify(full, null, 2)}\n`);
      await folder.commit();
      ctx.out.result({ out, model: join(out, RUN.taggerDir), ...summary, perType: report.perType }, () =>
        [
          `trained a span tagger for ${result.tagger.types.join(', ')}: best epoch ${result.bestEpoch + 1} of ${result.epochsDone}` +
            `${result.timedOut ? ' (time limit)' : result.stoppedEarly ? ' (early stop)' : ''} in ${formatDuration(Number(summary['seconds']))}`,
          `dev micro F1 ${pct(report.micro.f1)}  macro F1 ${pct(report.macro.f1)}  (P ${pct(report.micro.precision)} R ${pct(report.micro.recall)})`,
          ...Object.entries(report.perType).map(
            ([t, m]) => `  ${t.padEnd(14)} F1 ${pct(m.f1).padStart(5)}  (${m.support} gold)`,
          ),
          `model: ${join(out, RUN.taggerDir)}`,
          `report: ${join(out, RUN.report)}`,
        ].join('\n'),
      );
    } catch (err) {
      const kept = await folder.abort();
      if (kept)
        ctx.out.warn(
          `the unfinished run is kept in ${folder.tmp}; run the same command with --resume to continue it`,
        );
      const msg = (err as Error).message ?? '';
      if (resume && /checkpoint\.bin/.test(msg)) {
        throw new UsageError(`${msg.split('\n')[0]}; or pass --force instead of --resume to start over`, {
          cause: err,
        });
      }
      throw err;
    } finally {
      stopHandling();
      dispose?.();
    }
    return 0;
  },
});
