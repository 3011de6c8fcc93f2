/**
 * Self-supervised pre-training loop (masked-character prediction, see mlm.ts): streaming batches,
 * Adam with warm-up and global-norm clipping, progress lines, atomic resumable checkpoints.
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { buildVocabularies, type VocabOptions } from './build-vocab.js';
import type { EncoderConfig } from './config.js';
import { ENCODER_VERSION } from './config.js';
import { corpusBatches, heldOutLines, listTextFiles } from './corpus.js';
import { type CreateEncoderOptions, createEncoder, saveEncoder } from './create.js';
import { createRng, loadWeights, readLines, saveWeights, writeFileAtomic } from './deps.js';
import { NerimaEncoder } from './encoder.js';
import { MlmHead, maskBatch } from './mlm.js';
import { Morphology } from './morph.js';

export const CHECKPOINT_FORMAT = 'nerima-encoder-checkpoint';

export interface PretrainOptions {
  /** Text files or folders of `.txt` files (one sentence a line). */
  data: readonly string[];
  /** Output folder: `encoder.bin` (the model) and `pretrain.json` (curve and evaluation). */
  out: string;
  /** Resumable checkpoint (model + Adam state, float32). Default `runs/pretrain-<basename(out)>/checkpoint.bin`. */
  checkpoint?: string;
  /** Wall-clock budget for training steps (evaluation and saving come on top). */
  minutes?: number;
  maxSteps?: number;
  batchSize?: number;
  maxLength?: number;
  lr?: number;
  warmupSteps?: number;
  clipNorm?: number;
  maskRate?: number;
  seed?: number;
  checkpointEvery?: number;
  logEvery?: number;
  /** Held-out lines for the before/after masked-char accuracy (default 1000; 0 = skip). */
  evalLines?: number;
  /** Lines tokenised to build the word/POS vocabularies (characters use every training line). */
  vocabLines?: number;
  vocabOptions?: VocabOptions;
  /** Architecture of a new encoder (vocabularies are built here). */
  encoder?: Omit<CreateEncoderOptions, 'vocab' | 'texts' | 'gazetteer'>;
  /** Continue from `out/checkpoint.bin` when it exists (default true). */
  resume?: boolean;
  /** Weights dtype of the final model (default float16). */
  dtype?: 'float16' | 'float32';
  /** Progress sink (default: console.log). */
  log?: (line: string) => void;
  /** Recorded in the model's meta. */
  command?: string;
}

export interface EvalResult {
  lines: number;
  targets: number;
  loss: number;
  accuracy: number;
}

export interface PretrainResult {
  steps: number;
  batches: number;
  seconds: number;
  /** [step, mean training loss over the last logEvery steps, masked-char accuracy]. */
  curve: [number, number, number][];
  before?: EvalResult;
  after?: EvalResult;
  modelPath: string;
}

interface TrainState {
  step: number;
  batches: number;
  seconds: number;
  curve: [number, number, number][];
  before?: EvalResult;
}

/** Masked-character loss/accuracy on fixed lines with a fixed mask (no dropout). */
export async function evaluateMlm(
  encoder: NerimaEncoder,
  head: MlmHead,
  lines: readonly string[],
  seed = 12345,
): Promise<EvalResult> {
  const rng = createRng(seed).fork('eval-mask');
  let targets = 0;
  let lossSum = 0;
  let correct = 0;
  for (let i = 0; i < lines.length; i += 64) {
    const prepared = await encoder.prepare(lines.slice(i, i + 64));
    const masked = maskBatch(prepared, head.vocabSize, rng);
    if (masked.targets.length === 0) continue;
    const [l, c] = tf.tidy(() => {
      const r = head.loss(masked, false);
      return [r.loss.dataSync()[0]!, r.correct.dataSync()[0]!];
    });
    lossSum += l * masked.targets.length;
    correct += c;
    targets += masked.targets.length;
  }
  return {
    lines: lines.length,
    targets,
    loss: targets ? lossSum / targets : 0,
    accuracy: targets ? correct / targets : 0,
  };
}

