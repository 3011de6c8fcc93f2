/**
 * MAML-ProtoNet++: `createMamlProtoNet({ encoder })` → `metaTrain(sentences, options)` (episodic,
 * resumable) → `adapt(support, types)` → a {@link Tagger}. The same class with other options gives
 * the prototype-only, MAML-only and ablation learners (see {@link VARIANTS}).
 */
import {
  createRng,
  type EntityType,
  type Episode,
  type FewShotLearner,
  SamplingError,
  type Sentence,
  sampleEpisode,
  splitByTypes,
  type Tagger,
  writeFileAtomic,
} from '@nerima/core';
import type { TextEncoder } from '@nerima/encoder';
import { DEFAULT_DECODE_OPTIONS, type DecodeOptions } from '@nerima/span-decoder';
import * as tf from '@tensorflow/tfjs-core';
import { Adam, type AdamState } from './adam.js';
import type { ControlValues } from './control.js';
import { FeatureStore } from './features.js';
import {
  disposeInner,
  innerLoop,
  type ModelParts,
  outerGradients,
  taskControl,
  taskStatistics,
  taskTensors,
} from './maml.js';
import {
  createVariables,
  cueClassMeans,
  embed,
  type MetaModelConfig,
  type MetaModelOptions,
  MODEL_FORMAT,
  MODEL_VERSION,
  makeConfig,
  makeEpisode,
  queryLoss,
  supportProtos,
  validateModelConfig,
} from './model.js';
import { type ParamSnapshot, restore, snapshot } from './params.js';
import { EpisodeTagger } from './tagger.js';

/** Options of {@link createMamlProtoNet}. */
export interface CreateMamlProtoNetOptions extends MetaModelOptions {
  /** The (frozen) encoder; its features are cached per text. */
  encoder: TextEncoder;
  /** A feature cache to share between learners on the same encoder (default: a new one). */
  store?: FeatureStore;
  /** Name reported by the protocol (default `maml-protonet++`). */
  name?: string;
  /** Decoding thresholds (defaults: span-decoder's). */
  decode?: Partial<DecodeOptions>;
  /** Outer (meta) Adam learning rate; default 1e-3. */
  outerLearningRate?: number;
  /** Global gradient-norm clip of the outer update; default 5. */
  clipNorm?: number;
}

/** Options of {@link MamlProtoNet.metaTrain}. */
export interface MetaTrainOptions {
  /** Types meta-training may use; every other type is relabelled as non-entity. */
  trainTypes: readonly EntityType[];
  /** N of the training episodes; an array draws N per episode (teaches the model to ignore unlisted types). */
  n: number | readonly number[];
  /** K of the training episodes; an array draws K per episode. */
  k: number | readonly number[];
  /** Episodes to train (including those done before a resume). */
  episodes: number;
  /** Query mentions per type (default k); see core's `sampleEpisode`. */
  queryK?: number;
  /** Fixed number of query sentences instead of `queryK`. */
  querySize?: number;
  /** Episode seed; default 1. Episode i is drawn with `createRng(seed).fork(i)`. */
  seed?: number;
  /** Stop after this many minutes of training (checked after each episode). */
  minutes?: number;
  /** Called after each episode. */
  onProgress?: (p: MetaTrainProgress) => void;
  /** Folder for `checkpoint.json` (written atomically every `checkpointEvery` episodes and at the end). */
  checkpointDir?: string;
  /** Default 50. */
  checkpointEvery?: number;
  /** Continue from `checkpointDir/checkpoint.json` when it exists. */
  resume?: boolean;
  /**
   * Mentions of types outside `trainTypes` (e.g. a fold's test types, still annotated in the
   * training split): `'negative'` (default) teaches them as non-entities like every unlabelled span;
   * `'mask'` leaves their start (and shared-start end) positions out of the boundary loss, so their
   * sentences can train the model without teaching it that those mentions are not entities.
   */
  otherTypes?: 'negative' | 'mask';
}

