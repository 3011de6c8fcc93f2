import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { STOCKMARK_FOLDS } from '@nerima/core';
import {
  getFlag,
  getInt,
  getIntList,
  getList,
  getNumber,
  getString,
  requireString,
  userPath,
} from '../args.js';
import { defineCommand } from '../command.js';
import { CUE_OPTIONS } from '../cue-options.js';
import { loadTrainData } from '../data.js';
import { resolveEncoder } from '../encoder-file.js';
import { DataError, UsageError } from '../errors.js';
import { gitCommit } from '../evaluate.js';
import { RUN } from '../layout.js';
import { formatDuration } from '../progress.js';
import { onInterrupt, startResumableRunFolder, timestampName } from '../run-folder.js';
import { parseFold } from '../type-split.js';
import { VERSION } from '../version.js';

/** meta-core's VARIANTS keys (kept here so `--help` needs no tfjs import). */
const VARIANTS = ['full', 'noControl', 'noMaml', 'noPrototypes', 'protoOnly', 'mamlOnly'] as const;

export const metaTrainCommand = defineCommand({
  name: 'meta-train',
  summary: 'meta-train MAML-ProtoNet++ on episodes of the training types and save it in a run folder',
  description: `Samples N-way K-shot training episodes from the data (only --train-types are labelled, other
mentions become non-entities), and meta-trains MAML-ProtoNet++ on the frozen encoder: task statistics →
control network (inner learning rates, scale, level weights) → inner MAML steps on the support loss →
prototypes → query loss. Stops after --episodes or --minutes, whichever comes first.
Writes <out>/model/meta/ (model.json, a copy of the encoder, meta.json), <out>/checkpoints/meta/
checkpoint.json (every --checkpoint-every episodes), config.json and report.json (losses).
The run is written in .<out>.partial beside --out and renamed when done; if it fails or is killed, the
partial folder keeps the last checkpoint and the same command with --resume continues from it (to the
same result as an uninterrupted run). --resume on a finished run continues it to a larger --episodes.
Adapt the result to new types with "nerima adapt", or serve it with "nerima serve".`,
  options: {
    data: {
      type: 'string',
      short: 'd',
      valueName: '<file|dir>',
      description: 'training data: a dataset file, or a folder with train.jsonl (and types.json)',
    },
    types: {
      type: 'string',
      valueName: '<types.json>',
      description: 'allowed types; rows with others are errors',
    },
    'train-types': {
      type: 'string',
      valueName: '<T1,T2,...>',
      description: 'types to meta-train on',
      defaultText: 'every type of the data',
    },
    fold: { type: 'string', valueName: '<A|B>', description: "meta-train on a Stockmark fold's train types" },
    n: {
      type: 'string',
      valueName: '<n,...>',
      description: 'N of the training episodes (one drawn per episode)',
      defaultText: '2,3,4 (those ≤ the number of train types)',
    },
    k: {
      type: 'string',
      valueName: '<k,...>',
      description: 'K of the training episodes',
      defaultText: '1,5',
    },
    episodes: {
      type: 'string',
      valueName: '<count>',
      description: 'training episodes in total',
      defaultText: '2000',
    },
    minutes: {
      type: 'string',
      valueName: '<m>',
      description: 'time limit of the training loop (decimals allowed)',
    },
    'checkpoint-every': {
      type: 'string',
      valueName: '<count>',
      description: 'write checkpoints/meta/checkpoint.json every this many episodes',
      defaultText: '50',
    },
    variant: {
      type: 'string',
      valueName: '<name>',
      description: `model variant: ${VARIANTS.join(', ')} (ablations and baselines)`,
      defaultText: 'full',
    },
    encoder: {
      type: 'string',
      valueName: '<dir|file>',
      description: 'encoder: a folder with encoder.bin, or the file',
      defaultText: '$NERIMA_ENCODER, else models/encoder of the repository',
    },
    out: {
      type: 'string',
      short: 'o',
      valueName: '<dir>',
      description: 'run folder',
      defaultText: 'runs/meta-<timestamp>',
    },
    resume: {
      type: 'boolean',
      description: 'continue an unfinished (or finished) run of --out from its checkpoint',
    },
    force: { type: 'boolean', description: 'replace a non-empty --out, or discard an unfinished run of it' },
    ...CUE_OPTIONS,
  },
  examples: [
    {
      command: 'nerima meta-train --data ../shared/data/stockmark --fold A --minutes 30 --out runs/meta-A',
      description: "Stockmark fold A's train types, 30 minutes (or 2000 episodes)",
    },
    {
      command:
        'nerima meta-train --data ../shared/data/stockmark --fold A --minutes 30 --out runs/meta-A --resume',
      description: 'after a crash or Ctrl-C: continue from the last checkpoint',
    },
    {
      command:
        'nerima meta-train --data data/demo --train-types PERSON,LOCATION,PRODUCT --n 2,3 --k 1,5 --episodes 300',
      description: 'the demo corpus, three types, 300 episodes',
    },
  ],
  async run(ctx) {
    const t0 = performance.now();
    const dataArg = requireString(ctx.values, 'data', 'a dataset file or a folder with train.jsonl');
    const typesArg = getString(ctx.values, 'types');
    const episodes = getInt(ctx.values, 'episodes', 2000, { min: 1, max: 10_000_000 });
    const minutes = getNumber(ctx.values, 'minutes', undefined, { above: 0, max: 100_000 });
    const every = getInt(ctx.values, 'checkpoint-every', 50, { min: 1, max: 10_000_000 });
    const k = getIntList(ctx.values, 'k', [1, 5], { min: 1, max: 1000 });
    const variant = getString(ctx.values, 'variant', 'full');
    if (!(VARIANTS as readonly string[]).includes(variant)) {
      throw new UsageError(`--variant must be one of ${VARIANTS.join(', ')}, got ${JSON.stringify(variant)}`);
    }
    const fold = parseFold(getString(ctx.values, 'fold'));
    const listed =
      ctx.values['train-types'] === undefined ? undefined : getList(ctx.values, 'train-types', []);
    if (fold && fold !== 'none' && listed) throw new UsageError('give --fold or --train-types, not both');
    const out = userPath(ctx, getString(ctx.values, 'out', `runs/meta-${timestampName()}`));
    const force = getFlag(ctx.values, 'force');
    const resume = getFlag(ctx.values, 'resume');
    const encoder = await resolveEncoder(ctx, getString(ctx.values, 'encoder'));

    const data = await loadTrainData(userPath(ctx, dataArg), typesArg ? userPath(ctx, typesArg) : undefined);
    const trainTypes =
      fold === 'A' || fold === 'B' ? [...STOCKMARK_FOLDS[fold].train] : (listed ?? data.types);
    const unknown = trainTypes.filter((t) => !data.types.includes(t));
    if (unknown.length > 0) {
      throw new DataError(
        `${data.file}: unknown entity type(s) ${unknown.join(', ')}; the data has ${data.types.join(', ') || 'no types'}`,
      );
    }
    if (trainTypes.length === 0) throw new DataError(`${data.file}: no entity types to meta-train on`);
    const n = getIntList(
      ctx.values,
      'n',
      [2, 3, 4].filter((x) => x <= trainTypes.length).concat(trainTypes.length < 2 ? [1] : []),
      { min: 1, max: 1000 },
    );
    const { resolveCueFiles } = await import('../cue-files.js');
    const cues = resolveCueFiles(ctx, ctx.values);
    const { checkMetaTrainingData, runMetaTraining } = await import('../meta-training.js');
    checkMetaTrainingData(data.sentences, trainTypes, n, k, data.file);

    const folder = await startResumableRunFolder(out, {
      force,
      resume,
      checkpoints: [RUN.metaCheckpoint],
    });
    if (resume && folder.resumedFrom === null)
      ctx.out.warn(`nothing to resume at ${out}; starting a new run`);
    if (folder.resumedFrom === 'finished')
      ctx.out.info(`continuing the finished run ${out} from its checkpoint`);
    ctx.out.info(
      `data: ${data.file}: ${data.sentences.length} sentences; train types ${trainTypes.join(', ')}; episodes ${n.join('/')}-way ${k.join('/')}-shot`,
    );
    let trained: Awaited<ReturnType<typeof runMetaTraining>> | undefined;
    const stopHandling = onInterrupt(
      () =>
        existsSync(join(folder.tmp, RUN.metaCheckpoint))
          ? `interrupted: the unfinished run is kept in ${folder.tmp} (last checkpoint); run the same command with --resume to continue it`
          : 'interrupted before the first checkpoint',
      (line) => ctx.out.warn(line),
    );
    try {
      trained = await runMetaTraining(ctx, {
        train: data.sentences,
        trainTypes,
        encoder,
        n,
        k,
        episodes,
        ...(minutes !== undefined ? { minutes } : {}),
        seed: ctx.global.seed,
        checkpointDir: join(folder.tmp, 'checkpoints/meta'),
        checkpointEvery: every,
        resume,
        variant: variant as (typeof VARIANTS)[number],
        cues,
      });
      const { saveMetaFolder } = await import('../model-folder.js');
      await saveMetaFolder(join(folder.tmp, RUN.metaDir), trained.learner, encoder.path, {
        trainTypes,
        training: trained.summary,
        encoderSource: `${encoder.path} (${encoder.source})`,
        cues,
      });
      const config = {
        command: 'meta-train',
        version: VERSION,
        createdAt: new Date().toISOString(),
        commit: gitCommit(ctx.cwd) ?? null,
        data: { source: data.source, file: data.file, sentences: data.sentences.length, types: data.types },
        trainTypes,
        variant,
        n,
        k,
        episodes,
        minutes: minutes ?? null,
        checkpointEvery: every,
        seed: ctx.global.seed,
        encoder: encoder.path,
        spanCues: cues,
        backend: ctx.global.backend ?? null,
        node: process.version,
      };
      await writeFile(join(folder.tmp, RUN.config), `${JSON.stringify(config, null, 2)}\n`);
      const report = { command: 'meta-train', training: trained.summary, losses: trained.result.losses };
      await writeFile(join(folder.tmp, RUN.report), `${JSON.stringify(report, null, 2)}\n`);
      await folder.commit();
    } catch (err) {
      const kept = await folder.abort();
      if (kept)
        ctx.out.warn(
          `the unfinished run is kept in ${folder.tmp}; run the same command with --resume to continue it`,
        );
      throw err;
    } finally {
      stopHandling();
      trained?.dispose();
    }
    const s = trained.summary;
    ctx.out.result(
      { out, model: join(out, RUN.metaDir), training: s, seconds: (performance.now() - t0) / 1000 },
      () =>
        [
          `meta-trained maml-protonet++${variant === 'full' ? '' : ` (${variant})`} on ${trainTypes.join(', ')}: ${s['episodes']} episodes in ${formatDuration(Number(s['minutes']) * 60)}, stopped by ${s['stoppedBy'] === 'minutes' ? 'the time limit' : 'the episode count'}`,
          `model: ${join(out, RUN.metaDir)}`,
          `next: nerima adapt --model ${out} --support <support.jsonl> --out <dir>`,
        ].join('\n'),
    );
    return 0;
  },
});
