import { type Episode, generateDemoCorpus } from '@nerima/core';
import { defaultSettings, type ReportRun } from '@nerima/eval';
import { getFlag, getInt, getList, getString, userPath } from '../args.js';
import { defineCommand } from '../command.js';
import { type EvalData, loadEvalData } from '../data.js';
import { UsageError } from '../errors.js';
import {
  chooseTestTypes,
  formatScore,
  gitCommit,
  methodContext,
  runSetting,
  sampleSetting,
  writeRunFolder,
} from '../evaluate.js';
import { findMethod, type MethodSpec, methods } from '../methods.js';
import { checkRunFolder, timestampName } from '../run-folder.js';
import { VERSION } from '../version.js';

function seconds(since: number): string {
  return `${((performance.now() - since) / 1000).toFixed(1)}s`;
}

export const pipelineCommand = defineCommand({
  name: 'pipeline',
  summary: 'run the end-to-end pipeline (data → episodes → methods → report) and write a run folder',
  description: `Loads the data (default: the demo corpus, generated in memory from --seed), samples 5-way 1-shot
and 5-way 5-shot test episodes from its held-out part (N is lowered when there are fewer test
types), evaluates every method on the same episodes, and writes config.json, report.json,
report.md and report.svg into --out. The folder is written under a temporary name and renamed
when complete, so an existing run is never half-overwritten; a non-empty --out is refused unless
--force. Prints the report path and the headline macro F1 (first method, largest K).
Methods now: ${methods.map((m) => m.name).join(', ')}; stages such as meta-training join as their packages land.`,
  options: {
    data: {
      type: 'string',
      short: 'd',
      valueName: '<file|dir>',
      description:
        'dataset file (all held out), or a folder with test.jsonl (else dev.jsonl), train.jsonl, types.json',
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
    episodes: {
      type: 'string',
      valueName: '<count>',
      description: 'episodes per setting',
      defaultText: '100',
    },
    methods: {
      type: 'string',
      valueName: '<m1,m2>',
      description: `methods to evaluate (${methods.map((m) => m.name).join(', ')})`,
      defaultText: 'all pipeline methods',
    },
    fold: { type: 'string', valueName: '<A|B>', description: "test on a Stockmark fold's test types" },
    'test-types': { type: 'string', valueName: '<T1,T2,...>', description: 'test on these types only' },
  },
  examples: [
    { command: 'nerima pipeline', description: 'demo corpus, all methods, report in runs/<timestamp>' },
    {
      command: 'nerima pipeline --data ../shared/data/stockmark --fold A --out runs/stockmark-A',
      description: 'Stockmark dev split (its folder has no test.jsonl), fold A novel types',
    },
    {
      command: 'nerima pipeline --seed 7 --episodes 20 --out runs/quick --json',
      description: 'a quick run with machine-readable output',
    },
  ],
  async run(ctx) {
    const t0 = performance.now();
    const count = getInt(ctx.values, 'episodes', 100, { min: 1, max: 1_000_000 });
    const out = userPath(ctx, getString(ctx.values, 'out', `runs/${timestampName()}`));
    const force = getFlag(ctx.values, 'force');
    await checkRunFolder(out, force);
    const methodNames = getList(
      ctx.values,
      'methods',
      methods.filter((m) => m.inPipeline).map((m) => m.name),
    );
    const selected: MethodSpec[] = methodNames.map((name) => {
      const m = findMethod(name);
      if (!m)
        throw new UsageError(
          `unknown method ${name} in --methods; available: ${methods.map((x) => x.name).join(', ')}`,
        );
      return m;
    });
    const testTypesArg =
      ctx.values['test-types'] === undefined ? undefined : getList(ctx.values, 'test-types', []);
    const dataArg = getString(ctx.values, 'data');
    const typesArg = getString(ctx.values, 'types');
    if (typesArg && !dataArg)
      throw new UsageError('--types needs --data (the demo corpus has its own types)');

    // 1. Data.
    let data: EvalData;
    if (dataArg) {
      data = await loadEvalData(userPath(ctx, dataArg), typesArg ? userPath(ctx, typesArg) : undefined);
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
    const testTypes = chooseTestTypes(data.types, data.source, getString(ctx.values, 'fold'), testTypesArg);
    ctx.out.info(
      `data: ${data.source}: ${data.heldOut.length} held-out sentences${data.train ? `, ${data.train.length} training` : ''}; test types ${testTypes.join(', ')}`,
    );

    // 2. Episodes, shared by every method so the comparison is paired. Largest K first.
    const settings = defaultSettings(testTypes).sort((a, b) => b.k - a.k);
    const episodes = new Map<string, Episode[]>();
    for (const s of settings) {
      episodes.set(
        s.name,
        sampleSetting(data.heldOut, testTypes, s, count, ctx.global.seed, data.heldOutFile),
      );
    }
    ctx.out.info(`sampled ${count} episodes × ${settings.map((s) => s.name).join(', ')} (${seconds(t0)})`);

    // 3. Methods.
    const used: { backend?: string } = {};
    const runs: ReportRun[] = [];
    for (const m of selected) {
      const t1 = performance.now();
      const learner = await m.create(methodContext(ctx, data, testTypes, used));
      for (const s of settings)
        runs.push(await runSetting(ctx, m.name, learner, s, episodes.get(s.name) ?? []));
      ctx.out.info(`${m.name}: done (${seconds(t1)})`);
    }

    // 4. Run folder.
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
      testTypes,
      settings,
      episodesPerSetting: count,
      methods: selected.map((m) => m.name),
      seed: ctx.global.seed,
      backend: used.backend ?? null,
      node: process.version,
      platform: `${process.platform}-${process.arch}`,
    };
    const written = await writeRunFolder(out, force, config, runs, `nerima pipeline — ${data.source}`);
    const headline = runs[0];
    const summary = runs.map((r) => ({
      method: r.method,
      setting: r.setting,
      episodes: r.result.episodes.length,
      macroF1: r.result.summary.macroF1.mean,
      macroF1Ci95: r.result.summary.macroF1.ci95,
      microF1: r.result.summary.microF1.mean,
    }));
    ctx.out.result(
      {
        out: written.dir,
        files: written,
        headline: summary[0] ?? null,
        runs: summary,
        seconds: (performance.now() - t0) / 1000,
      },
      () =>
        [
          ...runs.map(
            (r) =>
              `${r.method.padEnd(10)} ${r.setting.padEnd(13)} macro F1 ${formatScore(r.result.summary.macroF1.mean, r.result.summary.macroF1.ci95)}`,
          ),
          `report: ${written.markdown}`,
          headline
            ? `headline: ${headline.method} ${headline.setting} macro F1 = ${headline.result.summary.macroF1.mean.toFixed(4)}`
            : '',
        ].join('\n'),
    );
    return 0;
  },
});
