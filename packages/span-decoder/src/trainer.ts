/**
 * Supervised training of a SpanTagger: bucketed batches, Adam with manual `applyGradients` on the
 * named variables, global-norm gradient clipping, warmup + decay schedule, dev F1 each epoch,
 * early stopping on dev micro F1, and an atomic checkpoint after every epoch that `resume: true`
 * continues from exactly (weights, optimizer moments, step, RNG state, best score and weights).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { EntityType, Rng, RngState, Sentence } from '@nerima/core';
import { createRng, loadWeights, restoreRng, saveWeights } from '@nerima/core';
import { NerimaEncoder, type TextEncoder } from '@nerima/encoder';
import { evaluateSpans, type SpanReport } from '@nerima/eval';
import * as tf from '@tensorflow/tfjs-core';
import { bucketBatches } from './batching.js';
import { type DecodeOptions, defaultDecoderConfig, type SpanDecoderConfig } from './config.js';
import { decode } from './decode.js';
import { SpanDecoder } from './decoder.js';
import { encodeFeatures, type FeatureMode, featureDim } from './features.js';
import { mentionPools, replaceMentions } from './mention-replace.js';
import { dropout } from './params.js';
import { type LrSchedule, learningRateAt } from './schedule.js';
import { SpanTagger } from './tagger.js';
import { buildTargets } from './targets.js';
import { DEFAULT_THRESHOLD_GRID, type ThresholdGrid, tuneThresholds } from './tune.js';

/** A tensor with a name, as tfjs optimizers read and write their state. */
interface NamedTensor {
  name: string;
  tensor: tf.Tensor;
}

const CHECKPOINT_FORMAT = 'nerima-span-checkpoint';
const CHECKPOINT_VERSION = 1;

/** Options for {@link trainSpanTagger}. */
export interface TrainSpanTaggerOptions {
  train: readonly Sentence[];
  dev: readonly Sentence[];
  /** The encoder to fine-tune (owned by the returned tagger afterwards). */
  encoder: TextEncoder;
  /** Decoder settings; `types` defaults to the sorted types of `train`, `inputDim` to the encoder's. */
  config?: Partial<SpanDecoderConfig>;
  /** How encoder levels feed the decoder (default `'combine'`). */
  features?: FeatureMode;
  /** Folder for `checkpoint.bin` (each epoch) and `best/` (the best tagger, NerimaEncoder only). */
  outDir?: string;
  seed?: number;
  epochs: number;
  batchSize?: number;
  /** Peak learning rate of the decoder (default 1e-3). */
  lr?: number;
  /** Peak learning rate of the encoder (default `lr`; 0 freezes the encoder). */
  encoderLr?: number;
  schedule?: LrSchedule;
  /** Global-norm gradient clipping (default 5; 0 disables). */
  clipNorm?: number;
  /** Stop after this many epochs without a better dev micro F1 (default 3). */
  earlyStoppingPatience?: number;
  /** Continue from `outDir/checkpoint.bin` when it exists. */
  resume?: boolean;
  /** Stop (after a checkpoint) before an epoch that would end past this many minutes of this call. */
  timeBudgetMinutes?: number;
  /**
   * Probability of replacing each gold mention of a training sentence by another training mention
   * of the same type, drawn anew every epoch (mention replacement; default 0 = off).
   */
  mentionReplace?: number;
  /** Stop (after the checkpoint) once this call has run this many epochs: an interruption that `resume` continues. */
  maxEpochsThisRun?: number;
  /**
   * Decode options for dev evaluation and for the returned tagger. `allowNested` defaults to
   * whether `train` has nested or overlapping entities (flat data → flat decoding).
   */
  decode?: Partial<DecodeOptions>;
  /**
   * Choose the start / end / type thresholds on dev after every epoch (grid search from one scoring
   * pass), select epochs on the tuned micro F1 and keep the best epoch's thresholds in the tagger.
   * Default false (fixed thresholds). Dev is then used for both selections: report it as such.
   */
  tuneThresholds?: boolean | ThresholdGrid;
  /** Free-form notes stored with the best tagger. */
  meta?: Record<string, unknown>;
  onProgress?: (p: TrainProgress) => void;
}