/** The adapted support prototypes a tagger keeps (tidy returns no nulls, so absent ones are left out). */
type AdaptedProtos = {
  span: tf.Tensor2D;
  start?: tf.Tensor2D;
  negatives?: tf.Tensor2D;
  cueNegatives?: tf.Tensor2D;
};

/** Progress of one meta-training episode. */
export interface MetaTrainProgress {
  episode: number;
  episodes: number;
  /** Query loss after adaptation. */
  loss: number;
  /** Support loss before each inner step. */
  innerLosses: number[];
  gradNorm: number;
  control: ControlValues;
  ms: number;
  elapsedMs: number;
}

/** Summary of a meta-training run. */
export interface MetaTrainResult {
  /** Episodes done in total (after a resume: including the earlier ones). */
  episodes: number;
  /** Episodes skipped because they could not be sampled. */
  skipped: number;
  stoppedBy: 'episodes' | 'minutes';
  /** Mean query loss of the first and last 10% of the episodes of this call. */
  firstLoss: number;
  lastLoss: number;
  /** Query loss per episode (this call). */
  losses: number[];
  elapsedMs: number;
  /** Peak resident set size and peak tfjs tensor bytes seen during this call. */
  peakRssBytes: number;
  peakTensorBytes: number;
  resumedFrom: number;
}

interface Checkpoint {
  format: typeof MODEL_FORMAT;
  kind: 'checkpoint';
  config: MetaModelConfig;
  fingerprint: string;
  episode: number;
  skipped: number;
  elapsedMs: number;
  weights: ParamSnapshot;
  optimizer: AdamState;
}

/** Saved model file. */
interface SavedModel {
  format: typeof MODEL_FORMAT;
  version: typeof MODEL_VERSION;
  kind: 'model';
  name: string;
  config: MetaModelConfig;
  decode: DecodeOptions;
  weights: ParamSnapshot;
}

/** Named variants: the full model, the baselines and the ablations built from the same code. */
export const VARIANTS = {
  /** MAML + prototypes + control network. */
  full: {},
  /** Ablation: fixed inner learning rates, scale and uniform level weights. */
  noControl: { useControl: false },
  /** Ablation: prototypes + control network, no inner loop. */
  noMaml: { innerSteps: 0, testInnerSteps: 0 },
  /** Ablation: MAML + control network with a linear type head (zero-initialised per task). */
  noPrototypes: { typeHead: 'linear' },
  /** Baseline: a span prototypical network (no MAML, no control network). */
  protoOnly: { innerSteps: 0, testInnerSteps: 0, useControl: false },
  /** Baseline: MAML with a linear head, no prototypes, no control network. */
  mamlOnly: { typeHead: 'linear', useControl: false },
  /** Full model with a Proto-MAML type head: prototypes initialise a linear head adapted in the inner loop. */
  protoMaml: { adaptHead: true },
} as const satisfies Record<string, MetaModelOptions>;

function peakRss(): number {
  return typeof process !== 'undefined' && typeof process.memoryUsage === 'function'
    ? process.memoryUsage().rss
    : 0;
}

/** The meta-learner (see the module comment). */
export class MamlProtoNet implements FewShotLearner {
  readonly name: string;
  readonly config: MetaModelConfig;
  readonly encoder: TextEncoder;
  readonly store: FeatureStore;
  readonly vars: Map<string, tf.Variable>;
  decodeOptions: DecodeOptions;
  private readonly outerLr: number;
  private readonly clipNorm: number;
  private disposed = false;

  constructor(options: CreateMamlProtoNetOptions, config?: MetaModelConfig) {
    this.encoder = options.encoder;
    this.config = config ?? makeConfig(options.encoder.dim, options);
    validateModelConfig(this.config);
    if (this.config.inputDim !== options.encoder.dim) {
      throw new RangeError(
        `createMamlProtoNet: the model expects encoder dim ${this.config.inputDim}, the encoder has ${options.encoder.dim}; use the encoder the model was trained with`,
      );
    }
    this.store = options.store ?? new FeatureStore(options.encoder);
    this.name = options.name ?? 'maml-protonet++';
    this.decodeOptions = { ...DEFAULT_DECODE_OPTIONS, ...options.decode };
    this.outerLr = options.outerLearningRate ?? 1e-3;
    this.clipNorm = options.clipNorm ?? 5;
    this.vars = createVariables(this.config, createRng(this.config.seed));
  }

