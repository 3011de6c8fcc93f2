import type { ProtocolSetting } from '@nerima/eval';
import { getFlag, getInt, getList, getString, requireString, userPath } from '../args.js';
import { defineCommand } from '../command.js';
import { loadEvalData } from '../data.js';
import { DataError, UsageError } from '../errors.js';
import {
  chooseTestTypes,
  formatScore,
  gitCommit,
  methodContext,
  runSetting,
  sampleSetting,
  writeRunFolder,
} from '../evaluate.js';
import { findMethod, methods } from '../methods.js';
import { checkRunFolder, timestampName } from '../run-folder.js';
import { VERSION } from '../version.js';

/** The meta-learner, evaluated from a run folder's model/meta. */
const META = 'maml-protonet++';

export const evalCommand = defineCommand({
  name: 'eval',
  summary: 'run the N-way K-shot episode protocol for one method and write a report',
  description: `Samples --episodes N-way K-shot episodes (Few-NERD greedy sampling: each type gets K to 2K support
mentions and as many query mentions) from the data, adapts the method to each support set, tags
the query sentences and scores spans (macro F1 over the episode's types, with a 95% CI over
episodes). Writes config.json, report.json, report.md and report.svg to --out.
With a folder, episodes come from test.jsonl (else dev.jsonl). Methods: ${methods.map((m) => m.name).join(', ')};
maml-protonet++ from a run folder with --model (for a novel-type evaluation, choose types the model
was not meta-trained on, e.g. --fold A for a model of fold A's train types).`,
  options: {
    data: {
      type: 'string',
      short: 'd',
      valueName: '<file|dir>',
      description: 'dataset file, or a folder with test.jsonl',
    },
    types: {
      type: 'string',
      valueName: '<types.json>',
      description: 'allowed types; rows with others are errors',
    },
    n: {
      type: 'string',
      valueName: '<n>',
      description: 'types per episode (N)',
      defaultText: '5, or the number of test types if fewer',
    },
    k: { type: 'string', valueName: '<k>', description: 'support mentions per type (K)', defaultText: '5' },
    episodes: { type: 'string', valueName: '<count>', description: 'number of episodes', defaultText: '100' },
    method: {
      type: 'string',
      short: 'm',
      valueName: '<name>',
      description: `few-shot method: ${[...methods.map((m) => m.name), META].join(', ')}`,
      defaultText: `lexicon, or ${META} with --model`,
    },
    model: {
      type: 'string',
      valueName: '<run folder>',
      description: `evaluate the ${META} model of a run folder (nerima meta-train / pipeline)`,
    },
    fold: {
      type: 'string',
      valueName: '<A|B>',
      description: "draw types from a Stockmark fold's test types",
    },
    'test-types': { type: 'string', valueName: '<T1,T2,...>', description: 'draw types from this list' },
    out: {
      type: 'string',
      short: 'o',
      valueName: '<dir>',
      description: 'run folder to write',
      defaultText: 'runs/eval-<timestamp>',
    },
    force: { type: 'boolean', description: 'replace a non-empty --out folder' },
  },
  examples: [
    {
      command:
        'nerima eval --data ../shared/data/stockmark/dev.jsonl --n 5 --k 5 --episodes 100 --out runs/lexicon-5w5s',
      description: 'lexicon baseline, 5-way 5-shot, on the Stockmark dev split',
    },
    {
      command:
        'nerima eval --data ../shared/data/stockmark --model runs/meta-A --fold A --k 5 --episodes 500',
      description: 'the meta-trained model of a run on 500 episodes of the novel fold A types',
    },
    {
      command: 'nerima eval --data data/demo --k 1 --fold A --seed 3',
      description: "4-way 1-shot on the demo corpus's test split, Stockmark fold A test types (N is capped)",
    },
  ],
  async run(ctx) {
    const dataArg = requireString(ctx.values, 'data', 'a dataset file or folder');
    const typesArg = getString(ctx.values, 'types');
    const k = getInt(ctx.values, 'k', 5, { min: 1, max: 1000 });
    const count = getInt(ctx.values, 'episodes', 100, { min: 1, max: 1_000_000 });
    const modelArg = getString(ctx.values, 'model');
    const methodName = getString(ctx.values, 'method', modelArg ? META : 'lexicon');
    if (modelArg && methodName !== META) {
      throw new UsageError(`--model evaluates the run's ${META} model; drop --method ${methodName}`);
    }
    if (methodName === META && !modelArg) {
      throw new UsageError(
        `--method ${META} needs --model <run folder> (a model from nerima meta-train or nerima pipeline)`,
      );
    }
    const method = methodName === META ? undefined : findMethod(methodName);
    if (methodName !== META && !method) {
      throw new UsageError(
        `unknown --method ${methodName}; available: ${[...methods.map((m) => m.name), META].join(', ')}`,
      );
    }
    const testTypesArg =
      ctx.values['test-types'] === undefined ? undefined : getList(ctx.values, 'test-types', []);
    const out = userPath(ctx, getString(ctx.values, 'out', `runs/eval-${timestampName()}`));
    const force = getFlag(ctx.values, 'force');
    await checkRunFolder(out, force);

    const data = await loadEvalData(userPath(ctx, dataArg), typesArg ? userPath(ctx, typesArg) : undefined);
    const testTypes = chooseTestTypes(data.types, data.source, getString(ctx.values, 'fold'), testTypesArg);
    // Without --n: 5, or all test types when there are fewer (a Stockmark fold has 4).
    const n = getInt(ctx.values, 'n', Math.min(5, testTypes.length), { min: 1, max: 1000 });
    const setting: ProtocolSetting = { name: `${n}-way ${k}-shot`, n, k };
    ctx.out.info(`${data.heldOutFile}: ${data.heldOut.length} sentences; types ${testTypes.join(', ')}`);
    const episodes = sampleSetting(
      data.heldOut,
      testTypes,
      setting,
      count,
      ctx.global.seed,
      data.heldOutFile,
    );

    let run: Awaited<ReturnType<typeof runSetting>>;
    if (method) {
      const learner = await method.create(methodContext(ctx, data, testTypes));
      run = await runSetting(ctx, methodName, learner, setting, episodes);
    } else {
      const { initTensorBackend } = await import('../backend.js');
      const { inspectModelFolder, loadMetaFolder } = await import('../model-folder.js');
      const folder = await inspectModelFolder(userPath(ctx, modelArg as string));
      if (!folder.metaDir) {
        throw new DataError(`--model ${modelArg}: has no meta-trained model (model/meta) to evaluate`);
      }
      await initTensorBackend(ctx);
      const meta = await loadMetaFolder(folder.metaDir);
      try {
        const seen = testTypes.filter((t) => meta.manifest.trainTypes.includes(t));
        if (seen.length > 0) {
          ctx.out.warn(
            `${seen.join(', ')} ${seen.length > 1 ? 'were' : 'was'} seen in meta-training: this is not a novel-type evaluation (use --fold or --test-types)`,
          );
        }
        run = await runSetting(ctx, META, meta.learner, setting, episodes);
      } finally {
        meta.dispose();
      }
    }

    const config = {
      command: 'eval',
      version: VERSION,
      createdAt: new Date().toISOString(),
      commit: gitCommit(ctx.cwd) ?? null,
      data: { source: data.source, heldOut: data.heldOutFile, sentences: data.heldOut.length },
      testTypes,
      method: methodName,
      ...(modelArg ? { model: userPath(ctx, modelArg) } : {}),
      setting,
      episodes: count,
      seed: ctx.global.seed,
      backend: ctx.global.backend ?? null,
      node: process.version,
    };
    const written = await writeRunFolder(
      out,
      force,
      config,
      [run],
      `nerima eval — ${methodName} ${setting.name}`,
    );
    const s = run.result.summary;
    ctx.out.result(
      {
        out: written.dir,
        files: written,
        method: methodName,
        setting: setting.name,
        episodes: count,
        macroF1: s.macroF1,
        microF1: s.microF1,
        perType: run.result.perType,
      },
      () =>
        [
          `${methodName} ${setting.name}, ${count} episodes from ${data.heldOutFile}`,
          `  macro F1 ${formatScore(s.macroF1.mean, s.macroF1.ci95)}  micro F1 ${formatScore(s.microF1.mean, s.microF1.ci95)}`,
          ...Object.entries(run.result.perType).map(
            ([t, m]) => `  ${t.padEnd(14)} F1 ${formatScore(m.mean, m.ci95)}`,
          ),
          `report: ${written.markdown}`,
        ].join('\n'),
    );
    return 0;
  },
});
