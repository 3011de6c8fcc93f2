/**
 * Meta-training MAML-ProtoNet++ for `nerima meta-train` and `nerima pipeline`: load the encoder,
 * encode the training texts once (progress bar), run episodic meta-training with a progress bar
 * (ETA capped by the time limit) and resumable checkpoints. Heavy: imported when a command runs.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { EntityType, Sentence } from '@nerima/core';
import type { NerimaEncoder } from '@nerima/encoder';
import {
  createMamlProtoNet,
  FeatureStore,
  loadSpanCues,
  type MamlProtoNet,
  type MetaTrainResult,
  VARIANTS,
} from '@nerima/meta-core';
import { hasNestedOrOverlapping } from '@nerima/span-decoder';
import { initTensorBackend } from './backend.js';
import type { CommandContext } from './command.js';
import type { EncoderChoice } from './encoder-file.js';
import { loadEncoderFile } from './encoder-file.js';
import { DataError, UsageError } from './errors.js';
import type { SpanCueFiles } from './layout.js';
import { formatDuration } from './progress.js';

/** Model variants `--variant` accepts (meta-core's `VARIANTS`: the full model, baselines, ablations). */
export const VARIANT_NAMES = Object.keys(VARIANTS) as (keyof typeof VARIANTS)[];

/** What to meta-train. */
export interface MetaTrainingSetup {
  /** Training sentences (all types; others than `trainTypes` become non-entities). */
  train: readonly Sentence[];
  trainTypes: readonly EntityType[];
  encoder: EncoderChoice;
  /** N values of the training episodes (one is drawn per episode). */
  n: readonly number[];
  /** K values of the training episodes. */
  k: readonly number[];
  /** Episodes in total (including those before a resume). */
  episodes: number;
  /** Time limit of the training loop, in minutes. */
  minutes?: number;
  seed: number;
  /** Folder of `checkpoint.json`. */
  checkpointDir: string;
  checkpointEvery: number;
  resume: boolean;
  variant: keyof typeof VARIANTS;
  /** Texts to encode ahead (e.g. evaluation sentences), under the same progress bar. */
  extraTexts?: readonly string[];
  /** Span cues to train with (meta-core `spanCues`) and their data files. Default none. */
  cues?: SpanCueFiles;
}

/** A trained learner; `dispose()` frees it and its encoder. */
export interface MetaTrainingOutcome {
  learner: MamlProtoNet;
  encoder: NerimaEncoder;
  result: MetaTrainResult;
  /** Plain-JSON summary for configs and reports. */
  summary: Record<string, unknown>;
  dispose(): void;
}

/** Mentions per type, for the checks below. */
function mentionCounts(sentences: readonly Sentence[]): Map<EntityType, number> {
  const m = new Map<EntityType, number>();
  for (const s of sentences) for (const e of s.entities) m.set(e.type, (m.get(e.type) ?? 0) + 1);
  return m;
}

/**
 * Checks that the data can give training episodes: N ≤ the number of train types, and every train
 * type has at least 2·min(K) mentions (K support + K query). Throws usage / data errors (exit 2 / 3).
 */
export function checkMetaTrainingData(
  train: readonly Sentence[],
  trainTypes: readonly EntityType[],
  n: readonly number[],
  k: readonly number[],
  source: string,
): void {
  const tooBig = n.filter((x) => x > trainTypes.length);
  if (tooBig.length > 0) {
    throw new UsageError(
      `--n ${n.join(',')}: episodes cannot have more types than the ${trainTypes.length} train type(s) (${trainTypes.join(', ')}); lower --n or add --train-types`,
    );
  }
  const counts = mentionCounts(train);
  const need = 2 * Math.min(...k);
  const short = trainTypes.filter((t) => (counts.get(t) ?? 0) < need);
  if (short.length > 0) {
    throw new DataError(
      `${source}: meta-training needs at least ${need} mentions (K support + K query, K = ${Math.min(...k)}) of every train type, but ${short
        .map((t) => `${t} has ${counts.get(t) ?? 0}`)
        .join(', ')}; drop those types with --train-types, lower --k, or use more data`,
    );
  }
}

/** The episode a checkpoint in `dir` ends at, or null when there is none. */
async function checkpointEpisode(dir: string): Promise<number | null> {
  let text: string;
  try {
    text = await readFile(join(dir, 'checkpoint.json'), 'utf8');
  } catch {
    return null;
  }
  try {
    const episode = (JSON.parse(text) as { episode?: unknown }).episode;
    return typeof episode === 'number' ? episode : null;
  } catch {
    throw new UsageError(
      `${join(dir, 'checkpoint.json')} is damaged (not JSON); pass --force instead of --resume to start over`,
    );
  }
}

/** Registers the span cues of `files` (meta-core `loadSpanCues`); returns their names, in model order. */
export async function registerCues(files: SpanCueFiles | undefined): Promise<string[]> {
  if (!files || (!files.vectors && !files.kb)) return [];
  await loadSpanCues({
    ...(files.vectors ? { vectors: files.vectors } : {}),
    ...(files.kb ? { kb: files.kb } : {}),
  });
  return [...(files.vectors ? ['vectors'] : []), ...(files.kb ? ['kb'] : [])];
}