/** Reported after every `logEvery` steps and at each epoch end. */
export interface TrainProgress {
  kind: 'step' | 'epoch';
  epoch: number;
  step: number;
  totalSteps: number;
  lr: number;
  loss?: { total: number; start: number; end: number; type: number };
  record?: EpochRecord;
}

/** One epoch's summary. */
export interface EpochRecord {
  epoch: number;
  steps: number;
  trainLoss: { total: number; start: number; end: number; type: number };
  /** Dev micro F1 used for selection (with tuned thresholds when `tuneThresholds`). */
  devMicroF1: number;
  devMacroF1: number;
  /** Dev micro F1 with the fixed (untuned) decode options. */
  devMicroF1Fixed: number;
  /** Decode options used for `devMicroF1`. */
  decode: DecodeOptions;
  seconds: number;
  trainSeconds: number;
  improved: boolean;
}

/** What {@link trainSpanTagger} returns. */
export interface TrainResult {
  /** The tagger with the best dev weights restored. */
  tagger: SpanTagger;
  bestEpoch: number;
  bestDevMicroF1: number;
  bestReport: SpanReport | null;
  history: EpochRecord[];
  stoppedEarly: boolean;
  /** True when the time budget (or `maxEpochsThisRun`) ended the run before `epochs`. */
  timedOut: boolean;
  /** Epochs completed in total (including before a resume). */
  epochsDone: number;
}

interface CheckpointState {
  epochsDone: number;
  step: number;
  totalSteps: number;
  rng: RngState;
  bestDevMicroF1: number;
  bestEpoch: number;
  bestDecode: DecodeOptions | null;
  badEpochs: number;
  history: EpochRecord[];
  optimizers: { name: string; count: number; accBeta1: number; accBeta2: number }[];
  fingerprint: string;
}

/** Adam plus the exact bias-correction accumulators (setWeights would recompute them with pow()). */
interface AdamState {
  getWeights(): Promise<NamedTensor[]>;
  setWeights(w: NamedTensor[]): Promise<void>;
  applyGradients(g: NamedTensor[]): void;
  dispose(): void;
  learningRate: number;
  accBeta1: tf.Variable;
  accBeta2: tf.Variable;
}

function makeAdam(lr: number): AdamState {
  return tf.train.adam(lr, 0.9, 0.999, 1e-8) as unknown as AdamState;
}

/** True when some sentence has two entities that nest or overlap (same boundaries excluded). */
export function hasNestedOrOverlapping(sentences: readonly Sentence[]): boolean {
  for (const s of sentences) {
    const es = s.entities;
    for (let i = 0; i < es.length; i++) {
      for (let j = i + 1; j < es.length; j++) {
        const a = es[i] as Sentence['entities'][number];
        const b = es[j] as Sentence['entities'][number];
        if (a.start === b.start && a.end === b.end) continue;
        if (a.start < b.end && b.start < a.end) return true;
      }
    }
  }
  return false;
}

/** Sorted entity types of a dataset. */
export function typesOf(sentences: readonly Sentence[]): EntityType[] {
  const s = new Set<EntityType>();
  for (const x of sentences) for (const e of x.entities) s.add(e.type);
  return [...s].sort();
}

/** Evaluates a tagger on sentences with @nerima/eval. */
export async function evaluateTagger(
  tagger: SpanTagger,
  sentences: readonly Sentence[],
): Promise<{ report: SpanReport; predictions: Awaited<ReturnType<SpanTagger['predict']>> }> {
  const predictions = await tagger.predict(sentences.map((s) => s.text));
  const report = evaluateSpans(
    sentences.map((s) => s.entities),
    predictions,
    { types: tagger.types },
  );
  return { report, predictions };
}