async function buildPretrainEncoder(
  o: PretrainOptions,
  files: string[],
  log: (s: string) => void,
): Promise<NerimaEncoder> {
  const t0 = performance.now();
  const vocabLines = o.vocabLines ?? 100_000;
  const morph = o.encoder?.word === false ? null : await Morphology.create({ cacheSize: 0 });
  // Characters: every training line; words/POS: the first `vocabLines` lines of the batch stream.
  const sample: string[] = [];
  for await (const b of corpusBatches({
    paths: files,
    seed: o.seed ?? 1,
    batchSize: 256,
    maxLength: o.maxLength ?? 128,
  })) {
    sample.push(...b.texts);
    if (sample.length >= vocabLines) break;
  }
  const allLines: string[] = [];
  for (const f of files) for await (const { text } of readLines(f)) allLines.push(text.trim());
  const chars = buildVocabularies(allLines, null, o.vocabOptions);
  const words = buildVocabularies(sample, morph, o.vocabOptions);
  log(
    `vocab: ${chars.char.tokens.length} chars (+${chars.char.buckets} buckets) from ${allLines.length} lines, ` +
      `${words.word.tokens.length} words, ${words.pos.tokens.length} POS from ${sample.length} lines ` +
      `(${((performance.now() - t0) / 1000).toFixed(1)} s)`,
  );
  return createEncoder({
    ...o.encoder,
    seed: o.seed ?? 1,
    vocab: { char: chars.char, word: words.word, pos: words.pos },
  });
}

