import { existsSync, rmSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import {
  type Episode,
  type FewShotLearner,
  generateDemoCorpus,
  type Sentence,
  splitByTypes,
} from '@nerima/core';
import { buildReport, defaultSettings, type ReportRun, writeReport } from '@nerima/eval';
import { getFlag, getInt, getList, getNumber, getString, userPath } from '../args.js';
import { defineCommand } from '../command.js';
import { CUE_OPTIONS } from '../cue-options.js';
import { type EvalData, loadEvalData } from '../data.js';
import { resolveEncoder } from '../encoder-file.js';
import { DataError, UsageError } from '../errors.js';
import { formatScore, gitCommit, methodContext, runSetting, sampleSetting } from '../evaluate.js';
import { RUN } from '../layout.js';
import { findMethod, type MethodSpec, methods } from '../methods.js';
import { formatDuration } from '../progress.js';
import { checkRunFolder, onInterrupt, startRunFolder, timestampName } from '../run-folder.js';
import { countMentions } from '../support.js';
import { chooseTypeSplit } from '../type-split.js';
import { VERSION } from '../version.js';

/** The meta-learner's name in reports and `--methods`. */
const META = 'maml-protonet++';

function seconds(since: number): string {
  return formatDuration((performance.now() - since) / 1000);
}

/** The KB to use: --kb, else $NERIMA_DATA/kb/entities.jsonl, else <data>/../kb/entities.jsonl. */
function findKb(
  kbArg: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
  dataDir: string | undefined,
): { path: string; how: string } | undefined {
  if (kbArg) return { path: kbArg, how: '--kb' };
  const candidates: [string, string][] = [];
  if (env['NERIMA_DATA']) candidates.push([join(env['NERIMA_DATA'], 'kb/entities.jsonl'), '$NERIMA_DATA/kb']);
  if (dataDir) candidates.push([join(dirname(dataDir), 'kb/entities.jsonl'), 'beside --data']);
  for (const [path, how] of candidates) if (existsSync(path)) return { path, how };
  return undefined;
}

export const pipelineCommand = defineCommand({
  name: 'pipeline',
  summary:
    'run everything: data → augment → align → meta-train → episode evaluation → run folder with a report',
  description: `The whole job, end to end:
  1. data: the demo corpus (generated in memory from --seed), or --data: a folder with train.jsonl and
     test.jsonl (else dev.jsonl) and types.json, like ../shared/data/stockmark or "nerima demo-data";
  2. types: meta-training sees the train types only, evaluation uses the held-out (novel) test types:
     Stockmark fold A by default when the data has the Stockmark types (the demo corpus and
     Stockmark do), else --fold, --train-types / --test-types, or every other type by frequency;
  3. augment: mention swap and context change on the training sentences (--no-augment skips it);
  4. align: contrastive cross-lingual alignment of the encoder on a ja/en/zh KB (--kb, or
     $NERIMA_DATA/kb, or a kb/ folder beside --data); on by default when a KB is found, except on
     the demo data (--align turns it on there, --no-align off everywhere);
  5. meta-train MAML-ProtoNet++ on the train types for --minutes (or --train-episodes);
  6. evaluate MAML-ProtoNet++ and the baselines on the same seeded N-way 5-shot and 1-shot test
     episodes of the test types from the held-out sentences (N = 5, or the number of test types);
  7. write the run folder: config.json, augment/, align/, checkpoints/meta/, model/meta/ (servable
     with "nerima serve", adaptable with "nerima adapt"), report.json, report.md, report.svg.
The folder is written under a temporary name and renamed when complete (a non-empty --out is refused
unless --force). Prints the report path and the headline macro F1 (MAML-ProtoNet++, largest K).`,
  options: {
    data: {
      type: 'string',
      short: 'd',
      valueName: '<dir|file>',
      description:
        'a folder with train.jsonl + test.jsonl (else dev.jsonl) + types.json; a single file can only be used with --methods lexicon',
      defaultText: 'the demo corpus',
    },
    types: {
      type: 'string',
      valueName: '<types.json>',
      description: 'allowed types; rows with others are errors',
    },
    out: {
      type: 'string',
      short: 'o',
      valueName: '<dir>',
      description: 'run folder',
      defaultText: 'runs/<timestamp>',
    },
    force: { type: 'boolean', description: 'replace a non-empty --out folder' },
    'span-cues': CUE_OPTIONS['span-cues'],
    vectors: CUE_OPTIONS.vectors,
    episodes: {
      type: 'string',
      valueName: '<count>',
      description: 'test episodes per setting',
      defaultText: '50',
    },
    minutes: {
      type: 'string',
      valueName: '<m>',
      description: 'time limit of meta-training (decimals allowed)',
      defaultText: '1.5',
    },
    'train-episodes': {
      type: 'string',
      valueName: '<count>',
      description: 'meta-training episodes at most',
      defaultText: '2000',
    },
    methods: {
      type: 'string',
      valueName: '<m1,m2>',
      description: `methods to evaluate: ${META} (meta-trained here), ${methods.map((m) => m.name).join(', ')}`,
      defaultText: `${META},${methods
        .filter((m) => m.inPipeline)
        .map((m) => m.name)
        .join(',')}`,
    },
    fold: {
      type: 'string',
      valueName: '<A|B|none>',
      description: 'Stockmark type fold (train / test types)',
    },
    'train-types': { type: 'string', valueName: '<T1,...>', description: 'types to meta-train on' },
    'test-types': { type: 'string', valueName: '<T1,...>', description: 'novel types to evaluate on' },
    encoder: {
      type: 'string',
      valueName: '<dir|file>',
      description: 'encoder: a folder with encoder.bin, or the file',
      defaultText: '$NERIMA_ENCODER, else models/encoder of the repository',
    },
    'no-augment': { type: 'boolean', description: 'skip the augmentation stage' },
    'augment-max': {
      type: 'string',
      valueName: '<n>',
      description: 'new sentences used at most (a seeded sample)',
      defaultText: 'the number of training sentences, at most 2000',
    },
    align: { type: 'boolean', description: 'run the alignment stage (needs a KB)' },
    'no-align': { type: 'boolean', description: 'skip the alignment stage' },
    kb: {
      type: 'string',
      valueName: '<entities.jsonl>',
      description: 'ja/en/zh KB for alignment and KB mention swaps',
    },
    'align-minutes': {
      type: 'string',
      valueName: '<m>',
      description: 'time limit of the alignment',
      defaultText: '1',
    },
  },
  examples: [
    {
      command: 'nerima pipeline',
      description: 'the demo corpus, a few minutes on 2 cores; report in runs/<timestamp>',
    },
    {
      command: 'nerima pipeline --data ../shared/data/stockmark --out runs/stockmark-A',
      description:
        'Stockmark, fold A (train on 4 types, test 4-way on the other 4, dev sentences), KB alignment',
    },
    {
      command: 'nerima pipeline --minutes 0.2 --episodes 5 --out runs/quick --json',
      description: 'a smoke test with machine-readable output',
    },
    {
      command: 'nerima pipeline --methods lexicon --episodes 100',
      description: 'only the lexicon baseline (no encoder, no training: seconds)',
    },
  ],
  async run(ctx) {
    const t0 = performance.now();
    const count = getInt(ctx.values, 'episodes', 50, { min: 1, max: 1_000_000 });
    const minutes = getNumber(ctx.values, 'minutes', 1.5, { above: 0, max: 100_000 });
    const trainEpisodes = getInt(ctx.values, 'train-episodes', 2000, { min: 1, max: 10_000_000 });
    const alignMinutes = getNumber(ctx.values, 'align-minutes', 1, { above: 0, max: 100_000 });
    const out = userPath(ctx, getString(ctx.values, 'out', `runs/${timestampName()}`));
    const force = getFlag(ctx.values, 'force');
    await checkRunFolder(out, force);
    const methodNames = getList(ctx.values, 'methods', [
      META,
      ...methods.filter((m) => m.inPipeline).map((m) => m.name),
    ]);
    const withMeta = methodNames.includes(META);
    const selected: MethodSpec[] = methodNames
      .filter((n) => n !== META)
      .map((name) => {
        const m = findMethod(name);
        if (!m) {
          throw new UsageError(
            `unknown method ${name} in --methods; available: ${[META, ...methods.map((x) => x.name)].join(', ')}`,
          );
        }
        return m;
      });
    const listed = (name: string) =>
      ctx.values[name] === undefined ? undefined : getList(ctx.values, name, []);
    const trainTypesArg = listed('train-types');
    const testTypesArg = listed('test-types');
    const dataArg = getString(ctx.values, 'data');
    const typesArg = getString(ctx.values, 'types');
    if (typesArg && !dataArg)
      throw new UsageError('--types needs --data (the demo corpus has its own types)');
    if (getFlag(ctx.values, 'align') && getFlag(ctx.values, 'no-align')) {
      throw new UsageError('give --align or --no-align, not both');
    }
    const augmentOn = withMeta && !getFlag(ctx.values, 'no-augment');
    const encoder = withMeta ? await resolveEncoder(ctx, getString(ctx.values, 'encoder')) : undefined;

    // 1. Data.
    let data: EvalData;
    const isDemo = !dataArg;
    const dataPath = dataArg ? userPath(ctx, dataArg) : undefined;
    if (dataPath) {
      data = await loadEvalData(dataPath, typesArg ? userPath(ctx, typesArg) : undefined);
    } else {
      const corpus = generateDemoCorpus({ seed: ctx.global.seed });
      data = {
        source: `demo corpus (seed ${ctx.global.seed}, generated in memory)`,
        heldOutFile: 'demo corpus test split',
        heldOut: corpus.test,
        train: corpus.train,
        types: corpus.types,
      };
    }
    if (withMeta && (!data.train || data.train.length === 0)) {
      throw new DataError(
        `${data.source}: no training sentences for meta-training (give a folder with train.jsonl), or evaluate only the baselines with --methods lexicon`,
      );
    }
    const counts = countMentions([...(data.train ?? []), ...data.heldOut]);
    const split = chooseTypeSplit(data.types, counts, data.source, {
      ...(ctx.values['fold'] !== undefined ? { fold: getString(ctx.values, 'fold', '') } : {}),
      ...(trainTypesArg ? { train: trainTypesArg } : {}),
      ...(testTypesArg ? { test: testTypesArg } : {}),
    });
    const testTypes = split.test;
    ctx.out.info(
      `data: ${data.source}: ${data.train ? `${data.train.length} training, ` : ''}${data.heldOut.length} held-out sentences (${data.heldOutFile})`,
    );
    ctx.out.info(`types: ${split.how}: train ${split.train.join(', ')}; test ${testTypes.join(', ')}`);

    // Episodes first: a data problem (too few mentions for K) fails before any training.
    const settings = defaultSettings(testTypes).sort((a, b) => b.k - a.k);
    const episodes = new Map<string, Episode[]>();
    for (const s of settings) {
      episodes.set(
        s.name,
        sampleSetting(data.heldOut, testTypes, s, count, ctx.global.seed, data.heldOutFile),
      );
    }
    const n = [2, 3, 4].filter((x) => x <= split.train.length);
    if (n.length === 0) n.push(1);
    const k = [1, 5];
    const trainPool: Sentence[] = withMeta ? splitByTypes(data.train ?? [], split.train) : [];
    if (withMeta) {
      const { checkMetaTrainingData } = await import('../meta-training.js');
      checkMetaTrainingData(trainPool, split.train, n, k, data.source);
    }

    // KB and alignment decision.
    const kb = findKb(
      getString(ctx.values, 'kb') ? userPath(ctx, getString(ctx.values, 'kb', '')) : undefined,
      ctx.env,
      dataPath,
    );
    let alignWhy: string;
    let alignOn = false;
    if (!withMeta) alignWhy = `off (no ${META} in --methods)`;
    else if (getFlag(ctx.values, 'no-align')) alignWhy = 'off (--no-align)';
    else if (getFlag(ctx.values, 'align')) {
      if (!kb) {
        throw new UsageError(
          '--align needs a KB: pass --kb <entities.jsonl> (like ../shared/data/kb/entities.jsonl) or set NERIMA_DATA',
        );
      }
      alignOn = true;
      alignWhy = `on (--align; KB ${kb.path})`;
    } else if (isDemo) {
      alignWhy = 'off by default on the demo data (pass --align --kb <entities.jsonl> to run it)';
    } else if (kb) {
      alignOn = true;
      alignWhy = `on (KB ${kb.path}, found via ${kb.how}; --no-align skips it)`;
    } else {
      alignWhy = 'off (no KB found: pass --kb <entities.jsonl> or set NERIMA_DATA)';
    }
    // KB mention swaps: an explicit --kb, or a KB found for real data.
    const swapKb = augmentOn && kb && (kb.how === '--kb' || !isDemo) ? kb.path : undefined;

    const folder = await startRunFolder(out, force);
    const stopHandling = onInterrupt(
      () => {
        rmSync(folder.tmp, { recursive: true, force: true });
        return `interrupted; nothing was written to ${out}`;
      },
      (line) => ctx.out.warn(line),
    );
    const disposers: (() => void)[] = [];
    const runs: ReportRun[] = [];
    try {
      // 2. Augment.
      let trainSentences = trainPool;
      let augmentSummary: unknown = null;
      if (augmentOn) {
        const t = performance.now();
        const { augmentTraining } = await import('../stages.js');
        const max = getInt(ctx.values, 'augment-max', Math.min(2000, trainPool.length), {
          min: 0,
          max: 10_000_000,
        });
        const dir = join(folder.tmp, 'augment');
        await mkdir(dir);
        const a = await augmentTraining(ctx, trainPool, {
          seed: ctx.global.seed,
          max,
          dir,
          ...(swapKb ? { kbPath: swapKb } : {}),
        });
        trainSentences = a.sentences;
        augmentSummary = a.summary;
        ctx.out.info(
          `augment: ${a.summary.input} → ${trainSentences.length} training sentences (${Object.entries(
            a.summary.perGenerator,
          )
            .map(([g, c]) => `${g} ${c.kept} kept of ${c.generated}`)
            .join(
              ', ',
            )}${a.summary.used < a.summary.kept ? `; ${a.summary.used} used` : ''}${swapKb ? '; KB swaps' : ''}) (${seconds(t)})`,
        );
      } else {
        ctx.out.info(`augment: off${withMeta ? ' (--no-augment)' : ''}`);
      }

      // 3. Align.
      ctx.out.info(`alignment: ${alignWhy}`);
      let encoderPath = encoder?.path;
      let alignSummary: unknown = null;
      if (alignOn && kb && encoder) {
        const { initTensorBackend } = await import('../backend.js');
        await initTensorBackend(ctx);
        const { alignStage } = await import('../stages.js');
        const a = await alignStage(ctx, {
          kbPath: kb.path,
          encoder: encoder.path,
          minutes: alignMinutes,
          seed: ctx.global.seed,
          dir: join(folder.tmp, 'align'),
        });
        encoderPath = a.encoder;
        alignSummary = a.summary;
      }

      // 4. Meta-train.
      const learners: { name: string; learner: FewShotLearner }[] = [];
      let metaSummary: Record<string, unknown> | null = null;
      if (withMeta && encoder && encoderPath) {
        const { runMetaTraining } = await import('../meta-training.js');
        const { saveMetaFolder } = await import('../model-folder.js');
        // The KB cue uses the KB when one was given or found for real data (as the mention swaps do).
        const { resolveCueFiles } = await import('../cue-files.js');
        const cueKb = kb && (kb.how === '--kb' || !isDemo) ? kb.path : undefined;
        const cues = resolveCueFiles(ctx, { ...ctx.values, kb: cueKb });
        const evalTexts = [...episodes.values()]
          .flat()
          .flatMap((e) => [...e.support, ...e.query].map((s) => s.text));
        const trained = await runMetaTraining(ctx, {
          train: trainSentences,
          trainTypes: split.train,
          encoder:
            encoderPath === encoder.path
              ? encoder
              : {
                  path: encoderPath,
                  source: 'aligned',
                  label: `${join(out, 'align/encoder.bin')} (aligned in this run)`,
                },
          n,
          k,
          episodes: trainEpisodes,
          minutes,
          seed: ctx.global.seed,
          checkpointDir: join(folder.tmp, 'checkpoints/meta'),
          checkpointEvery: 50,
          resume: false,
          variant: 'full',
          extraTexts: evalTexts,
          cues,
        });
        disposers.push(() => trained.dispose());
        metaSummary = trained.summary;
        await saveMetaFolder(join(folder.tmp, RUN.metaDir), trained.learner, encoderPath, {
          trainTypes: split.train,
          training: trained.summary,
          encoderSource: alignOn
            ? `${encoder.path}, aligned on ${kb?.path}`
            : `${encoder.path} (${encoder.source})`,
          cues,
        });
        learners.push({ name: META, learner: trained.learner });
      }

      // 5. Evaluate, every method on the same episodes.
      const used: { backend?: string } = {};
      for (const m of selected) {
        learners.push({ name: m.name, learner: await m.create(methodContext(ctx, data, testTypes, used)) });
      }
      for (const { name, learner } of learners) {
        const t1 = performance.now();
        for (const s of settings)
          runs.push(await runSetting(ctx, name, learner, s, episodes.get(s.name) ?? []));
        ctx.out.info(`${name}: evaluated (${seconds(t1)})`);
      }

      // 6. Run folder.
      const config = {
        command: 'pipeline',
        version: VERSION,
        createdAt: new Date().toISOString(),
        commit: gitCommit(ctx.cwd) ?? null,
        data: {
          source: data.source,
          heldOut: data.heldOutFile,
          heldOutSentences: data.heldOut.length,
          trainSentences: data.train?.length ?? null,
          types: data.types,
        },
        trainTypes: withMeta ? split.train : null,
        testTypes,
        typeSplit: split.how,
        settings,
        episodesPerSetting: count,
        methods: learners.map((l) => l.name),
        augment: augmentSummary,
        alignment: { on: alignOn, why: alignWhy, ...(alignSummary ? { result: alignSummary } : {}) },
        metaTraining: metaSummary
          ? { ...metaSummary, limitMinutes: minutes, maxEpisodes: trainEpisodes, encoder: encoder?.path }
          : null,
        seed: ctx.global.seed,
        backend: used.backend ?? ctx.global.backend ?? null,
        node: process.version,
        platform: `${process.platform}-${process.arch}`,
      };
      await writeFile(join(folder.tmp, RUN.config), `${JSON.stringify(config, null, 2)}\n`);
      const reportMeta: Record<string, unknown> = {
        data: data.source,
        'train types': withMeta ? split.train.join(', ') : 'none (no meta-training)',
        'test types': `${testTypes.join(', ')} (${split.how})`,
        augmentation: augmentSummary
          ? `${(augmentSummary as { used: number }).used} new training sentences`
          : 'off',
        alignment: alignWhy,
        'meta-training': metaSummary
          ? `${metaSummary['episodes']} episodes in ${formatDuration(Number(metaSummary['minutes']) * 60)} (stopped by ${metaSummary['stoppedBy'] === 'minutes' ? 'the time limit' : 'the episode count'})`
          : 'none',
        seed: ctx.global.seed,
      };
      const report = buildReport(runs, { title: `nerima pipeline — ${data.source}`, meta: reportMeta });
      await writeReport(folder.tmp, report);
      await folder.commit();
    } catch (err) {
      await folder.abort();
      throw err;
    } finally {
      stopHandling();
      for (const d of disposers) d();
    }

    const written = {
      dir: out,
      config: join(out, RUN.config),
      json: join(out, 'report.json'),
      markdown: join(out, 'report.md'),
      svg: join(out, 'report.svg'),
      ...(withMeta ? { model: join(out, RUN.metaDir) } : {}),
    };
    const summary = runs.map((r) => ({
      method: r.method,
      setting: r.setting,
      episodes: r.result.episodes.length,
      macroF1: r.result.summary.macroF1.mean,
      macroF1Ci95: r.result.summary.macroF1.ci95,
      microF1: r.result.summary.microF1.mean,
    }));
    const headline = summary[0];
    ctx.out.result(
      {
        out,
        files: written,
        headline: headline ?? null,
        runs: summary,
        seconds: (performance.now() - t0) / 1000,
      },
      () =>
        [
          ...runs.map(
            (r) =>
              `${r.method.padEnd(16)} ${r.setting.padEnd(13)} macro F1 ${formatScore(r.result.summary.macroF1.mean, r.result.summary.macroF1.ci95)}`,
          ),
          `report: ${written.markdown}`,
          ...(withMeta ? [`model: ${written.model} (nerima serve --model ${out})`] : []),
          headline
            ? `headline: ${headline.method} ${headline.setting} macro F1 = ${headline.macroF1.toFixed(4)}`
            : '',
          `done in ${seconds(t0)}`,
        ].join('\n'),
    );
    return 0;
  },
});