  private get parts(): ModelParts {
    return { config: this.config, encoder: this.encoder, vars: this.vars };
  }

  /**
   * Episodic meta-training on `sentences` restricted to `options.trainTypes`. Resumable: with
   * `checkpointDir` and `resume`, a run continues at the episode after the last checkpoint and
   * draws exactly the episodes an uninterrupted run would have drawn.
   */
  async metaTrain(sentences: readonly Sentence[], options: MetaTrainOptions): Promise<MetaTrainResult> {
    this.assertAlive();
    const ns = typeof options.n === 'number' ? [options.n] : [...options.n];
    if (ns.length === 0 || ns.some((n) => !Number.isInteger(n) || n < 1 || n > options.trainTypes.length)) {
      throw new RangeError(
        `metaTrain: n must be integers in [1, ${options.trainTypes.length}] (the number of trainTypes), got ${JSON.stringify(options.n)}`,
      );
    }
    const ks = typeof options.k === 'number' ? [options.k] : [...options.k];
    if (ks.length === 0 || ks.some((k) => !Number.isInteger(k) || k < 1)) {
      throw new RangeError(`metaTrain: k must be positive integers, got ${JSON.stringify(options.k)}`);
    }
    const seed = options.seed ?? 1;
    const fingerprint = JSON.stringify({
      trainTypes: [...options.trainTypes],
      n: ns,
      k: ks,
      seed,
      q: [options.queryK, options.querySize],
      ...(options.otherTypes === 'mask' ? { otherTypes: 'mask' } : {}),
    });
    const pool = splitByTypes(sentences, options.trainTypes, { dropEmpty: false });
    const known = this.config.knownTypes;
    if (known.length > 0) {
      const a = [...known].sort().join(',');
      const b = [...options.trainTypes].sort().join(',');
      if (a !== b) {
        throw new RangeError(
          `metaTrain: the model was created with knownTypes [${known}] but trainTypes is [${options.trainTypes}]; create the learner with knownTypes equal to the train types`,
        );
      }
    }
    const byId = new Map(pool.map((s) => [s.id, s.entities]));
    const knownLabels = known.length > 0 ? (s: Sentence) => byId.get(s.id) : undefined;
    const otherTypes = options.otherTypes ?? 'negative';
    if (otherTypes !== 'negative' && otherTypes !== 'mask')
      throw new RangeError(
        `metaTrain: otherTypes must be 'negative' or 'mask', got ${JSON.stringify(otherTypes)}`,
      );
    const trainSet = new Set(options.trainTypes);
    const maskedById = new Map(
      otherTypes === 'mask'
        ? sentences.map((s) => [s.id, s.entities.filter((e) => !trainSet.has(e.type))])
        : [],
    );
    const masked = otherTypes === 'mask' ? (s: Sentence) => maskedById.get(s.id) : undefined;
    const optimizer = new Adam(this.vars, { learningRate: this.outerLr, clipNorm: this.clipNorm });
    // Node.js only (checkpoints are files): loaded on demand so that the browser build has no node: import.
    const ckptPath = options.checkpointDir
      ? (await import('node:path')).join(options.checkpointDir, 'checkpoint.json')
      : null;
    let start = 0;
    let skipped = 0;
    let priorMs = 0;
    if (ckptPath && options.resume) {
      const { readFile } = await import('node:fs/promises');
      const text = await readFile(ckptPath, 'utf8').catch(() => null);
      if (text !== null) {
        const ck = JSON.parse(text) as Checkpoint;
        if (ck.format !== MODEL_FORMAT || ck.kind !== 'checkpoint')
          throw new Error(`${ckptPath}: not a meta-core checkpoint`);
        if (JSON.stringify(ck.config) !== JSON.stringify(this.config)) {
          throw new Error(
            `${ckptPath}: saved with a different model config; delete it or create the learner with that config`,
          );
        }
        if (ck.fingerprint !== fingerprint) {
          throw new Error(
            `${ckptPath}: saved for other metaTrain options (${ck.fingerprint}); delete it or pass the same options`,
          );
        }
        restore(this.vars, ck.weights, ckptPath);
        optimizer.setState(ck.optimizer, ckptPath);
        start = ck.episode;
        skipped = ck.skipped;
        priorMs = ck.elapsedMs;
      }
    }
    const writeCheckpoint = async (episode: number, elapsedMs: number): Promise<void> => {
      if (!ckptPath) return;
      const ck: Checkpoint = {
        format: MODEL_FORMAT,
        kind: 'checkpoint',
        config: this.config,
        fingerprint,
        episode,
        skipped,
        elapsedMs,
        weights: snapshot(this.vars),
        optimizer: optimizer.getState(),
      };
      await writeFileAtomic(ckptPath, JSON.stringify(ck));
    };

    const cueKnown = this.vars.get('typecue.known');
    if (start === 0 && this.config.cueKnown === 'means' && cueKnown) {
      // A fresh run: the cue head's known prototypes start at the training mentions' class means.
      const means = cueClassMeans(this.config, pool, this.config.knownTypes);
      tf.tidy(() => cueKnown.assign(tf.tensor2d(means, cueKnown.shape as [number, number])));
    }
    await this.store.ensure(pool.map((s) => s.text));
    const t0 = performance.now();
    const root = createRng(seed);
    const losses: number[] = [];
    let peakRssBytes = peakRss();
    let peakTensorBytes = tf.memory().numBytes;
    let stoppedBy: MetaTrainResult['stoppedBy'] = 'episodes';
    const every = options.checkpointEvery ?? 50;
    let episode = start;
    try {
      for (; episode < options.episodes; episode++) {
        if (options.minutes !== undefined && performance.now() - t0 > options.minutes * 60_000) {
          stoppedBy = 'minutes';
          break;
        }
        const te = performance.now();
        const rng = root.fork(episode);
        const n = ns.length === 1 ? (ns[0] as number) : (ns[rng.int(ns.length)] as number);
        const k = ks.length === 1 ? (ks[0] as number) : (ks[rng.int(ks.length)] as number);
        let sampled: ReturnType<typeof sampleEpisode>;
        try {
          sampled = sampleEpisode(pool, { n, k, queryK: options.queryK, querySize: options.querySize, rng });
        } catch (err) {
          if (err instanceof SamplingError) {
            skipped++;
            continue;
          }
          throw err;
        }
        const ep = await makeEpisode(
          this.store,
          sampled.support,
          sampled.query,
          sampled.types,
          this.config,
          rng.fork('targets'),
          knownLabels,
          masked,
        );
        let loss: number;
        let gradNorm: number;
        let innerLosses: number[];
        let control: ControlValues;
        try {
          const stats = taskStatistics(this.parts, ep, sampled.support);
          control = taskControl(this.parts, stats);
          const dropoutSeed = this.config.dropout > 0 ? rng.int(2 ** 30) : undefined;
          const outer = outerGradients(this.parts, ep, stats, dropoutSeed);
          loss = outer.loss;
          innerLosses = outer.innerLosses;
          gradNorm = Number.isFinite(loss) ? optimizer.apply(outer.grads) : Number.NaN;
          tf.dispose([...outer.grads.values()]);
        } finally {
          ep.dispose();
        }
        losses.push(loss);
        peakRssBytes = Math.max(peakRssBytes, peakRss());
        peakTensorBytes = Math.max(peakTensorBytes, tf.memory().numBytes);
        const now = performance.now();
        options.onProgress?.({
          episode: episode + 1,
          episodes: options.episodes,
          loss,
          innerLosses,
          gradNorm,
          control,
          ms: now - te,
          elapsedMs: priorMs + now - t0,
        });
        if (ckptPath && (episode + 1) % every === 0) await writeCheckpoint(episode + 1, priorMs + now - t0);
      }
      await writeCheckpoint(episode, priorMs + performance.now() - t0);
    } finally {
      optimizer.dispose();
    }
    const tenth = Math.max(1, Math.floor(losses.length / 10));
    const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : Number.NaN);
    return {
      episodes: episode,
      skipped,
      stoppedBy,
      firstLoss: mean(losses.slice(0, tenth)),
      lastLoss: mean(losses.slice(-tenth)),
      losses,
      elapsedMs: priorMs + performance.now() - t0,
      peakRssBytes,
      peakTensorBytes,
      resumedFrom: start,
    };
  }

  /**
   * Adapts to the types of `support` (or exactly `types`): task statistics → control network →
   * inner steps on the support loss → prototypes of the support spans. The returned tagger owns
   * the adapted tensors; call its `dispose()`.
   */
  async adapt(support: readonly Sentence[], types?: readonly EntityType[]): Promise<Tagger> {
    this.assertAlive();
    const wanted = types
      ? [...types]
      : [...new Set(support.flatMap((s) => s.entities.map((e) => e.type)))].sort();
    if (wanted.length === 0)
      throw new RangeError('adapt: no target types (the support has no entity and no types were given)');
    const typed = new Set(wanted);
    if (!support.some((s) => s.entities.some((e) => typed.has(e.type)))) {
      throw new RangeError(
        `adapt: the support has no mention of ${wanted.join(', ')}; give at least one example per type`,
      );
    }
    const rng = createRng(this.config.seed).fork('adapt');
    const ep = await makeEpisode(this.store, support, null, wanted, this.config, rng);
    try {
      const stats = taskStatistics(this.parts, ep, support);
      const ctrl = taskControl(this.parts, stats);
      const inner = innerLoop(this.parts, ep, ctrl, this.config.testInnerSteps);
      const params = new Map<string, tf.Tensor>(this.vars);
      for (const [n, t] of inner.fast) params.set(n, t);
      if (inner.gradSum) tf.dispose([...inner.gradSum.values()]);
      const protos =
        this.config.typeHead === 'prototype'
          ? (tf.tidy(() => {
              const z = embed(
                params,
                this.config,
                this.encoder,
                ep.support.feats,
                tf.tensor1d(ctrl.levelWeights),
              );
              const p = supportProtos(params, this.config, z, ep);
              const out: AdaptedProtos = { span: p.span };
              if (p.start) out.start = p.start;
              if (p.negatives) out.negatives = p.negatives;
              if (p.cueNegatives) out.cueNegatives = p.cueNegatives;
              return out;
            }) as AdaptedProtos)
          : null;
      return new EpisodeTagger(
        this.config,
        this.encoder,
        this.store,
        wanted,
        {
          params,
          protos: protos
            ? {
                span: protos.span,
                start: protos.start ?? null,
                negatives: protos.negatives ?? null,
                cueNegatives: protos.cueNegatives ?? null,
              }
            : null,
          levelWeights: ctrl.levelWeights,
          scale: ctrl.scale,
          present: ep.present,
          owned: [...inner.fast.values()],
        },
        this.decodeOptions,
      );
    } finally {
      ep.dispose();
    }
  }

  /**
   * Mean query loss of `episodes` after adaptation (inner loop with `innerSteps`, no dropout): a
   * validation number for meta-training; does not change the model.
   */
  async episodeLoss(episodes: readonly Episode[]): Promise<number> {
    this.assertAlive();
    let sum = 0;
    for (const e of episodes) {
      const ep = await makeEpisode(
        this.store,
        e.support,
        e.query,
        e.types,
        this.config,
        createRng(this.config.seed).fork('loss'),
      );
      try {
        const stats = taskStatistics(this.parts, ep, e.support);
        const ctrl = taskControl(this.parts, stats);
        const inner = innerLoop(this.parts, ep, ctrl, this.config.innerSteps);
        const lossT = tf.tidy(() => {
          const params = new Map<string, tf.Tensor>(this.vars);
          for (const [n, t] of inner.fast) params.set(n, t);
          return queryLoss(params, this.config, this.encoder, ep, taskTensors(ctrl));
        });
        sum += lossT.dataSync()[0] as number;
        lossT.dispose();
        disposeInner(inner);
      } finally {
        ep.dispose();
      }
    }
    return episodes.length ? sum / episodes.length : Number.NaN;
  }

  /** Control-network outputs for a support set (for inspection). */
  async control(support: readonly Sentence[], types: readonly EntityType[]): Promise<ControlValues> {
    const ep = await makeEpisode(this.store, support, null, types, this.config, createRng(0));
    try {
      return taskControl(this.parts, taskStatistics(this.parts, ep, support));
    } finally {
      ep.dispose();
    }
  }

  /** Writes the model (config, decode options, weights) to `path` atomically. */
  async save(path: string): Promise<void> {
    this.assertAlive();
    const file: SavedModel = {
      format: MODEL_FORMAT,
      version: MODEL_VERSION,
      kind: 'model',
      name: this.name,
      config: this.config,
      decode: this.decodeOptions,
      weights: snapshot(this.vars),
    };
    await writeFileAtomic(path, JSON.stringify(file));
  }

  /** Frees the variables (not the encoder or a shared store). Safe to call twice. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const v of this.vars.values()) v.dispose();
    this.vars.clear();
  }

  private assertAlive(): void {
    if (this.disposed) throw new Error(`${this.name}: used after dispose()`);
  }
}

/**
 * Creates a MAML-ProtoNet++ learner (untrained: call `metaTrain`, or use {@link loadMamlProtoNet}).
 * @example
 * const learner = await createMamlProtoNet({ encoder });
 * await learner.metaTrain(train, { trainTypes: ['PERSON', 'CORPORATION'], n: 2, k: 5, episodes: 500 });
 * const tagger = await learner.adapt(support, ['LOCATION', 'EVENT']);
 */
