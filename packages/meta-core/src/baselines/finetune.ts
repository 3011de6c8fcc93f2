/**
 * Baseline: the supervised span model, fine-tuned on each support set.
 *
 * Pre-training: the same projection + joint span decoder as MAML-ProtoNet++, with a linear type
 * head over the training types and a "none" class, trained supervised (mini-batches, not episodes)
 * on sentences restricted to the training types. Adaptation: every weight is copied, the type head
 * is replaced by a zero-initialised head over the new types (the "none" bias is kept), and all of it
 * is fine-tuned with Adam on the support loss for a fixed number of steps.
 */

import { readFile } from 'node:fs/promises';
import {
  createRng,
  type EntityType,
  type FewShotLearner,
  type Sentence,
  splitByTypes,
  type Tagger,
  writeFileAtomic,
} from '@nerima/core';
import type { TextEncoder } from '@nerima/encoder';
import { DEFAULT_DECODE_OPTIONS, type DecodeOptions } from '@nerima/span-decoder';
import * as tf from '@tensorflow/tfjs-core';
import { Adam } from '../adam.js';
import { FeatureStore } from '../features.js';
import { fixedValues, taskTensors } from '../maml.js';
import {
  createVariables,
  type MetaModelConfig,
  type MetaModelOptions,
  MODEL_FORMAT,
  MODEL_VERSION,
  makeConfig,
  makeEpisode,
  supportLoss,
  typeDim,
} from '../model.js';
import { makeVariable, type ParamSnapshot, restore, snapshot } from '../params.js';
import { EpisodeTagger } from '../tagger.js';

/** Options of {@link createFineTuneLearner}. */
export interface FineTuneOptions extends Pick<MetaModelOptions, 'projDim' | 'decoder' | 'dropout' | 'seed'> {
  encoder: TextEncoder;
  store?: FeatureStore;
  name?: string;
  decode?: Partial<DecodeOptions>;
  /** Adam learning rate of pre-training; default 2e-3. */
  learningRate?: number;
  /** Fine-tuning steps per support set; default 30. */
  fineTuneSteps?: number;
  /** Adam learning rate of fine-tuning; default 3e-3. */
  fineTuneLearningRate?: number;
}

/** Options of {@link FineTuneLearner.pretrain}. */
export interface PretrainOptions {
  trainTypes: readonly EntityType[];
  /** Passes over the data; default 3. */
  epochs?: number;
  /** Stop after this many minutes. */
  minutes?: number;
  /** Sentences per step; default 16. */
  batchSize?: number;
  seed?: number;
  onProgress?: (p: { step: number; epoch: number; loss: number; elapsedMs: number }) => void;
}

/** Summary of pre-training. */
export interface PretrainResult {
  steps: number;
  epochs: number;
  stoppedBy: 'epochs' | 'minutes';
  firstLoss: number;
  lastLoss: number;
  elapsedMs: number;
}

const HEAD = ['type.linear.w', 'type.linear.b'] as const;

/** Supervised span model + per-task fine-tuning (see the module comment). */
export class FineTuneLearner implements FewShotLearner {
  readonly name: string;
  readonly config: MetaModelConfig;
  readonly encoder: TextEncoder;
  readonly store: FeatureStore;
  /** Projection, decoder heads and the none bias (shared with {@link NNShotLearner}). */
  readonly vars: Map<string, tf.Variable>;
  private head: Map<string, tf.Variable> = new Map();
  private trainTypes: string[] = [];
  private readonly decodeOptions: DecodeOptions;
  private readonly lr: number;
  private readonly steps: number;
  private readonly fineLr: number;

  constructor(o: FineTuneOptions) {
    this.encoder = o.encoder;
    this.store = o.store ?? new FeatureStore(o.encoder);
    this.name = o.name ?? 'finetune';
    this.config = makeConfig(o.encoder.dim, {
      projDim: o.projDim,
      decoder: o.decoder,
      dropout: o.dropout,
      seed: o.seed,
      typeHead: 'linear',
      nonEntity: 'threshold',
      useControl: false,
      innerSteps: 0,
      testInnerSteps: 0,
    });
    this.vars = createVariables(this.config, createRng(this.config.seed));
    this.decodeOptions = { ...DEFAULT_DECODE_OPTIONS, ...o.decode };
    this.lr = o.learningRate ?? 2e-3;
    this.steps = o.fineTuneSteps ?? 30;
    this.fineLr = o.fineTuneLearningRate ?? 3e-3;
  }

