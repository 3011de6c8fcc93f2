/**
 * `alignEncoder`: contrastive training of the encoder's shared embedding tables on KB name pairs,
 * with a held-out evaluation before and after in the same run.
 */
import { createRng, getBackendInfo } from '@nerima/core';
import type { TextEncoder } from '@nerima/encoder';
import * as tf from '@tensorflow/tfjs-core';
import { type AlignerOptions, createNameAligner, type NameAligner, type NameBatch } from './aligner.js';
import { evaluatePool, evaluationPool, type PairEvaluation } from './evaluate.js';
import { type Kb, type KbReport, type NamePair, type ReadKbOptions, readKb } from './kb.js';
import { falseNegativeMask, infoNce } from './loss.js';
import type { PairLang } from './names.js';
import { type CharLookup, type OovReport, oovReport } from './oov.js';
import { PairSampler } from './sampler.js';
import { type SplitOptions, splitPairs } from './split.js';

/**
 * Which encoder variables alignment updates:
 * - `embeddings` (default): the character and word embedding tables (`char/emb`, `word/emb`);
 * - `char`: the whole character level (tables, convolutions, projection, layer norm) and `word/emb`;
 * - `encoder`: every encoder variable.
 */
export type TuneScope = 'embeddings' | 'char' | 'encoder';

/** A progress line of {@link alignEncoder}. */
export interface AlignProgress {
  step: number;
  /** Step budget when `maxSteps` is set. */
  steps?: number;
  elapsedMs: number;
  /** Mean losses since the previous progress call. */
  lossEn: number;
  lossZh: number;
  /** Current logit scale (1/temperature). */
  scale: number;
  learningRate: number;
  phase: 'train' | 'evaluate-before' | 'evaluate-after';
}

/** Options of {@link alignEncoder}. */
export interface AlignOptions {
  /** Training time budget in minutes (default 10). */
  minutes?: number;
  /** Stop after this many steps (default: only the time budget). */
  maxSteps?: number;
  /** ja–en pairs per step (default 128). */
  batchSize?: number;
  /** ja–zh pairs per step (default 64; 0 = no Chinese). */
  zhBatchSize?: number;
  /** Weight of the ja–zh loss (default 1). */
  zhWeight?: number;
  /** Adam learning rate of the aligner heads (default 1e-2). */
  learningRate?: number;
  /** Adam learning rate of the encoder variables (default 2e-3). */
  encoderLearningRate?: number;
  /** Linear warm-up steps (default 50); then cosine decay to 10% over the budget. */
  warmupSteps?: number;
  /** Share of hard (same-type, similar-name) batches (default 0.5). */
  hardFraction?: number;
  /** Encoder variables to update (default `embeddings`). */
  tune?: TuneScope;
  seed?: number;
  /** Held-out split (by Japanese name). */
  split?: SplitOptions;
  /** Candidate pool size per language (default 1000). */
  evalPool?: number;
  /** Evaluate before and after (default true). */
  evaluate?: boolean;
  /** The aligner to train (kept by the caller), or options for a new one (disposed at the end). */
  aligner?: NameAligner | AlignerOptions;
  /** How KB files are read when `kb` is a path. */
  read?: ReadKbOptions;
  /** Called every `logEvery` steps (default 25) and around the evaluations. */
  onProgress?: (p: AlignProgress) => void;
  logEvery?: number;
  /** Stops training early (the evaluation after still runs). */
  signal?: AbortSignal;
}

/** What {@link alignEncoder} did and measured. */
export interface AlignReport {
  kb: KbReport;
  split: {
    fraction: number;
    zhFraction: number;
    salt: string;
    train: Record<PairLang, number>;
    heldOut: Record<PairLang, number>;
  };
  /** Characters of the KB names missing from the encoder's character vocabulary. */
  oov?: { ja: OovReport; zh: OovReport };
  /** Held-out evaluation of the untrained heads on the same encoder, then after training. */
  before?: Record<PairLang, PairEvaluation>;
  after?: Record<PairLang, PairEvaluation>;
  training: {
    steps: number;
    seconds: number;
    minutes: number;
    maxSteps?: number;
    stoppedBy: 'time' | 'steps' | 'signal';
    pairsSeen: Record<PairLang, number>;
    /** Loss averaged over the first and last 10% of steps. */
    firstLoss: Record<PairLang, number>;
    lastLoss: Record<PairLang, number>;
    finalScale: number;
    /** The encoder variables updated. */
    tuned: string[];
    /** ‖after − before‖ / ‖before‖ per updated encoder variable. */
    drift: Record<string, number>;
    options: Record<string, unknown>;
  };
  backend?: string;
}