/** Meta-trains a new MAML-ProtoNet++ (see the module comment). */
export async function runMetaTraining(
  ctx: Pick<CommandContext, 'global' | 'out' | 'progress'>,
  setup: MetaTrainingSetup,
): Promise<MetaTrainingOutcome> {
  await initTensorBackend(ctx);
  const encoder = await loadEncoderFile(setup.encoder.path);
  let learner: MamlProtoNet | undefined;
  try {
    const texts = [...new Set([...setup.train.map((s) => s.text), ...(setup.extraTexts ?? [])])];
    const store = new FeatureStore(encoder, { capacity: Math.max(20_000, texts.length + 4096) });
    const cueNames = await registerCues(setup.cues);
    learner = await createMamlProtoNet({
      encoder,
      store,
      spanCues: cueNames,
      // With cues, a cue type head types the spans (issue 12: 22.4 vs 19.0 macro F1 in 4-way 5-shot).
      ...(cueNames.length > 0 ? { typeBy: 'cues' as const } : {}),
      name: 'maml-protonet++',
      knownTypes: [...setup.trainTypes],
      seed: setup.seed,
      // Flat data (e.g. Stockmark) is decoded flat; nested data keeps nested spans.
      decode: { allowNested: hasNestedOrOverlapping(setup.train) },
      ...VARIANTS[setup.variant],
    });
    ctx.out.info(
      `encoder: ${setup.encoder.label ?? `${setup.encoder.path} (${setup.encoder.source})`}; encoding ${texts.length} texts once (the encoder is frozen)`,
    );
    const encodeBar = ctx.progress('encode', texts.length, { logEveryMs: 15_000 });
    let encoded = 0;
    try {
      await store.ensure(texts, (done) => {
        encodeBar.tick(done - encoded);
        encoded = done;
      });
    } finally {
      encodeBar.done();
    }

    const resumedAt = setup.resume ? await checkpointEpisode(setup.checkpointDir) : null;
    if (resumedAt !== null) ctx.out.info(`resuming meta-training after episode ${resumedAt}`);
    const start = resumedAt ?? 0;
    const limitMs = setup.minutes === undefined ? undefined : setup.minutes * 60_000;
    const bar = ctx.progress('meta-train', Math.max(1, setup.episodes - start), {
      logEveryMs: 10_000,
      ...(limitMs !== undefined ? { limitMs } : {}),
    });
    let last = start;
    let result: MetaTrainResult;
    const tTrain = performance.now();
    try {
      result = await learner.metaTrain(setup.train, {
        trainTypes: setup.trainTypes,
        n: setup.n,
        k: setup.k,
        episodes: setup.episodes,
        seed: setup.seed,
        ...(setup.minutes !== undefined ? { minutes: setup.minutes } : {}),
        checkpointDir: setup.checkpointDir,
        checkpointEvery: setup.checkpointEvery,
        resume: setup.resume,
        onProgress: (p) => {
          bar.tick(p.episode - last, `loss ${p.loss.toFixed(3)}`);
          last = p.episode;
        },
      });
    } catch (err) {
      const msg = (err as Error).message;
      if (/checkpoint\.json/.test(msg)) {
        throw new UsageError(`${msg.split('\n')[0]}; or pass --force instead of --resume to start over`, {
          cause: err,
        });
      }
      throw err;
    } finally {
      bar.done();
    }
    const trained = result.episodes - result.resumedFrom;
    const thisRunMs = performance.now() - tTrain;
    const summary = {
      variant: setup.variant,
      trainTypes: [...setup.trainTypes],
      n: [...setup.n],
      k: [...setup.k],
      episodes: result.episodes,
      episodesThisRun: trained,
      skipped: result.skipped,
      stoppedBy: result.stoppedBy,
      resumedFrom: result.resumedFrom,
      firstLoss: Number.isFinite(result.firstLoss) ? result.firstLoss : null,
      lastLoss: Number.isFinite(result.lastLoss) ? result.lastLoss : null,
      /** Training time in total (including before a resume). */
      minutes: result.elapsedMs / 60_000,
      msPerEpisode: trained > 0 ? thisRunMs / trained : null,
      trainSentences: setup.train.length,
      seed: setup.seed,
      peakRssBytes: result.peakRssBytes,
    };
    if (trained > 0 && result.skipped > trained) {
      ctx.out.warn(
        `${result.skipped} training episodes could not be sampled (too few mentions of some types for N/K); check --n, --k and --train-types`,
      );
    }
    ctx.out.info(
      `meta-train: ${result.episodes} episodes${result.resumedFrom ? ` (${result.resumedFrom} before the resume)` : ''} in ${formatDuration(result.elapsedMs / 1000)}` +
        ` (stopped by ${result.stoppedBy === 'minutes' ? 'the time limit' : 'the episode count'}), query loss ${fmt(result.firstLoss)} → ${fmt(result.lastLoss)}`,
    );
    const l = learner;
    return {
      learner: l,
      encoder,
      result,
      summary,
      dispose() {
        l.dispose();
        encoder.dispose();
      },
    };
  } catch (err) {
    learner?.dispose();
    encoder.dispose();
    throw err;
  }
}

function fmt(x: number): string {
  return Number.isFinite(x) ? x.toFixed(3) : 'n/a';
}