/** Trains an encoder + span decoder on `train`, selecting on `dev` micro F1. */
export async function trainSpanTagger(options: TrainSpanTaggerOptions): Promise<TrainResult> {
  const {
    train,
    dev,
    encoder,
    outDir,
    epochs,
    seed = 1,
    batchSize = 16,
    lr = 1e-3,
    clipNorm = 5,
    earlyStoppingPatience = 3,
  } = options;
  const encoderLr = options.encoderLr ?? lr;
  const features = options.features ?? 'combine';
  const types = options.config?.types ?? typesOf(train);
  const config: SpanDecoderConfig = {
    ...defaultDecoderConfig(featureDim(encoder.dim, features), types),
    ...options.config,
    inputDim: featureDim(encoder.dim, features),
    types,
  };
  const decoder = new SpanDecoder(config, { seed: `${seed}/decoder` });
  const allowNested = options.decode?.allowNested ?? hasNestedOrOverlapping(train);
  const tagger = new SpanTagger(encoder, decoder, { features, decode: { ...options.decode, allowNested } });
  const fixedDecode = { ...tagger.decodeOptions };
  const grid = options.tuneThresholds === true ? DEFAULT_THRESHOLD_GRID : options.tuneThresholds || null;
  let bestDecode: DecodeOptions | null = null;
  const evalDev = async (): Promise<{ report: SpanReport; fixedF1: number; decode: DecodeOptions }> => {
    const gold = dev.map((s) => s.entities);
    if (!grid) {
      const { report } = await evaluateTagger(tagger, dev);
      return { report, fixedF1: report.micro.f1, decode: fixedDecode };
    }
    const scores = await tagger.score(
      dev.map((s) => s.text),
      {
        startThreshold: Math.min(fixedDecode.startThreshold, ...grid.startThreshold),
        endThreshold: Math.min(fixedDecode.endThreshold, ...grid.endThreshold),
      },
    );
    const fixed = evaluateSpans(
      gold,
      scores.map((s) => decode(s, fixedDecode)),
      { types: tagger.types },
    );
    const tuned = tuneThresholds(scores, gold, fixedDecode, grid, tagger.types);
    const report = evaluateSpans(
      gold,
      scores.map((s) => decode(s, tuned.options)),
      { types: tagger.types },
    );
    return { report, fixedF1: fixed.micro.f1, decode: tuned.options };
  };

  const decVars = [...decoder.variables().entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1));
  const encVars =
    encoderLr > 0 ? [...encoder.variables().entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1)) : [];
  const allVars = new Map<string, tf.Variable>([
    ...decVars.map(([n, v]) => [`dec/${n}`, v] as const),
    ...encVars.map(([n, v]) => [`enc/${n}`, v] as const),
  ]);
  const trainable = [...allVars.values()];
  const optDec = makeAdam(lr);
  const optEnc = encVars.length > 0 ? makeAdam(encoderLr) : null;

  const batchesPerEpoch = Math.ceil(train.length / batchSize);
  const totalSteps = batchesPerEpoch * epochs;
  const fingerprint = JSON.stringify({
    seed,
    n: train.length,
    batchSize,
    epochs,
    lr,
    encoderLr,
    config,
    features,
    mentionReplace: options.mentionReplace ?? 0,
  });

  let rng: Rng = createRng(seed).fork('train');
  let step = 0;
  let epochsDone = 0;
  let best = -1;
  let bestEpoch = -1;
  let badEpochs = 0;
  let history: EpochRecord[] = [];
  const bestWeights = new Map<string, tf.Tensor>();
  const keepBest = () => {
    for (const t of bestWeights.values()) t.dispose();
    bestWeights.clear();
    for (const [n, v] of allVars) bestWeights.set(n, tf.keep(tf.clone(v)));
  };

  const ckptPath = outDir ? join(outDir, 'checkpoint.bin') : null;
  if (options.resume && ckptPath && existsSync(ckptPath)) {
    const loaded = await loadWeights(ckptPath, {
      format: CHECKPOINT_FORMAT,
      version: CHECKPOINT_VERSION,
    });
    try {
      const st = loaded.config as CheckpointState;
      if (st.fingerprint !== fingerprint) {
        throw new Error(
          `${ckptPath}: the checkpoint was written with other settings (seed, data size, batch size, epochs, lr or config); delete it or pass resume: false`,
        );
      }
      for (const [n, v] of allVars) {
        const t = loaded.tensors.get(`model/${n}`);
        if (!t || t.shape.join(',') !== v.shape.join(','))
          throw new Error(`${ckptPath}: tensor model/${n} is missing or has another shape`);
        v.assign(t);
        const b = loaded.tensors.get(`best/${n}`);
        if (b) bestWeights.set(n, tf.keep(tf.clone(b)));
      }
      const opts = [optDec, optEnc];
      for (const [i, o] of st.optimizers.entries()) {
        const opt = opts[i];
        if (!opt || o.count === 0) continue;
        const named: NamedTensor[] = [];
        for (let k = 0; k < o.count; k++) {
          const t = loaded.tensors.get(`opt/${o.name}/${k}`);
          if (!t) throw new Error(`${ckptPath}: optimizer tensor opt/${o.name}/${k} is missing`);
          named.push({ name: k === 0 ? 'iter' : `w${k}`, tensor: k === 0 ? tf.cast(t, 'int32') : t });
        }
        await opt.setWeights(named);
        tf.tidy(() => {
          opt.accBeta1.assign(tf.scalar(o.accBeta1));
          opt.accBeta2.assign(tf.scalar(o.accBeta2));
        });
        for (const n of named) if (n.tensor.dtype === 'int32') n.tensor.dispose();
      }
      rng = restoreRng(st.rng);
      step = st.step;
      epochsDone = st.epochsDone;
      best = st.bestDevMicroF1;
      bestEpoch = st.bestEpoch;
      bestDecode = st.bestDecode;
      badEpochs = st.badEpochs;
      history = st.history;
    } finally {
      for (const t of loaded.tensors.values()) t.dispose();
    }
  }

  const saveCheckpoint = async () => {
    if (!ckptPath) return;
    const tensors = new Map<string, tf.Tensor>();
    for (const [n, v] of allVars) tensors.set(`model/${n}`, v);
    for (const [n, t] of bestWeights) tensors.set(`best/${n}`, t);
    const optimizers: CheckpointState['optimizers'] = [];
    const temp: tf.Tensor[] = [];
    for (const [name, opt] of [
      ['dec', optDec],
      ['enc', optEnc],
    ] as const) {
      if (!opt) continue;
      const w = step > 0 ? await opt.getWeights() : [];
      w.forEach((nt, k) => {
        const t = k === 0 ? tf.cast(nt.tensor, 'float32') : nt.tensor;
        if (k === 0) temp.push(t, nt.tensor);
        tensors.set(`opt/${name}/${k}`, t);
      });
      const [b1] = (await opt.accBeta1.data()) as Float32Array;
      const [b2] = (await opt.accBeta2.data()) as Float32Array;
      optimizers.push({ name, count: w.length, accBeta1: b1 as number, accBeta2: b2 as number });
    }
    const state: CheckpointState = {
      epochsDone,
      step,
      totalSteps,
      rng: rng.state(),
      bestDevMicroF1: best,
      bestEpoch,
      bestDecode,
      badEpochs,
      history,
      optimizers,
      fingerprint,
    };
    await saveWeights(ckptPath, tensors, {
      format: CHECKPOINT_FORMAT,
      version: CHECKPOINT_VERSION,
      config: state,
    });
    for (const t of temp) t.dispose();
  };

  const started = Date.now();
  let stoppedEarly = badEpochs >= earlyStoppingPatience && epochsDone > 0;
  let timedOut = false;
  let bestReport: SpanReport | null = null;
  const lengths = train.map((s) => s.text.length);
  const mentionReplace = options.mentionReplace ?? 0;
  const pools = mentionPools(train);

  let epochsThisRun = 0;
  while (epochsDone < epochs && !stoppedEarly) {
    if (options.maxEpochsThisRun !== undefined && epochsThisRun >= options.maxEpochsThisRun) {
      timedOut = true;
      break;
    }
    epochsThisRun += 1;
    const lastSeconds = history.at(-1)?.seconds ?? 0;
    if (
      options.timeBudgetMinutes !== undefined &&
      (Date.now() - started) / 1000 + lastSeconds > options.timeBudgetMinutes * 60
    ) {
      timedOut = true;
      break;
    }
    const epoch = epochsDone;
    const t0 = Date.now();
    const batches = bucketBatches(lengths, batchSize, rng);
    const sums = [0, 0, 0, 0];
    for (const [bi, idx] of batches.entries()) {
      const sents = idx.map((i) =>
        mentionReplace > 0
          ? replaceMentions(train[i] as Sentence, pools, mentionReplace, rng)
          : (train[i] as Sentence),
      );
      const batch = await encoder.prepare(sents.map((s) => s.text));
      const targets = buildTargets(
        sents.map((s) => s.entities),
        batch.lengths,
        batch.length,
        config,
        rng,
      );
      const dropSeed = rng.uint32();
      const curLr = learningRateAt(step, totalSteps, lr, options.schedule);
      optDec.learningRate = curLr;
      if (optEnc) optEnc.learningRate = learningRateAt(step, totalSteps, encoderLr, options.schedule);
      let parts: tf.Tensor1D | null = null;
      const { value, grads } = tf.variableGrads(() => {
        const h = encodeFeatures(encoder, batch, features, { training: true });
        const hd = dropout(h, config.dropout, dropSeed) as tf.Tensor3D;
        const l = decoder.loss(hd, targets);
        parts = tf.keep(tf.stack([l.start, l.end, l.type]) as tf.Tensor1D);
        return l.total;
      }, trainable);
      tf.tidy(() => {
        const gs = trainable.map((v) => grads[v.name] ?? tf.zerosLike(v));
        let scale: tf.Scalar | null = null;
        if (clipNorm > 0) {
          const norm = tf.sqrt(tf.addN(gs.map((g) => tf.sum(tf.square(g)))));
          scale = tf.div(clipNorm, tf.maximum(norm, clipNorm)) as tf.Scalar;
        }
        const named = trainable.map((v, i) => ({
          name: v.name,
          tensor: scale ? tf.mul(gs[i] as tf.Tensor, scale) : (gs[i] as tf.Tensor),
        }));
        optDec.applyGradients(named.slice(0, decVars.length));
        if (optEnc) optEnc.applyGradients(named.slice(decVars.length));
      });
      for (const g of Object.values(grads)) g.dispose();
      const lv = (await value.data())[0] as number;
      value.dispose();
      const pv = parts ? Array.from(await (parts as tf.Tensor1D).data()) : [0, 0, 0];
      (parts as tf.Tensor1D | null)?.dispose();
      sums[0] = (sums[0] as number) + lv;
      for (let k = 0; k < 3; k++) sums[k + 1] = (sums[k + 1] as number) + (pv[k] as number);
      step += 1;
      if (options.onProgress && (bi + 1) % 20 === 0) {
        options.onProgress({
          kind: 'step',
          epoch,
          step,
          totalSteps,
          lr: curLr,
          loss: { total: lv, start: pv[0] as number, end: pv[1] as number, type: pv[2] as number },
        });
      }
    }
    const trainSeconds = (Date.now() - t0) / 1000;
    const { report, fixedF1, decode: devDecode } = await evalDev();
    const improved = report.micro.f1 > best;
    if (improved) {
      best = report.micro.f1;
      bestEpoch = epoch;
      bestDecode = devDecode;
      badEpochs = 0;
      bestReport = report;
      keepBest();
      tagger.decodeOptions = { ...devDecode };
      if (outDir && encoder instanceof NerimaEncoder) {
        await tagger.save(join(outDir, 'best'), { ...options.meta, epoch, devMicroF1: best });
      }
    } else {
      badEpochs += 1;
    }
    const n = Math.max(1, batches.length);
    const record: EpochRecord = {
      epoch,
      steps: batches.length,
      trainLoss: {
        total: (sums[0] as number) / n,
        start: (sums[1] as number) / n,
        end: (sums[2] as number) / n,
        type: (sums[3] as number) / n,
      },
      devMicroF1: report.micro.f1,
      devMacroF1: report.macro.f1,
      devMicroF1Fixed: fixedF1,
      decode: devDecode,
      seconds: (Date.now() - t0) / 1000,
      trainSeconds,
      improved,
    };
    history.push(record);
    epochsDone += 1;
    if (badEpochs >= earlyStoppingPatience) stoppedEarly = true;
    await saveCheckpoint();
    options.onProgress?.({ kind: 'epoch', epoch, step, totalSteps, lr: optDec.learningRate, record });
  }

  // Restore the best weights into the tagger.
  if (bestWeights.size > 0) {
    for (const [n, v] of allVars) {
      const b = bestWeights.get(n);
      if (b) v.assign(b);
    }
  }
  if (bestDecode) tagger.decodeOptions = { ...bestDecode };
  if (!bestReport && bestEpoch >= 0) bestReport = (await evalDev()).report;
  for (const t of bestWeights.values()) t.dispose();
  optDec.dispose();
  optEnc?.dispose();
  return {
    tagger,
    bestEpoch,
    bestDevMicroF1: best,
    bestReport,
    history,
    stoppedEarly,
    timedOut,
    epochsDone,
  };
}