/** The encoder variable names a scope updates. */
export function tunedVariableNames(encoder: TextEncoder, scope: TuneScope): string[] {
  const names = [...encoder.variables().keys()];
  if (scope === 'encoder') return names;
  if (scope === 'char') return names.filter((n) => n.startsWith('char/') || n === 'word/emb');
  return names.filter((n) => n === 'char/emb' || n === 'word/emb');
}

function mean(xs: readonly number[]): number {
  return xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length;
}

/** Relative L2 change of each variable against a snapshot. */
function drift(
  vars: ReadonlyMap<string, tf.Variable>,
  before: ReadonlyMap<string, tf.Tensor>,
): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [n, v] of vars) {
    const b = before.get(n);
    if (!b) continue;
    out[n] = tf.tidy(() => {
      const d = tf.norm(tf.sub(v, b)).dataSync()[0] as number;
      const base = tf.norm(b).dataSync()[0] as number;
      return base > 0 ? d / base : d;
    });
  }
  return out;
}

/**
 * Aligns the encoder's shared tables across languages: trains a two-tower name encoder (see
 * {@link NameAligner}) with a symmetric InfoNCE loss on the KB's ja–en and ja–zh pairs (in-batch
 * negatives, known translations masked out, hard same-type batches, learned temperature), updating
 * the encoder's variables in place (`tune`); `saveEncoder` then writes the aligned encoder.
 * Evaluates the held-out pairs with the untrained heads and again after training.
 *
 * Call `initBackend()` first. Deterministic for a seed and `maxSteps` (a time budget stops after a
 * machine-dependent number of steps).
 * @example
 * const encoder = await loadEncoder('models/encoder/encoder.bin');
 * const report = await alignEncoder(encoder, '../shared/data/kb/entities.jsonl', { minutes: 10 });
 * report.after?.en.jaTo.at1;
 * await saveEncoder(encoder, 'runs/align/encoder.bin');
 */