export async function createMamlProtoNet(options: CreateMamlProtoNetOptions): Promise<MamlProtoNet> {
  return new MamlProtoNet(options);
}

/** Loads a model written by {@link MamlProtoNet.save}; checks format, version and shapes. Node.js only. */
export async function loadMamlProtoNet(
  path: string,
  options: Omit<CreateMamlProtoNetOptions, keyof MetaModelOptions>,
): Promise<MamlProtoNet> {
  const { readFile } = await import('node:fs/promises');
  return parseMamlProtoNet(await readFile(path, 'utf8'), options, path);
}

/**
 * Loads a model from the text of a file written by {@link MamlProtoNet.save} (e.g. fetched in a
 * browser); checks format, version and shapes like {@link loadMamlProtoNet}. `source` names the
 * text in errors.
 * @example
 * const learner = parseMamlProtoNet(await (await fetch('/model/meta-model.json')).text(), { encoder });
 */
export function parseMamlProtoNet(
  text: string,
  options: Omit<CreateMamlProtoNetOptions, keyof MetaModelOptions>,
  source = '<text>',
): MamlProtoNet {
  let file: SavedModel;
  try {
    file = JSON.parse(text) as SavedModel;
  } catch (err) {
    throw new Error(
      `${source}: not JSON (${(err as Error).message}); pass a model.json written by MamlProtoNet.save`,
    );
  }
  const path = source;
  if (file.format !== MODEL_FORMAT || file.kind !== 'model') {
    throw new Error(
      `${path}: not a meta-core model file (format ${String(file.format)}, kind ${String(file.kind)})`,
    );
  }
  if (file.version !== MODEL_VERSION) {
    throw new Error(
      `${path}: model version ${file.version}, this library reads ${MODEL_VERSION}; re-train or use a matching version`,
    );
  }
  const learner = new MamlProtoNet(
    { ...options, name: options.name ?? file.name, decode: { ...file.decode, ...options.decode } },
    file.config,
  );
  restore(learner.vars, file.weights, path);
  return learner;
}
