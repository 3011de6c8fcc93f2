/**
 * Shared by `eval` and `pipeline`: pick the test types, sample episodes per setting, run each
 * method through the episode protocol with a progress bar, and write the run folder.
 */
import { execFileSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  type EntityType,
  type Episode,
  type FewShotLearner,
  type Sentence,
  STOCKMARK_FOLDS,
  sampleEpisodes,
  splitByTypes,
} from '@nerima/core';
import {
  buildReport,
  type ProtocolSetting,
  type ReportRun,
  runEpisodes,
  type WrittenReport,
  writeReport,
} from '@nerima/eval';
import { initTensorBackend } from './backend.js';
import type { CommandContext } from './command.js';
import type { EvalData } from './data.js';
import { asInputError, DataError, UsageError } from './errors.js';
import type { MethodContext } from './methods.js';
import { startRunFolder } from './run-folder.js';

/**
 * The types episodes are drawn from: `--fold A|B` (the Stockmark fold's test types), or
 * `--test-types T1,T2,...`, or every known type. Unknown names are data errors (exit 3).
 */
export function chooseTestTypes(
  known: readonly EntityType[],
  source: string,
  fold: string | undefined,
  listed: readonly string[] | undefined,
): EntityType[] {
  if (fold !== undefined && listed !== undefined)
    throw new UsageError('give --fold or --test-types, not both');
  let wanted: readonly string[] = known;
  if (fold !== undefined) {
    const f = STOCKMARK_FOLDS[fold.toUpperCase() as 'A' | 'B'];
    if (!f)
      throw new UsageError(`--fold must be A or B (the Stockmark type folds), got ${JSON.stringify(fold)}`);
    wanted = f.test;
  } else if (listed !== undefined) {
    wanted = listed;
  }
  const unknown = wanted.filter((t) => !known.includes(t));
  if (unknown.length > 0) {
    throw new DataError(
      `${source}: unknown entity type(s) ${unknown.join(', ')}; the data has ${known.join(', ') || 'no types'}`,
    );
  }
  return [...wanted];
}

/** Checks that the held-out data can give `setting` episodes before sampling (clear messages). */
function checkSetting(
  sentences: readonly Sentence[],
  types: readonly EntityType[],
  s: ProtocolSetting,
  file: string,
) {
  if (types.length < s.n) {
    throw new DataError(
      `${file}: ${s.name} needs ${s.n} entity types but only ${types.length} are available (${types.join(', ')}); lower --n or choose more types`,
    );
  }
  const perType = new Map<string, number>();
  for (const sent of sentences)
    for (const e of sent.entities) perType.set(e.type, (perType.get(e.type) ?? 0) + 1);
  const usable = types.filter((t) => (perType.get(t) ?? 0) >= 2 * s.k);
  if (usable.length < s.n) {
    const short = types
      .filter((t) => (perType.get(t) ?? 0) < 2 * s.k)
      .map((t) => `${t} has ${perType.get(t) ?? 0}`)
      .join(', ');
    throw new DataError(
      `${file}: ${s.name} needs at least ${2 * s.k} mentions (${s.k} support + ${s.k} query) of ${s.n} types, but ${short}; lower --k, drop those types, or use more data`,
    );
  }
}

/** One setting's episodes, sampled from the held-out data restricted to `types`. */
export function sampleSetting(
  heldOut: readonly Sentence[],
  types: readonly EntityType[],
  setting: ProtocolSetting,
  count: number,
  seed: number,
  file: string,
): Episode[] {
  const pool = splitByTypes(heldOut, types);
  checkSetting(pool, types, setting, file);
  try {
    return sampleEpisodes(pool, { n: setting.n, k: setting.k, count, seed });
  } catch (err) {
    const mapped = asInputError(err, `${file}: ${setting.name}`);
    if (mapped !== err) throw mapped;
    throw err;
  }
}

/** Runs `learner` on `episodes` with a progress bar; returns the report entry. */
export async function runSetting(
  ctx: CommandContext,
  method: string,
  learner: FewShotLearner,
  setting: ProtocolSetting,
  episodes: readonly Episode[],
): Promise<ReportRun> {
  const bar = ctx.progress(`${method} ${setting.name}`, episodes.length);
  let sum = 0;
  try {
    const result = await runEpisodes(learner, episodes, {
      onProgress: (p) => {
        sum += p.result.metrics.macroF1;
        bar.tick(1, `macro F1 ${((sum / p.done) * 100).toFixed(1)}`);
      },
    });
    return { method, setting: setting.name, result };
  } finally {
    bar.done();
  }
}

/** The current git commit of the working directory, when there is one (for provenance). */
export function gitCommit(cwd: string): string | undefined {
  try {
    return execFileSync('git', ['rev-parse', 'HEAD'], {
      cwd,
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 5000,
    })
      .toString()
      .trim();
  } catch {
    return undefined;
  }
}

/** What {@link writeRunFolder} wrote. */
export interface WrittenRun extends WrittenReport {
  dir: string;
  config: string;
}

/**
 * Writes `config.json` and the report files into a temporary folder, then renames it to `out`
 * (refusing a non-empty `out` unless `force`). Nothing at `out` changes if anything fails.
 */
export async function writeRunFolder(
  out: string,
  force: boolean,
  config: Record<string, unknown>,
  runs: readonly ReportRun[],
  title: string,
): Promise<WrittenRun> {
  const folder = await startRunFolder(out, force);
  try {
    await writeFile(join(folder.tmp, 'config.json'), `${JSON.stringify(config, null, 2)}\n`);
    const report = buildReport(runs, { title, meta: config });
    await writeReport(folder.tmp, report);
    const dir = await folder.commit();
    return {
      dir,
      config: join(dir, 'config.json'),
      json: join(dir, 'report.json'),
      markdown: join(dir, 'report.md'),
      svg: join(dir, 'report.svg'),
    };
  } catch (err) {
    await folder.abort();
    throw err;
  }
}

/** `0.4123 ± 0.0310` style text of a summary. */
export function formatScore(mean: number, ci95: number | null): string {
  return ci95 === null ? mean.toFixed(4) : `${mean.toFixed(4)} ± ${ci95.toFixed(4)}`;
}

/** The context a method factory gets; the tfjs backend is initialised only if the method asks. */
export function methodContext(
  ctx: CommandContext,
  data: Pick<EvalData, 'train'>,
  testTypes: readonly EntityType[],
  used: { backend?: string } = {},
): MethodContext {
  let backend: Promise<string> | undefined;
  return {
    seed: ctx.global.seed,
    ...(data.train ? { train: data.train } : {}),
    testTypes,
    out: ctx.out,
    progress: ctx.progress,
    initBackend: () => {
      backend ??= initTensorBackend(ctx).then((name) => {
        used.backend = name;
        return name;
      });
      return backend;
    },
  };
}