export async function alignEncoder(
  encoder: TextEncoder & { charVocab?: CharLookup },
  kb: Kb | string | readonly string[],
  options: AlignOptions = {},
): Promise<AlignReport> {
  const data =
    typeof kb === 'string' || Array.isArray(kb)
      ? await readKb(kb as string | string[], options.read)
      : (kb as Kb);
  const seed = options.seed ?? 1;
  const minutes = options.minutes ?? 10;
  const batchSize = options.batchSize ?? 128;
  const zhBatchSize = options.zhBatchSize ?? 64;
  const zhWeight = options.zhWeight ?? 1;
  const lr = options.learningRate ?? 1e-2;
  const encLr = options.encoderLearningRate ?? 2e-3;
  const warmup = options.warmupSteps ?? 50;
  const hardFraction = options.hardFraction ?? 0.5;
  const tune = options.tune ?? 'embeddings';
  const evalPoolSize = options.evalPool ?? 1000;
  const logEvery = options.logEvery ?? 25;
  const doEval = options.evaluate !== false;
  if (!(minutes > 0)) throw new RangeError(`alignEncoder: minutes must be > 0, got ${minutes}`);
  if (options.maxSteps !== undefined && !(Number.isInteger(options.maxSteps) && options.maxSteps >= 0))
    throw new RangeError(`alignEncoder: maxSteps must be an integer ≥ 0, got ${options.maxSteps}`);

  const split = splitPairs(data.pairs, options.split);
  if (split.train.en.length < 2 && split.train.zh.length < 2) {
    throw new Error(
      `alignEncoder: the KB has ${split.train.en.length} ja–en and ${split.train.zh.length} ja–zh training pairs ` +
        'after the held-out split: at least 2 of one kind are needed',
    );
  }
  const ownAligner = !(options.aligner && 'embed' in options.aligner);
  const aligner: NameAligner = ownAligner
    ? createNameAligner(encoder, { seed, ...(options.aligner as AlignerOptions | undefined) })
    : (options.aligner as NameAligner);

  const report: AlignReport = {
    kb: data.report,
    split: {
      fraction: split.fraction,
      zhFraction: split.zhFraction,
      salt: split.salt,
      train: { en: split.train.en.length, zh: split.train.zh.length },
      heldOut: { en: split.heldOut.en.length, zh: split.heldOut.zh.length },
    },
    training: {
      steps: 0,
      seconds: 0,
      minutes,
      stoppedBy: 'time',
      pairsSeen: { en: 0, zh: 0 },
      firstLoss: { en: 0, zh: 0 },
      lastLoss: { en: 0, zh: 0 },
      finalScale: 0,
      tuned: [],
      drift: {},
      options: {
        batchSize,
        zhBatchSize,
        zhWeight,
        learningRate: lr,
        encoderLearningRate: encLr,
        warmupSteps: warmup,
        hardFraction,
        tune,
        seed,
        evalPool: evalPoolSize,
        aligner: aligner.config,
      },
    },
  };
  if (options.maxSteps !== undefined) report.training.maxSteps = options.maxSteps;
  const backend = getBackendInfo()?.name ?? tf.getBackend();
  if (backend) report.backend = backend;
  if (encoder.charVocab) {
    const vocab = encoder.charVocab;
    const jaNames = new Set([...data.pairs.en, ...data.pairs.zh].map((p) => p.ja));
    report.oov = {
      ja: oovReport(jaNames, vocab),
      zh: oovReport(
        data.pairs.zh.map((p) => p.text),
        vocab,
      ),
    };
  }

  const pools = {
    en: evaluationPool(split.heldOut.en, evalPoolSize, `${seed}/pool/en`),
    zh: evaluationPool(split.heldOut.zh, evalPoolSize, `${seed}/pool/zh`),
  };
  const progress = (p: Omit<AlignProgress, 'steps'>) => {
    if (!options.onProgress) return;
    options.onProgress(options.maxSteps !== undefined ? { ...p, steps: options.maxSteps } : p);
  };
  const evaluateAll = async (phase: 'evaluate-before' | 'evaluate-after') => {
    progress({
      step: report.training.steps,
      elapsedMs: 0,
      lossEn: 0,
      lossZh: 0,
      scale: 0,
      learningRate: 0,
      phase,
    });
    return {
      en: await evaluatePool(aligner, pools.en, 'en', split.heldOut.en),
      zh: await evaluatePool(aligner, pools.zh, 'zh', split.heldOut.zh),
    };
  };

  const encVars = encoder.variables();
  const tunedNames = tunedVariableNames(encoder, tune);
  report.training.tuned = tunedNames;
  const snapshot = new Map<string, tf.Tensor>();
  try {
    if (doEval) report.before = await evaluateAll('evaluate-before');
    for (const n of tunedNames) snapshot.set(n, tf.clone(encVars.get(n) as tf.Variable));
    await train();
    report.training.drift = drift(encVars, snapshot);
    report.training.finalScale = tf.tidy(() => aligner.scale().dataSync()[0] as number);
    if (doEval) report.after = await evaluateAll('evaluate-after');
  } finally {
    for (const t of snapshot.values()) t.dispose();
    if (ownAligner) aligner.dispose();
  }
  return report;

  async function train(): Promise<void> {
    const rng = createRng(seed).fork('xling-train');
    const samplers: Partial<Record<PairLang, PairSampler>> = {};
    if (split.train.en.length >= 2 && batchSize > 0)
      samplers.en = new PairSampler(split.train.en, { batchSize, hardFraction }, rng.fork('en'));
    if (split.train.zh.length >= 2 && zhBatchSize > 0)
      samplers.zh = new PairSampler(
        split.train.zh,
        { batchSize: Math.max(2, zhBatchSize), hardFraction },
        rng.fork('zh'),
      );
    const encList = tunedNames.map((n) => encVars.get(n) as tf.Variable);
    const headList = [...aligner.variables().values()];
    const headOpt = tf.train.adam(lr, 0.9, 0.999, 1e-8);
    const encOpt = tf.train.adam(encLr, 0.9, 0.999, 1e-8);
    const all = [...encList, ...headList];
    const start = Date.now();
    const budgetMs = minutes * 60_000;
    const losses: Record<PairLang, number[]> = { en: [], zh: [] };
    let windowLoss: Record<PairLang, number[]> = { en: [], zh: [] };
    const t = report.training;
    try {
      for (;;) {
        const elapsed = Date.now() - start;
        if (options.maxSteps !== undefined && t.steps >= options.maxSteps) {
          t.stoppedBy = 'steps';
          break;
        }
        if (elapsed >= budgetMs) {
          t.stoppedBy = 'time';
          break;
        }
        if (options.signal?.aborted) {
          t.stoppedBy = 'signal';
          break;
        }
        const frac =
          options.maxSteps !== undefined && options.maxSteps > 0
            ? t.steps / options.maxSteps
            : Math.min(1, elapsed / budgetMs);
        const schedule =
          Math.min(1, (t.steps + 1) / Math.max(1, warmup)) * (0.1 + 0.45 * (1 + Math.cos(Math.PI * frac)));
        (headOpt as unknown as { learningRate: number }).learningRate = lr * schedule;
        (encOpt as unknown as { learningRate: number }).learningRate = encLr * schedule;

        const batches: {
          lang: PairLang;
          pairs: NamePair[];
          ja: NameBatch;
          other: NameBatch;
          exclude: Float32Array;
        }[] = [];
        for (const lang of ['en', 'zh'] as const) {
          const s = samplers[lang];
          if (!s) continue;
          const pairs = s.next();
          batches.push({
            lang,
            pairs,
            ja: await aligner.prepare(
              pairs.map((p) => p.ja),
              'ja',
            ),
            other: await aligner.prepare(
              pairs.map((p) => p.text),
              lang,
            ),
            exclude: falseNegativeMask(pairs, pairs),
          });
          t.pairsSeen[lang] += pairs.length;
        }
        const parts: tf.Scalar[] = [];
        const { value, grads } = tf.variableGrads(() => {
          const scale = aligner.scale();
          let total: tf.Scalar = tf.scalar(0);
          for (const b of batches) {
            const n = b.pairs.length;
            const l = infoNce(aligner.embed(b.ja), aligner.embed(b.other), scale, {
              exclude: tf.tensor2d(b.exclude, [n, n]),
            });
            parts.push(tf.keep(tf.clone(l)));
            total = tf.add(total, b.lang === 'zh' ? tf.mul(l, zhWeight) : l);
          }
          return total;
        }, all);
        // variables the loss does not reach (e.g. word/emb when the encoder has no word level) get no gradient
        const named = (list: tf.Variable[]) =>
          list.flatMap((v) => {
            const g = grads[v.name];
            return g ? [{ name: v.name, tensor: g }] : [];
          });
        const encGrads = named(encList);
        const headGrads = named(headList);
        if (encGrads.length > 0) encOpt.applyGradients(encGrads);
        headOpt.applyGradients(headGrads);
        tf.dispose(grads);
        value.dispose();
        for (const [i, b] of batches.entries()) {
          const v = (await (parts[i] as tf.Scalar).data())[0] as number;
          losses[b.lang].push(v);
          windowLoss[b.lang].push(v);
        }
        tf.dispose(parts);
        t.steps++;
        if (t.steps % logEvery === 0) {
          progress({
            step: t.steps,
            elapsedMs: Date.now() - start,
            lossEn: mean(windowLoss.en),
            lossZh: mean(windowLoss.zh),
            scale: tf.tidy(() => aligner.scale().dataSync()[0] as number),
            learningRate: lr * schedule,
            phase: 'train',
          });
          windowLoss = { en: [], zh: [] };
        }
      }
    } finally {
      headOpt.dispose();
      encOpt.dispose();
    }
    t.seconds = (Date.now() - start) / 1000;
    for (const lang of ['en', 'zh'] as const) {
      const xs = losses[lang];
      const k = Math.max(1, Math.ceil(xs.length / 10));
      t.firstLoss[lang] = mean(xs.slice(0, k));
      t.lastLoss[lang] = mean(xs.slice(-k));
    }
  }
}