  /** Supervised training on `sentences` restricted to `trainTypes`. */
  async pretrain(sentences: readonly Sentence[], o: PretrainOptions): Promise<PretrainResult> {
    const types = [...o.trainTypes];
    const pool = splitByTypes(sentences, types);
    await this.store.ensure(pool.map((s) => s.text));
    this.setHead(types);
    const all = new Map<string, tf.Variable>([...this.vars, ...this.head]);
    const adam = new Adam(all, { learningRate: this.lr, clipNorm: 5 });
    const byTf = new Map([...all].map(([n, v]) => [v.name, n]));
    const rng = createRng(o.seed ?? 1).fork('pretrain');
    const batchSize = o.batchSize ?? 16;
    const epochs = o.epochs ?? 3;
    const t0 = performance.now();
    const losses: number[] = [];
    let stoppedBy: PretrainResult['stoppedBy'] = 'epochs';
    let step = 0;
    let epoch = 0;
    const task = taskTensors(fixedValues(this.config));
    try {
      outer: for (; epoch < epochs; epoch++) {
        const order = rng.shuffle(pool.map((_, i) => i));
        for (let i = 0; i < order.length; i += batchSize) {
          if (o.minutes !== undefined && performance.now() - t0 > o.minutes * 60_000) {
            stoppedBy = 'minutes';
            break outer;
          }
          const batch = order.slice(i, i + batchSize).map((j) => pool[j] as Sentence);
          const ep = await makeEpisode(this.store, batch, null, types, this.config, rng.fork(step));
          ep.present = types.map(() => true);
          try {
            const seed = rng.int(2 ** 30);
            const { value, grads } = tf.tidy(() =>
              tf.variableGrads(
                () => supportLoss(all, this.config, this.encoder, ep, task, seed),
                [...all.values()],
              ),
            );
            const named = new Map(Object.entries(grads).map(([k, g]) => [byTf.get(k) as string, g]));
            adam.apply(named);
            tf.dispose(Object.values(grads));
            const loss = value.dataSync()[0] as number;
            value.dispose();
            losses.push(loss);
            step++;
            o.onProgress?.({ step, epoch, loss, elapsedMs: performance.now() - t0 });
          } finally {
            ep.dispose();
          }
        }
      }
    } finally {
      adam.dispose();
      tf.dispose([task.levelWeights, task.scale]);
    }
    const tenth = Math.max(1, Math.floor(losses.length / 10));
    const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : Number.NaN);
    return {
      steps: step,
      epochs: epoch,
      stoppedBy,
      firstLoss: mean(losses.slice(0, tenth)),
      lastLoss: mean(losses.slice(-tenth)),
      elapsedMs: performance.now() - t0,
    };
  }

  /** Copies the pre-trained weights, puts a zero type head over `types` and fine-tunes on `support`. */
  async adapt(support: readonly Sentence[], types?: readonly EntityType[]): Promise<Tagger> {
    const wanted = types
      ? [...types]
      : [...new Set(support.flatMap((s) => s.entities.map((e) => e.type)))].sort();
    if (wanted.length === 0) throw new RangeError('finetune.adapt: no target types');
    const spanDim = typeDim(this.config);
    const fast = new Map<string, tf.Variable>();
    for (const [n, v] of this.vars) fast.set(n, makeVariable(n, v.dataSync() as Float32Array, v.shape));
    fast.set(
      HEAD[0],
      makeVariable(HEAD[0], new Float32Array(spanDim * wanted.length), [spanDim, wanted.length]),
    );
    fast.set(HEAD[1], makeVariable(HEAD[1], new Float32Array(wanted.length), [wanted.length]));
    const ep = await makeEpisode(
      this.store,
      support,
      null,
      wanted,
      this.config,
      createRng(this.config.seed).fork('ft'),
    );
    const adam = new Adam(fast, { learningRate: this.fineLr, clipNorm: 5 });
    const byTf = new Map([...fast].map(([n, v]) => [v.name, n]));
    const task = taskTensors(fixedValues(this.config));
    try {
      for (let s = 0; s < this.steps; s++) {
        const { value, grads } = tf.tidy(() =>
          tf.variableGrads(() => supportLoss(fast, this.config, this.encoder, ep, task), [...fast.values()]),
        );
        adam.apply(new Map(Object.entries(grads).map(([k, g]) => [byTf.get(k) as string, g])));
        tf.dispose([value, ...Object.values(grads)]);
      }
    } finally {
      adam.dispose();
      tf.dispose([task.levelWeights, task.scale]);
      ep.dispose();
    }
    return new EpisodeTagger(
      this.config,
      this.encoder,
      this.store,
      wanted,
      {
        params: fast,
        protos: null,
        levelWeights: [1 / 3, 1 / 3, 1 / 3],
        scale: 1,
        present: ep.present,
        owned: [...fast.values()],
      },
      this.decodeOptions,
    );
  }

  /** Writes the pre-trained weights (config, training types, weights) to `path` atomically. */
  async save(path: string): Promise<void> {
    const file = {
      format: MODEL_FORMAT,
      version: MODEL_VERSION,
      kind: 'finetune',
      config: this.config,
      trainTypes: this.trainTypes,
      weights: snapshot(new Map([...this.vars, ...this.head])),
    };
    await writeFileAtomic(path, JSON.stringify(file));
  }

  /** Loads weights written by {@link save} into this learner (same options as when saved). */
  async load(path: string): Promise<void> {
    const file = JSON.parse(await readFile(path, 'utf8')) as {
      format: string;
      kind: string;
      config: MetaModelConfig;
      trainTypes: string[];
      weights: ParamSnapshot;
    };
    if (file.format !== MODEL_FORMAT || file.kind !== 'finetune')
      throw new Error(`${path}: not a fine-tuning baseline file`);
    if (JSON.stringify(file.config) !== JSON.stringify(this.config)) {
      throw new Error(
        `${path}: saved with another model config; create the learner with the options it was saved with`,
      );
    }
    this.setHead(file.trainTypes);
    restore(new Map([...this.vars, ...this.head]), file.weights, path);
  }

  private setHead(types: readonly string[]): void {
    for (const v of this.head.values()) v.dispose();
    const d = typeDim(this.config);
    this.trainTypes = [...types];
    this.head = new Map([
      ['type.linear.w', makeVariable('type.linear.w', new Float32Array(d * types.length), [d, types.length])],
      ['type.linear.b', makeVariable('type.linear.b', new Float32Array(types.length), [types.length])],
    ]);
  }

  dispose(): void {
    for (const v of [...this.vars.values(), ...this.head.values()]) v.dispose();
    this.vars.clear();
    this.head.clear();
  }
}

/** Creates the fine-tuning baseline (call `pretrain` before `adapt`). */
export async function createFineTuneLearner(o: FineTuneOptions): Promise<FineTuneLearner> {
  return new FineTuneLearner(o);
}