/** Runs (or resumes) pre-training and writes `out/encoder.bin`. */
export async function pretrain(o: PretrainOptions): Promise<PretrainResult> {
  const log = o.log ?? ((s: string) => console.log(s));
  const files = await listTextFiles(o.data);
  await mkdir(o.out, { recursive: true });
  const ckptPath =
    o.checkpoint ?? path.join('runs', `pretrain-${path.basename(path.resolve(o.out))}`, 'checkpoint.bin');
  await mkdir(path.dirname(ckptPath), { recursive: true });
  const modelPath = path.join(o.out, 'encoder.bin');
  const batchSize = o.batchSize ?? 32;
  const maxLength = o.maxLength ?? 128;
  const lr = o.lr ?? 1e-3;
  const warmup = o.warmupSteps ?? 200;
  const clipNorm = o.clipNorm ?? 1;
  const seed = o.seed ?? 1;
  const every = o.checkpointEvery ?? 200;
  const logEvery = o.logEvery ?? 20;
  const rootRng = createRng(seed);

  let encoder: NerimaEncoder;
  let state: TrainState = { step: 0, batches: 0, seconds: 0, curve: [] };
  const optimizer = tf.train.adam(lr, 0.9, 0.999, 1e-8);
  let optWeights: { name: string; tensor: tf.Tensor }[] | null = null;
  if ((o.resume ?? true) && existsSync(ckptPath)) {
    const loaded = await loadWeights(ckptPath, { format: CHECKPOINT_FORMAT, version: ENCODER_VERSION });
    const meta = loaded.config as { encoder: EncoderConfig; state: TrainState; optimizer: string[] };
    const morph = meta.encoder.word !== false ? await Morphology.create() : undefined;
    encoder = new NerimaEncoder(meta.encoder, { morph }, loaded.tensors);
    state = meta.state;
    optWeights = meta.optimizer.map((name) => ({ name, tensor: loaded.tensors.get(`opt/${name}`)! }));
    for (const [n, t] of loaded.tensors) if (!n.startsWith('opt/')) t.dispose();
    log(`resumed ${ckptPath} at step ${state.step} (batch ${state.batches})`);
  } else {
    encoder = await buildPretrainEncoder(o, files, log);
  }
  const head = new MlmHead(encoder, rootRng.fork('head'));
  const varList = [...encoder.variables().values(), ...head.variables()];
  if (optWeights) {
    // Adam keeps its moments by position in the gradient list: restore in the same order.
    await optimizer.setWeights(optWeights);
    for (const w of optWeights) w.tensor.dispose();
  }

  const evalLines = o.evalLines ?? 1000;
  const heldOut = evalLines > 0 ? await heldOutLines({ paths: files, maxLength }, evalLines) : [];
  if (heldOut.length && !state.before) {
    state.before = await evaluateMlm(encoder, head, heldOut);
    log(
      `eval before: loss ${state.before.loss.toFixed(3)} acc ${state.before.accuracy.toFixed(4)} (${state.before.targets} targets)`,
    );
  }

  const saveCheckpoint = async () => {
    const tensors = new Map<string, tf.Tensor>();
    for (const [n, v] of encoder.params) tensors.set(n, v);
    for (const [n, v] of encoder.extras) tensors.set(n, v);
    const ow = await optimizer.getWeights();
    const names: string[] = [];
    ow.forEach((w, i) => {
      const name = w.name === 'iter' ? 'iter' : `m${i}`;
      names.push(name);
      tensors.set(`opt/${name}`, w.tensor);
    });
    await saveWeights(ckptPath, tensors, {
      format: CHECKPOINT_FORMAT,
      version: ENCODER_VERSION,
      config: { encoder: encoder.config, state, optimizer: names },
      dtype: 'float32',
    });
  };

  const budgetMs = (o.minutes ?? Number.POSITIVE_INFINITY) * 60_000;
  const maxSteps = o.maxSteps ?? Number.POSITIVE_INFINITY;
  const start = performance.now();
  const startStep = state.step;
  const startSeconds = state.seconds;
  let winLoss = 0;
  let winCorrect = 0;
  let winTargets = 0;
  let winSteps = 0;
  let winStart = performance.now();
  const stream = corpusBatches({ paths: files, seed, batchSize, maxLength }, state.batches);
  for await (const b of stream) {
    if (state.step >= maxSteps || performance.now() - start >= budgetMs) break;
    const prepared = await encoder.prepare(b.texts);
    const masked = maskBatch(prepared, head.vocabSize, rootRng.fork(`mask-${b.index}`), o.maskRate ?? 0.15);
    state.batches = b.index + 1;
    if (masked.targets.length === 0) continue;
    encoder.reseedDropout(`step-${state.step}`);
    const rate = lr * Math.min(1, (state.step + 1) / warmup);
    (optimizer as unknown as { learningRate: number }).learningRate = rate;
    let correct = 0;
    const lossValue = tf.tidy(() => {
      let c: tf.Scalar | null = null;
      const { value, grads } = tf.variableGrads(() => {
        const r = head.loss(masked, true);
        c = tf.keep(r.correct);
        return r.loss;
      }, varList);
      const list = varList.map((v) => grads[v.name]!);
      const norm = Math.sqrt(tf.addN(list.map((g) => tf.sum(tf.square(g)))).dataSync()[0]!);
      const scale = norm > clipNorm ? clipNorm / norm : 1;
      // An array keeps the order fixed (Adam stores its moments by position).
      optimizer.applyGradients(
        varList.map((v, i) => ({ name: v.name, tensor: scale === 1 ? list[i]! : tf.mul(list[i]!, scale) })),
      );
      correct = (c as tf.Scalar | null)?.dataSync()[0] ?? 0;
      if (c) (c as tf.Scalar).dispose();
      return value.dataSync()[0]!;
    });
    state.step += 1;
    winLoss += lossValue;
    winCorrect += correct;
    winTargets += masked.targets.length;
    winSteps += 1;
    state.seconds = startSeconds + (performance.now() - start) / 1000;
    if (state.step % logEvery === 0) {
      const sps = winSteps / ((performance.now() - winStart) / 1000);
      const meanLoss = winLoss / winSteps;
      const acc = winTargets ? winCorrect / winTargets : 0;
      state.curve.push([state.step, round(meanLoss, 4), round(acc, 4)]);
      const elapsed = performance.now() - start;
      const leftByTime = budgetMs - elapsed;
      const leftBySteps = Number.isFinite(maxSteps)
        ? ((maxSteps - state.step) / sps) * 1000
        : Number.POSITIVE_INFINITY;
      const eta = Math.min(leftByTime, leftBySteps);
      log(
        `step ${state.step} | ${sps.toFixed(2)} steps/s | loss ${meanLoss.toFixed(3)} | acc ${acc.toFixed(3)} | lr ${rate.toExponential(1)} | ` +
          `batch ${state.batches} epoch ${b.epoch} | elapsed ${fmt(elapsed)} | ETA ${Number.isFinite(eta) ? fmt(eta) : '?'}`,
      );
      winLoss = winCorrect = winTargets = winSteps = 0;
      winStart = performance.now();
    }
    if (state.step % every === 0) await saveCheckpoint();
  }
  await stream.return(undefined);
  await saveCheckpoint();
  let after: EvalResult | undefined;
  if (heldOut.length) {
    after = await evaluateMlm(encoder, head, heldOut);
    log(
      `eval after: loss ${after.loss.toFixed(3)} acc ${after.accuracy.toFixed(4)} (${after.targets} targets)`,
    );
  }
  const meta = {
    pretrain: {
      objective: 'masked-char (15%, 80/10/10, word+POS masked for touched words)',
      steps: state.step,
      batches: state.batches,
      batchSize,
      maxLength,
      lr,
      seed,
      seconds: Math.round(state.seconds),
      before: state.before,
      after,
      command: o.command,
      backend: tf.getBackend(),
    },
  };
  await saveEncoder(encoder, modelPath, { dtype: o.dtype ?? 'float16', meta });
  const result: PretrainResult = {
    steps: state.step,
    batches: state.batches,
    seconds: state.seconds,
    curve: state.curve,
    before: state.before,
    after,
    modelPath,
  };
  await writeFileAtomic(
    path.join(o.out, 'pretrain.json'),
    `${JSON.stringify({ ...meta.pretrain, curve: state.curve, stepsThisRun: state.step - startStep }, null, 1)}\n`,
  );
  encoder.dispose();
  optimizer.dispose();
  return result;
}

function round(x: number, d: number): number {
  const f = 10 ** d;
  return Math.round(x * f) / f;
}

function fmt(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}
