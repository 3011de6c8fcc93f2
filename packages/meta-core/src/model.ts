/**
 * The MAML-ProtoNet++ model: encoder features → combine (control-network level weights) → a
 * projection → the joint span decoder of @nerima/span-decoder (start, end given start, span
 * representation) → a type head (prototypes, or a linear head for the "no prototypes" variants).
 *
 * Every forward is pure in a {@link ParamMap}, so the same code runs with the slow weights (the
 * variables) and with MAML fast weights. The encoder is frozen: its features come from a
 * {@link FeatureStore}.
 */
import type { Entity, EntityType, Rng, Sentence } from '@nerima/core';
import type { EncodedFeatures, TextEncoder } from '@nerima/encoder';
import {
  buildTargets,
  computePrototypes,
  createBoundaryVariables,
  defaultDecoderConfig,
  endLogitsAt,
  type SpanDecoderConfig,
  type SpanIndex,
  type SpanTargets,
  type StartIndex,
  softmaxCe,
  spanRepresentations,
  squaredDistances,
  startLogits,
  weightedBce,
} from '@nerima/span-decoder';
import * as tf from '@tensorflow/tfjs-core';
import { type ControlConfig, createControlVariables, validateControlConfig } from './control.js';
import { getSpanCue, spanCueBlocks, spanCuesDim } from './cues/registry.js';
import { disposeFeatures, type FeatureStore } from './features.js';
import { LEXICAL_DIM, lexicalFeatures } from './lexical.js';
import { Builder, dense, makeVariable, type ParamMap, param } from './params.js';

/** Format tag and version of saved models. */
export const MODEL_FORMAT = 'nerima-meta-core';
export const MODEL_VERSION = 1;

/** What the type head compares (see {@link MetaModelConfig.typeFeatures}). */
export type TypeFeatures = 'span' | 'span+z' | 'span+z+lex' | 'z+cues' | 'cues';
const TYPE_FEATURES: readonly TypeFeatures[] = ['span', 'span+z', 'span+z+lex', 'z+cues', 'cues'];

/** Whether the type representation includes the decoder's learned span representation (`span.*` weights). */
export function usesSpanHead(f: TypeFeatures): boolean {
  return f === 'span' || f === 'span+z' || f === 'span+z+lex';
}

/** Whether the type representation includes z's mean and last character. */
function usesZ(f: TypeFeatures): boolean {
  return f !== 'span' && f !== 'cues';
}

/** Which columns of the type representation the type head reads (see {@link MetaModelConfig.typeBy}). */
export type TypeBy = 'all' | 'cues';

/** How spans get their type. */
export type TypeHead = 'prototype' | 'linear';
/**
 * How "not an entity" is decided. `'decoder'`: the joint start→end decoder alone decides entity-ness
 * and the type head only types the kept spans. `'threshold'`: the type head also has a "none"
 * column (−scale·τ for prototypes, a learned bias for the linear head), trained on negative spans.
 */
export type NonEntityMode = 'decoder' | 'threshold';

/** The stored model configuration (plain JSON). */
export interface MetaModelConfig {
  format: typeof MODEL_FORMAT;
  version: typeof MODEL_VERSION;
  /** The encoder's `dim`. */
  inputDim: number;
  /** Width of the projection on top of the encoder (the decoder's input). */
  projDim: number;
  /** Span decoder settings (`inputDim` = `projDim`; `types` is a placeholder, set per episode). */
  decoder: SpanDecoderConfig;
  typeHead: TypeHead;
  nonEntity: NonEntityMode;
  /**
   * Prototype-conditioned boundaries (prototype head only): start and end logits get a learned
   * affine term of the similarity to the support's start / span prototypes, so the decoder's
   * entity-ness follows the support set's types.
   */
  condition: boolean;
  /**
   * Types learned in meta-training (the train types). Each gets a learned prototype
   * (`known.protos`); in an episode, the known types that are not targets compete as extra
   * "not a target" classes, so spans that look like a known type are rejected. Empty: off.
   */
  knownTypes: string[];
  /**
   * Proto-MAML (prototype head only): the prototypes initialise a linear type head that is a fast
   * weight (group `type`), adapted by the inner loop instead of staying fixed.
   */
  adaptHead: boolean;
  /**
   * What the type head compares: the decoder's span representation, that plus z mean / last char
   * (`'span+z'`), or that plus fixed lexical cues of the span (`'span+z+lex'`: hashed last / last two
   * / first characters and their scripts, see lexical.ts, times a learned scale `lex.logScale`).
   * `'z+cues'` drops the decoder's span representation (z mean / last char and the span cues), and
   * `'cues'` types by the span cues alone (no learned type features: the cues' scales and the
   * control network's distance scale are all that is learned for typing). Both need `spanCues` and
   * leave the decoder's `span.*` weights out (no `span` fast-weight group).
   */
  typeFeatures: TypeFeatures;
  /**
   * Fixed span cues appended to the type representation (cues/registry.ts), each times its own
   * learned scale `exp(cue.<name>.logScale)` (initially √dim): e.g. `['vectors', 'kb']` (distributional word vectors, KB
   * categories). Absent in older model files (= none). Needs `typeFeatures` other than `'span'`.
   */
  spanCues?: string[];
  /**
   * Which columns of the type representation the type head's distances use: `'all'` (default,
   * absent in older files) or `'cues'`, the span cues' columns only. With `'cues'` the end
   * conditioning still compares the whole representation (learned features + cues) with the
   * prototypes, so detection keeps the learned features while typing reads only the fixed cues,
   * which type unseen types better than the learned ones (issue 12). The type loss then has two
   * terms: the whole-representation head's (it trains z, which the conditioned boundaries need) and
   * the cue head's, which has its own parameters (`typecue.<name>.logScale`, `typecue.known`).
   * Needs `spanCues`, the plain prototype head (no linear head, no `adaptHead`) and nonEntity
   * `'decoder'`.
   */
  typeBy?: TypeBy;
  /**
   * With `typeBy: 'cues'` and `knownTypes`: how the cue head's known-type prototypes start.
   * `'learned'` (default): random, learned in meta-training. `'means'`: meta-training sets them to
   * the class means of the training mentions' unit cue blocks, and a learned bias
   * (`typecue.knownBias`) calibrates known against target types.
   */
  cueKnown?: 'learned' | 'means';
  /** Fast-weight groups, inner learning-rate bounds and distance-scale bounds. */
  control: ControlConfig;
  /** Use the control network (else the configured initial values, fixed). */
  useControl: boolean;
  /** Inner steps in meta-training (0: no MAML). */
  innerSteps: number;
  /** Inner steps at adaptation time. */
  testInnerSteps: number;
  /** 1: first-order MAML; 2: second-order (differentiates through the inner loop). */
  order: 1 | 2;
  /** Dropout on the combined features during meta-training. */
  dropout: number;
  /** Trainable residual convolutions over the frozen encoder features (slow weights), or null. */
  context: { width: number; dilations: number[] } | null;
  /** Initialisation seed. */
  seed: number;
}

/** Options to build a config; every field has a default. */
export type MetaModelOptions = Partial<
  Omit<MetaModelConfig, 'format' | 'version' | 'inputDim' | 'decoder' | 'control' | 'knownTypes'>
> & {
  knownTypes?: readonly string[];
  decoder?: Partial<SpanDecoderConfig>;
  control?: Partial<ControlConfig>;
};

/** The default fast-weight groups: the projection and the three decoder heads. */
export const DEFAULT_GROUPS = ['proj', 'start', 'end', 'span'] as const;

/** A complete config from the encoder width and options. */
export function makeConfig(inputDim: number, o: MetaModelOptions = {}): MetaModelConfig {
  const projDim = o.projDim ?? 128;
  const typeHead = o.typeHead ?? 'prototype';
  const adaptHead = typeHead === 'prototype' && (o.adaptHead ?? false);
  const typeFeatures = o.typeFeatures ?? 'span+z';
  // Without the decoder's span representation in the type head, `span.*` does not exist.
  const baseGroups = DEFAULT_GROUPS.filter((g) => g !== 'span' || usesSpanHead(typeFeatures));
  const groups =
    o.control?.groups ?? (typeHead === 'linear' || adaptHead ? [...baseGroups, 'type'] : [...baseGroups]);
  const lrInit = o.control?.lrInit ?? groups.map((g) => (g === 'type' ? 0.5 : 0.05));
  const lrMax = o.control?.lrMax ?? groups.map((g) => (g === 'type' ? 5 : 0.5));
  const control: ControlConfig = {
    groups,
    lrInit,
    lrMax,
    scaleMin: o.control?.scaleMin ?? 0.5,
    scaleMax: o.control?.scaleMax ?? 200,
    scaleInit: o.control?.scaleInit ?? 10,
    hidden: o.control?.hidden ?? 32,
  };
  validateControlConfig(control);
  const decoder: SpanDecoderConfig = {
    ...defaultDecoderConfig(projDim, ['ENTITY']),
    startHidden: 64,
    endHidden: 64,
    biaffineRank: 16,
    spanDim: 64,
    dropout: 0,
    ...o.decoder,
    inputDim: projDim,
    types: ['ENTITY'],
  };
  const c: MetaModelConfig = {
    format: MODEL_FORMAT,
    version: MODEL_VERSION,
    inputDim,
    projDim,
    decoder,
    typeHead,
    nonEntity: o.nonEntity ?? 'decoder',
    condition: typeHead === 'prototype' && (o.condition ?? true),
    knownTypes: typeHead === 'prototype' ? [...(o.knownTypes ?? [])] : [],
    typeFeatures,
    spanCues: [...(o.spanCues ?? [])],
    typeBy: o.typeBy ?? 'all',
    cueKnown: o.cueKnown ?? 'learned',
    adaptHead,
    control,
    useControl: o.useControl ?? true,
    innerSteps: o.innerSteps ?? 3,
    testInnerSteps: o.testInnerSteps ?? o.innerSteps ?? 3,
    order: o.order ?? 1,
    dropout: o.dropout ?? 0.1,
    context: o.context === undefined ? { width: 3, dilations: [1, 2] } : o.context,
    seed: o.seed ?? 1,
  };
  validateModelConfig(c);
  return c;
}

/** Checks a config, naming the field that is wrong. */
export function validateModelConfig(c: MetaModelConfig, where = 'meta-core config'): void {
  if (c.format !== MODEL_FORMAT || c.version !== MODEL_VERSION) {
    throw new Error(
      `${where}: format/version ${c.format}/${c.version}, expected ${MODEL_FORMAT}/${MODEL_VERSION}`,
    );
  }
  for (const k of ['inputDim', 'projDim'] as const) {
    if (!Number.isInteger(c[k]) || c[k] <= 0)
      throw new RangeError(`${where}: ${k} must be a positive integer, got ${c[k]}`);
  }
  for (const k of ['innerSteps', 'testInnerSteps'] as const) {
    if (!Number.isInteger(c[k]) || c[k] < 0)
      throw new RangeError(`${where}: ${k} must be an integer ≥ 0, got ${c[k]}`);
  }
  if (c.order !== 1 && c.order !== 2) throw new RangeError(`${where}: order must be 1 or 2, got ${c.order}`);
  if (!TYPE_FEATURES.includes(c.typeFeatures)) {
    throw new RangeError(
      `${where}: typeFeatures must be one of ${TYPE_FEATURES.join(', ')}, got ${JSON.stringify(c.typeFeatures)}`,
    );
  }
  const cues = c.spanCues ?? [];
  if (!Array.isArray(cues) || cues.some((n) => typeof n !== 'string') || new Set(cues).size !== cues.length)
    throw new RangeError(`${where}: spanCues must be distinct cue names, got ${JSON.stringify(c.spanCues)}`);
  if (cues.length > 0 && c.typeFeatures === 'span')
    throw new RangeError(`${where}: spanCues need typeFeatures 'span+z' or 'span+z+lex', not 'span'`);
  if (!usesSpanHead(c.typeFeatures)) {
    if (cues.length === 0)
      throw new RangeError(`${where}: typeFeatures '${c.typeFeatures}' needs at least one of spanCues`);
    if (c.control.groups.includes('span'))
      throw new RangeError(
        `${where}: typeFeatures '${c.typeFeatures}' has no span representation, so control.groups must not include 'span'`,
      );
  }
  const typeBy = c.typeBy ?? 'all';
  if (typeBy !== 'all' && typeBy !== 'cues')
    throw new RangeError(`${where}: typeBy must be 'all' or 'cues', got ${JSON.stringify(c.typeBy)}`);
  if (
    typeBy === 'cues' &&
    (cues.length === 0 || c.typeHead !== 'prototype' || c.adaptHead || c.nonEntity !== 'decoder')
  )
    throw new RangeError(
      `${where}: typeBy 'cues' needs spanCues and the prototype type head without adaptHead, with nonEntity 'decoder'`,
    );
  if (c.cueKnown !== undefined && c.cueKnown !== 'learned' && c.cueKnown !== 'means')
    throw new RangeError(
      `${where}: cueKnown must be 'learned' or 'means', got ${JSON.stringify(c.cueKnown)}`,
    );
  if (c.typeHead !== 'prototype' && c.typeHead !== 'linear') {
    throw new RangeError(
      `${where}: typeHead must be 'prototype' or 'linear', got ${JSON.stringify(c.typeHead)}`,
    );
  }
  if (c.nonEntity !== 'decoder' && c.nonEntity !== 'threshold') {
    throw new RangeError(
      `${where}: nonEntity must be 'decoder' or 'threshold', got ${JSON.stringify(c.nonEntity)}`,
    );
  }
  if (c.condition && c.typeHead !== 'prototype') {
    throw new RangeError(`${where}: condition needs the prototype type head (typeHead 'prototype')`);
  }
  if (c.knownTypes.length > 0 && c.typeHead !== 'prototype') {
    throw new RangeError(`${where}: knownTypes needs the prototype type head (typeHead 'prototype')`);
  }
  if (new Set(c.knownTypes).size !== c.knownTypes.length)
    throw new RangeError(`${where}: knownTypes has duplicates`);
  if (c.adaptHead && (c.typeHead !== 'prototype' || !c.control.groups.includes('type'))) {
    throw new RangeError(
      `${where}: adaptHead needs typeHead 'prototype' and a 'type' group in control.groups`,
    );
  }
  if (c.typeHead === 'linear' && !c.control.groups.includes('type')) {
    throw new RangeError(
      `${where}: a linear type head is adapted in the inner loop, so control.groups must include 'type'`,
    );
  }
  if (
    c.context &&
    !(
      Number.isInteger(c.context.width) &&
      c.context.width >= 1 &&
      c.context.dilations.every((d) => Number.isInteger(d) && d >= 1)
    )
  ) {
    throw new RangeError(
      `${where}: context needs an integer width ≥ 1 and integer dilations ≥ 1, got ${JSON.stringify(c.context)}`,
    );
  }
  if (!(c.dropout >= 0 && c.dropout < 1))
    throw new RangeError(`${where}: dropout must be in [0, 1), got ${c.dropout}`);
  if (c.decoder.inputDim !== c.projDim) {
    throw new RangeError(
      `${where}: decoder.inputDim (${c.decoder.inputDim}) must equal projDim (${c.projDim})`,
    );
  }
  validateControlConfig(c.control);
}

/** The fast-weight group of a parameter name: the part before the first dot. */
export function groupOf(name: string): string {
  const i = name.indexOf('.');
  return i < 0 ? name : name.slice(0, i);
}

/** Creates the slow weights: projection, decoder heads, type-head extras and (optionally) the control network. */
export function createVariables(c: MetaModelConfig, rng: Rng): Map<string, tf.Variable> {
  const vars = new Map<string, tf.Variable>();
  const b = new Builder(vars, rng.fork('proj'));
  b.dense('proj', c.inputDim, c.projDim);
  c.context?.dilations.forEach((_, i) => {
    b.dense(`ctx.${i}`, c.inputDim * (c.context as { width: number }).width, c.inputDim);
  });
  // span-decoder names its variables without a per-instance suffix: copy them under unique names
  // so that several models can live in one process.
  const boundary = createBoundaryVariables(c.decoder, rng.fork('decoder'));
  for (const [name, v] of boundary) {
    if (usesSpanHead(c.typeFeatures) || groupOf(name) !== 'span')
      vars.set(name, makeVariable(name, v.dataSync() as Float32Array, v.shape));
    v.dispose();
  }
  if (c.condition) {
    b.constant('cond.start.a', [], 1);
    b.constant('cond.start.b', [], 0);
    b.constant('cond.end.a', [], 1);
    b.constant('cond.end.b', [], 0);
  }
  if (c.knownTypes.length > 0) {
    const values = new Float32Array(c.knownTypes.length * typeDim(c));
    const r = rng.fork('known');
    for (let i = 0; i < values.length; i++) values[i] = r.normal(0, 0.1);
    b.add('known.protos', values, [c.knownTypes.length, typeDim(c)]);
    if (c.condition) b.constant('cond.end.c', [], 0);
  }
  if (c.typeFeatures === 'span+z+lex') b.constant('lex.logScale', [], 0);
  if (c.typeBy === 'cues') {
    // The cue type head's own scales start where the whole head's cue term starts (√dim per
    // dimension times the initial distance scale); it has its own known-type prototypes.
    for (const name of c.spanCues ?? [])
      b.constant(`typecue.${name}.logScale`, [], Math.log(c.control.scaleInit * getSpanCue(name).dim));
    if (c.knownTypes.length > 0) {
      const cueDim = spanCuesDim(c.spanCues ?? []);
      const values = new Float32Array(c.knownTypes.length * cueDim);
      const r = rng.fork('typecue.known');
      for (let i = 0; i < values.length; i++) values[i] = r.normal(0, 0.1);
      b.add('typecue.known', values, [c.knownTypes.length, cueDim]);
      if (c.cueKnown === 'means') b.constant('typecue.knownBias', [], 0);
    }
  }
  // A cue starts at per-dimension magnitude ≈ 1, like the learned features (a unit vector over
  // `dim` entries times √dim), else the 300-odd learned dimensions drown it in the distance and the
  // outer loop's small steps take thousands of episodes to lift it.
  for (const name of c.spanCues ?? [])
    b.constant(`cue.${name}.logScale`, [], 0.5 * Math.log(getSpanCue(name).dim));
  if (c.nonEntity === 'threshold') {
    if (c.typeHead === 'prototype') b.constant('type.logTau', [], Math.log(1));
    else b.constant('type.noneBias', [], 0);
  }
  if (c.useControl)
    for (const [k, v] of createControlVariables(c.control, rng.fork('control'))) vars.set(k, v);
  return vars;
}

/** Names of the episode-specific linear head (fast weights that start at zero every episode). */
export const LINEAR_HEAD = ['type.linear.w', 'type.linear.b'] as const;

/** One side of an episode (support or query) ready for the losses. */
export interface Part {
  texts: string[];
  lengths: number[];
  feats: EncodedFeatures;
  targets: SpanTargets;
  /** Gold spans (the first `targets.numGold` type spans) and their type index in [0, N). */
  gold: SpanIndex;
  goldLabels: Int32Array;
  /** Mentions of known non-target types (meta-training query only) and their index into `negatives`. */
  known: SpanIndex;
  knownLabels: Int32Array;
}

/** An episode's tensors; `dispose()` frees them. */
export interface EpisodeTensors {
  types: EntityType[];
  support: Part;
  query: Part | null;
  /** Types with at least one support span (others are masked out of the type head). */
  present: boolean[];
  /** Indices into `config.knownTypes` of the known types that are not targets. */
  negatives: number[];
  dispose(): void;
}

function goldSlice(t: SpanTargets): SpanIndex {
  const n = t.numGold;
  return {
    batch: t.typeSpans.batch.slice(0, n),
    start: t.typeSpans.start.slice(0, n),
    end: t.typeSpans.end.slice(0, n),
  };
}

/** Full known-type labels of a sentence (meta-training data), used for the known-type negatives. */
export type KnownLabels = (s: Sentence) => readonly Entity[] | undefined;

/**
 * Mentions of a sentence that no loss may call non-entities (e.g. training-split mentions of a fold's
 * test types): they are masked from the boundary loss instead of being taught as negatives.
 */
export type MaskedMentions = (s: Sentence) => readonly Entity[] | undefined;

/**
 * Zeroes the loss weights that would teach `masked` mentions as non-entities: the start weight at
 * each one's first character and, where a gold mention starts at the same place, the end weight of
 * its end. Positions that are gold themselves keep their weights.
 */
function maskTargets(t: SpanTargets, masked: readonly (readonly Entity[])[], T: number, K: number): void {
  const goldStartRow = new Map<number, number>();
  t.goldStarts.batch.forEach((b, g) => {
    goldStartRow.set(b * T + (t.goldStarts.start[g] as number), g);
  });
  masked.forEach((mentions, b) => {
    for (const e of mentions) {
      const at = b * T + e.start;
      if (t.startLabels[at] === 0) t.startWeights[at] = 0;
      const g = goldStartRow.get(at);
      const k = e.end - e.start - 1;
      if (g !== undefined && k < K && t.endLabels[g * K + k] === 0) t.endWeights[g * K + k] = 0;
    }
  });
}

/**
 * Builds a part from sentences whose features are in `store` (call `store.ensure` first). Mentions
 * of other types are non-entities, except those `masked` returns (left out of the loss).
 */
export function makePart(
  store: FeatureStore,
  sentences: readonly Sentence[],
  types: readonly EntityType[],
  decoder: SpanDecoderConfig,
  rng: Rng,
  known?: { types: readonly EntityType[]; labels: KnownLabels },
  masked?: MaskedMentions,
): Part {
  const texts = sentences.map((s) => s.text);
  const feats = store.batch(texts);
  const T = feats.mask.shape[1];
  const lengths = texts.map((t) => Math.min(t.length, T));
  const wanted = new Set(types);
  const maskedMentions = sentences.map((s, b) =>
    (masked?.(s) ?? []).filter(
      (e) => !wanted.has(e.type) && e.start >= 0 && e.end > e.start && e.end <= (lengths[b] as number),
    ),
  );
  // Masked mentions go in as annotated spans of no target type, so they are never sampled as negative spans.
  const targets = buildTargets(
    sentences.map((s, b) => [
      ...s.entities.filter((e) => wanted.has(e.type) && e.end <= T),
      ...(maskedMentions[b] as Entity[]),
    ]),
    lengths,
    T,
    { ...decoder, types: [...types] },
    rng,
  );
  maskTargets(targets, maskedMentions, T, decoder.maxWidth);
  const kb: number[] = [];
  const ks: number[] = [];
  const ke: number[] = [];
  const kl: number[] = [];
  if (known && known.types.length > 0) {
    sentences.forEach((sent, b) => {
      for (const e of known.labels(sent) ?? []) {
        const j = known.types.indexOf(e.type);
        if (j < 0 || wanted.has(e.type) || e.end > (lengths[b] as number) || e.end <= e.start) continue;
        kb.push(b);
        ks.push(e.start);
        ke.push(e.end);
        kl.push(j);
      }
    });
  }
  return {
    texts,
    lengths,
    feats,
    targets,
    gold: goldSlice(targets),
    goldLabels: Int32Array.from(targets.typeLabels.slice(0, targets.numGold), (l) => l - 1),
    known: { batch: Int32Array.from(kb), start: Int32Array.from(ks), end: Int32Array.from(ke) },
    knownLabels: Int32Array.from(kl),
  };
}

/**
 * Builds the tensors of an episode (`query` may be null at adaptation time). With `knownLabels`
 * (meta-training), query mentions of known non-target types become known-type negatives.
 */
export async function makeEpisode(
  store: FeatureStore,
  support: readonly Sentence[],
  query: readonly Sentence[] | null,
  types: readonly EntityType[],
  c: MetaModelConfig,
  rng: Rng,
  knownLabels?: KnownLabels,
  masked?: MaskedMentions,
): Promise<EpisodeTensors> {
  await store.ensure([...support.map((s) => s.text), ...(query ?? []).map((s) => s.text)]);
  const targetSet = new Set(types);
  const negatives = c.knownTypes.flatMap((t, i) => (targetSet.has(t) ? [] : [i]));
  const negTypes = negatives.map((i) => c.knownTypes[i] as string);
  const s = makePart(store, support, types, c.decoder, rng.fork('support'), undefined, masked);
  const q = query
    ? makePart(
        store,
        query,
        types,
        c.decoder,
        rng.fork('query'),
        knownLabels ? { types: negTypes, labels: knownLabels } : undefined,
        masked,
      )
    : null;
  const present = types.map((_, i) => s.goldLabels.includes(i));
  return {
    types: [...types],
    support: s,
    query: q,
    present,
    negatives,
    dispose() {
      disposeFeatures(s.feats);
      if (q) disposeFeatures(q.feats);
    },
  };
}

/** Per-task values the losses need: level weights [3] and the distance scale (tensors, maybe differentiable). */
export interface TaskTensors {
  levelWeights: tf.Tensor1D;
  scale: tf.Scalar;
}

/** x [B, T, C] shifted along time: out[t] = x[t + offset], zeros outside. */
function shiftTime(x: tf.Tensor3D, offset: number): tf.Tensor3D {
  if (offset === 0) return x;
  const [B, T, C] = x.shape;
  if (Math.abs(offset) >= T) return tf.zeros([B, T, C]);
  if (offset > 0)
    return tf.pad(tf.slice(x, [0, offset, 0], [B, T - offset, C]), [
      [0, 0],
      [0, offset],
      [0, 0],
    ]);
  return tf.pad(tf.slice(x, [0, 0, 0], [B, T + offset, C]), [
    [0, 0],
    [-offset, 0],
    [0, 0],
  ]);
}

/**
 * The slow, task-independent part of the representation: the encoder levels combined with the
 * task's level weights, then residual 1-D convolutions (`ctx.<i>`, width `context.width`, one per
 * dilation) that add trainable local context on top of the frozen encoder: [B, T, inputDim].
 */
export function contextualize(
  params: ParamMap,
  c: MetaModelConfig,
  encoder: TextEncoder,
  feats: EncodedFeatures,
  levelWeights: tf.Tensor1D,
  dropout = 0,
  seed?: number,
): tf.Tensor3D {
  let h = encoder.combine(feats, levelWeights);
  if (dropout > 0) h = tf.dropout(h, dropout, undefined, seed) as tf.Tensor3D;
  const mask3 = tf.expandDims(feats.mask, 2);
  if (c.context) {
    const [B, T, D] = h.shape;
    const left = Math.floor(c.context.width / 2);
    c.context.dilations.forEach((d, i) => {
      const parts = Array.from({ length: c.context!.width }, (_, k) => shiftTime(h, (k - left) * d));
      const cat = tf.reshape(tf.concat(parts, 2), [B * T, D * parts.length]);
      const y = tf.reshape(tf.tanh(dense(params, `ctx.${i}`, cat)), [B, T, D]);
      h = tf.mul(tf.add(h, y), mask3) as tf.Tensor3D;
    });
  }
  return h;
}

/** The fast part's input: z = tanh(u · W_proj + b) [B, T, projDim] (padding rows zeroed). */
export function project(params: ParamMap, u: tf.Tensor3D, mask: tf.Tensor2D): tf.Tensor3D {
  return tf.mul(tf.tanh(dense(params, 'proj', u)), tf.expandDims(mask, 2)) as tf.Tensor3D;
}

/** Projected features z [B, T, projDim] (padding rows zeroed): {@link contextualize} then {@link project}. */
export function embed(
  params: ParamMap,
  c: MetaModelConfig,
  encoder: TextEncoder,
  feats: EncodedFeatures,
  levelWeights: tf.Tensor1D,
  dropout = 0,
  seed?: number,
): tf.Tensor3D {
  return project(params, contextualize(params, c, encoder, feats, levelWeights, dropout, seed), feats.mask);
}

/** Width of {@link typeRepresentations}. */
export function typeDim(c: MetaModelConfig): number {
  return (
    (usesSpanHead(c.typeFeatures) ? c.decoder.spanDim : 0) +
    (usesZ(c.typeFeatures) ? 2 * c.projDim : 0) +
    (c.typeFeatures === 'span+z+lex' ? LEXICAL_DIM : 0) +
    spanCuesDim(c.spanCues ?? [])
  );
}

/** Each named cue's block [S, dim] times exp(cue.<name>.logScale). */
function cueParts(
  params: ParamMap,
  cues: readonly string[],
  texts: readonly string[],
  spans: SpanIndex,
): tf.Tensor2D[] {
  const S = spans.batch.length;
  return spanCueBlocks(cues, texts, spans).map((block, i) => {
    const name = cues[i] as string;
    return tf.mul(
      tf.tensor2d(block, [S, getSpanCue(name).dim]),
      tf.exp(param(params, `cue.${name}.logScale`)),
    ) as tf.Tensor2D;
  });
}

/**
 * What prototypes and the type head compare: the decoder's span representation, and with
 * `typeFeatures: 'span+z'` also the mean of z over the span and z at its last character (the
 * head-final suffix — 県, 大会, 社 — carries much of a Japanese mention's type) [S, typeDim];
 * `'span+z+lex'` appends the span's fixed lexical vector (lexical.ts) times `exp(lex.logScale)`,
 * which needs `texts` (the texts of z's batch rows).
 */
export function typeRepresentations(
  params: ParamMap,
  c: MetaModelConfig,
  z: tf.Tensor3D,
  spans: SpanIndex,
  texts?: readonly string[],
): tf.Tensor2D {
  if (c.typeFeatures === 'span') return spanRepresentations(params, z, spans, c.decoder);
  if (spans.batch.length === 0) return tf.zeros([0, typeDim(c)]) as tf.Tensor2D;
  const cues = c.spanCues ?? [];
  if ((c.typeFeatures === 'span+z+lex' || cues.length > 0) && !texts)
    throw new Error("typeRepresentations: typeFeatures 'span+z+lex' or spanCues needs the texts of z's rows");
  if (c.typeFeatures === 'cues')
    return tf.concat(cueParts(params, cues, texts ?? [], spans), 1) as tf.Tensor2D;
  const [B, T, H] = z.shape;
  const S = spans.batch.length;
  const cumStart = new Int32Array(S);
  const cumEnd = new Int32Array(S);
  const last = new Int32Array(S);
  const inv = new Float32Array(S);
  for (let i = 0; i < S; i++) {
    const b = spans.batch[i] as number;
    const st = spans.start[i] as number;
    const en = spans.end[i] as number;
    cumStart[i] = b * (T + 1) + st;
    cumEnd[i] = b * (T + 1) + en;
    last[i] = b * T + en - 1;
    inv[i] = 1 / (en - st);
  }
  const cum = tf.reshape(tf.concat([tf.zeros([B, 1, H]), tf.cumsum(z, 1)], 1), [B * (T + 1), H]);
  const mean = tf.mul(
    tf.sub(tf.gather(cum, tf.tensor1d(cumEnd, 'int32')), tf.gather(cum, tf.tensor1d(cumStart, 'int32'))),
    tf.tensor2d(inv, [S, 1]),
  );
  const lastZ = tf.gather(tf.reshape(z, [B * T, H]), tf.tensor1d(last, 'int32'));
  const parts: tf.Tensor2D[] = usesSpanHead(c.typeFeatures)
    ? [spanRepresentations(params, z, spans, c.decoder), mean as tf.Tensor2D, lastZ as tf.Tensor2D]
    : [mean as tf.Tensor2D, lastZ as tf.Tensor2D];
  if (c.typeFeatures === 'span+z+lex') {
    parts.push(
      tf.mul(
        tf.tensor2d(lexicalFeatures(texts as readonly string[], spans), [S, LEXICAL_DIM]),
        tf.exp(param(params, 'lex.logScale')),
      ) as tf.Tensor2D,
    );
  }
  parts.push(...cueParts(params, cues, texts ?? [], spans));
  return tf.concat(parts, 1) as tf.Tensor2D;
}

/** Logits [S, N] with the types absent from the support pushed to −1e4. */
function maskAbsentTypes(logits: tf.Tensor2D, present: readonly boolean[]): tf.Tensor2D {
  if (!present.some((p) => !p)) return logits;
  return tf.add(
    logits,
    tf.tensor2d(
      present.map((p) => (p ? 0 : -1e4)),
      [1, present.length],
    ),
  ) as tf.Tensor2D;
}

/**
 * The span cues of type representations [S, typeDim] (their trailing columns), one unit-scale block
 * per cue: the `exp(cue.<name>.logScale)` factor is divided out again, so the cue type head
 * (`typeBy: 'cues'`) sends no gradient into the scales that the whole-representation head learns
 * (the two paths cancel exactly).
 */
function rawCueBlocks(params: ParamMap, c: MetaModelConfig, reps: tf.Tensor2D): tf.Tensor2D[] {
  const cueDim = spanCuesDim(c.spanCues ?? []);
  const tail = tf.slice(reps, [0, typeDim(c) - cueDim], [-1, cueDim]) as tf.Tensor2D;
  return cueBlocksOf(c, tail).map(
    (block, i) =>
      tf.div(block, tf.exp(param(params, `cue.${(c.spanCues ?? [])[i]}.logScale`))) as tf.Tensor2D,
  );
}

/** `m` [M, cueDim] cut into one block per cue. */
function cueBlocksOf(c: MetaModelConfig, m: tf.Tensor2D): tf.Tensor2D[] {
  let from = 0;
  return (c.spanCues ?? []).map((name) => {
    const dim = getSpanCue(name).dim;
    const block = tf.slice(m, [0, from], [-1, dim]) as tf.Tensor2D;
    from += dim;
    return block;
  });
}

/**
 * The cue type head (`typeBy: 'cues'`): −Σ_cues exp(typecue.<name>.logScale) · ‖x − p‖² / cueDim
 * over the unit-scale cue blocks of spans and prototypes, with its own learned per-cue scales and
 * its own known-type prototypes (`typecue.known`, their rows already gathered into `negProtos`), so
 * it changes nothing that the whole-representation head uses.
 */
function cueTypeLogits(
  params: ParamMap,
  c: MetaModelConfig,
  reps: tf.Tensor2D,
  protos: tf.Tensor2D | null,
  present: readonly boolean[],
  negProtos: tf.Tensor2D | null,
): tf.Tensor2D {
  if (!protos) throw new Error('typeLogits: the prototype head needs prototypes');
  const cueDim = spanCuesDim(c.spanCues ?? []);
  const xs = rawCueBlocks(params, c, reps);
  const weights = (c.spanCues ?? []).map((name) => tf.exp(param(params, `typecue.${name}.logScale`)));
  const against = (targets: tf.Tensor2D[]) =>
    tf.div(
      tf.neg(
        tf.addN(
          xs.map((x, i) => tf.mul(squaredDistances(x, targets[i] as tf.Tensor2D), weights[i] as tf.Tensor)),
        ),
      ),
      cueDim,
    ) as tf.Tensor2D;
  let logits = against(rawCueBlocks(params, c, protos));
  logits = maskAbsentTypes(logits, present);
  if (negProtos) {
    let known = against(cueBlocksOf(c, negProtos));
    if (params.has('typecue.knownBias')) known = tf.sub(known, param(params, 'typecue.knownBias'));
    logits = tf.concat([logits, known], 1) as tf.Tensor2D;
  }
  return logits;
}

/**
 * Type logits [S, N] (or [S, 1 + N] with a "none" column first when `withNone`). Prototype head:
 * `−scale · ‖x − p‖² / dim`; linear head: `x W + b` from the fast weights `type.linear.*`. Types
 * absent from the support are pushed to −1e4.
 */
export function typeLogits(
  params: ParamMap,
  c: MetaModelConfig,
  reps: tf.Tensor2D,
  protos: tf.Tensor2D | null,
  scale: tf.Scalar,
  present: readonly boolean[],
  withNone: boolean,
  negProtos: tf.Tensor2D | null = null,
  columns: TypeBy = c.typeBy ?? 'all',
): tf.Tensor2D {
  if (columns === 'cues') return cueTypeLogits(params, c, reps, protos, present, negProtos);
  const S = reps.shape[0];
  let logits: tf.Tensor2D;
  if (c.typeHead === 'prototype' && c.adaptHead) {
    // Proto-MAML: the prototypes, rewritten as a linear head (fast weights `type.linear.*`
    // initialised by {@link prototypeHead}), minus the per-row ‖x‖² term that the head drops:
    // at initialisation this equals −scale·‖x − p‖²/dim exactly.
    const xx = tf.mul(tf.sum(tf.square(reps), 1, true), tf.div(scale, typeDim(c)));
    logits = tf.sub(
      tf.add(tf.matMul(reps, param<tf.Tensor2D>(params, 'type.linear.w')), param(params, 'type.linear.b')),
      xx,
    ) as tf.Tensor2D;
  } else if (c.typeHead === 'prototype') {
    if (!protos) throw new Error('typeLogits: the prototype head needs prototypes');
    logits = tf.mul(tf.neg(squaredDistances(reps, protos)), tf.div(scale, typeDim(c)));
  } else {
    logits = tf.add(
      tf.matMul(reps, param<tf.Tensor2D>(params, 'type.linear.w')),
      param(params, 'type.linear.b'),
    );
  }
  logits = maskAbsentTypes(logits, present);
  if (negProtos) {
    const neg = tf.mul(tf.neg(squaredDistances(reps, negProtos)), tf.div(scale, typeDim(c)));
    logits = tf.concat([logits, neg], 1) as tf.Tensor2D;
  }
  if (!withNone) return logits;
  const none =
    c.typeHead === 'prototype'
      ? tf.mul(tf.neg(tf.exp(param(params, 'type.logTau'))), scale)
      : param(params, 'type.noneBias');
  return tf.concat([tf.mul(tf.ones([S, 1]), none), logits], 1) as tf.Tensor2D;
}

/**
 * Proto-MAML initialisation of the linear type head from prototypes [N, d]:
 * W = (2·scale/dim)·Pᵀ, b = −(scale/dim)·‖p‖², so that x·W + b − (scale/dim)·‖x‖² = −scale·‖x − p‖²/dim.
 */
export function prototypeHead(
  c: MetaModelConfig,
  protos: tf.Tensor2D,
  scale: tf.Scalar,
): [tf.Tensor2D, tf.Tensor1D] {
  const f = tf.div(scale, typeDim(c));
  const w = tf.mul(tf.transpose(protos), tf.mul(f, 2)) as tf.Tensor2D;
  const b = tf.neg(tf.mul(tf.sum(tf.square(protos), 1), f)) as tf.Tensor1D;
  return [w, b];
}

/**
 * Support-derived tensors the query side is scored against: span prototypes [N, spanDim] (type
 * head and end conditioning) and start prototypes [N, projDim] (start conditioning).
 */
export interface SupportProtos {
  span: tf.Tensor2D;
  start: tf.Tensor2D | null;
  /** Learned prototypes of the known non-target types [M, spanDim], or null. */
  negatives: tf.Tensor2D | null;
  /** The cue type head's known non-target prototypes [M, cueDim] (`typeBy: 'cues'`), or null. */
  cueNegatives?: tf.Tensor2D | null;
}

/** Rows of `known.protos` for the episode's known non-target types, or null. */
export function negativePrototypes(
  params: ParamMap,
  ep: EpisodeTensors,
  name = 'known.protos',
): tf.Tensor2D | null {
  if (ep.negatives.length === 0) return null;
  return tf.gather(param<tf.Tensor2D>(params, name), tf.tensor1d(ep.negatives, 'int32')) as tf.Tensor2D;
}

/** Class means of the support's gold spans and (with conditioning) of their start positions. */
export function supportProtos(
  params: ParamMap,
  c: MetaModelConfig,
  zSupport: tf.Tensor3D,
  ep: EpisodeTensors,
): SupportProtos {
  const N = ep.types.length;
  const reps = typeRepresentations(params, c, zSupport, ep.support.gold, ep.support.texts);
  const span = computePrototypes(reps, ep.support.goldLabels, N);
  const negatives = negativePrototypes(params, ep);
  const cueNegatives = c.typeBy === 'cues' ? negativePrototypes(params, ep, 'typecue.known') : null;
  if (!c.condition) return { span, start: null, negatives, cueNegatives };
  const [B, T, H] = zSupport.shape;
  const rows = Int32Array.from(ep.support.gold.batch, (b, i) => b * T + (ep.support.gold.start[i] as number));
  const zStarts = tf.gather(tf.reshape(zSupport, [B * T, H]), tf.tensor1d(rows, 'int32')) as tf.Tensor2D;
  return { span, start: computePrototypes(zStarts, ep.support.goldLabels, N), negatives, cueNegatives };
}

/** −min over present types of ‖x − p‖² / dim, per row: [S]. */
function nearestSimilarity(x: tf.Tensor2D, protos: tf.Tensor2D, present: readonly boolean[]): tf.Tensor1D {
  const dim = x.shape[1];
  let d = tf.div(squaredDistances(x, protos), dim);
  if (present.some((p) => !p))
    d = tf.add(
      d,
      tf.tensor2d(
        present.map((p) => (p ? 0 : 1e4)),
        [1, present.length],
      ),
    );
  return tf.neg(tf.min(d, 1)) as tf.Tensor1D;
}

/**
 * Start logits [B, T]: the decoder's, plus (with conditioning) `a · sim(z_t, start prototypes) + b`
 * where sim is the negative normalised squared distance to the nearest support start prototype.
 */
export function conditionedStartLogits(
  params: ParamMap,
  c: MetaModelConfig,
  z: tf.Tensor3D,
  protos: SupportProtos | null,
  present: readonly boolean[],
): tf.Tensor2D {
  const base = startLogits(params, z, c.decoder);
  if (!c.condition || !protos?.start) return base;
  const [B, T, H] = z.shape;
  const sim = tf.reshape(nearestSimilarity(tf.reshape(z, [B * T, H]) as tf.Tensor2D, protos.start, present), [
    B,
    T,
  ]);
  return tf.add(
    base,
    tf.add(tf.mul(sim, param(params, 'cond.start.a')), param(params, 'cond.start.b')),
  ) as tf.Tensor2D;
}

/**
 * End logits [G, K] for the given starts: the decoder's, plus (with conditioning)
 * `a · sim(span representation, span prototypes) + b` for every candidate span.
 */
export function conditionedEndLogits(
  params: ParamMap,
  c: MetaModelConfig,
  z: tf.Tensor3D,
  starts: StartIndex,
  protos: SupportProtos | null,
  present: readonly boolean[],
  texts?: readonly string[],
): tf.Tensor2D {
  const base = endLogitsAt(params, z, starts, c.decoder);
  if (!c.condition || !protos) return base;
  const T = z.shape[1];
  const K = c.decoder.maxWidth;
  const G = starts.batch.length;
  const batch = new Int32Array(G * K);
  const start = new Int32Array(G * K);
  const end = new Int32Array(G * K);
  for (let g = 0; g < G; g++) {
    const s = starts.start[g] as number;
    for (let k = 0; k < K; k++) {
      batch[g * K + k] = starts.batch[g] as number;
      start[g * K + k] = s;
      // Spans past the padded length are clamped (their end weight is 0 / they are never decoded).
      end[g * K + k] = Math.min(s + k + 1, T);
    }
  }
  const reps = typeRepresentations(params, c, z, { batch, start, end }, texts);
  const sim = tf.reshape(nearestSimilarity(reps, protos.span, present), [G, K]);
  let cond = tf.add(tf.mul(sim, param(params, 'cond.end.a')), param(params, 'cond.end.b'));
  if (protos.negatives) {
    // Similarity to the nearest known non-target type: evidence against the span.
    const simNeg = tf.reshape(nearestSimilarity(reps, protos.negatives, []), [G, K]);
    cond = tf.add(cond, tf.mul(simNeg, param(params, 'cond.end.c')));
  }
  return tf.add(base, cond) as tf.Tensor2D;
}

/** Start + end (given gold starts) losses of a part. */
function boundaryLoss(
  params: ParamMap,
  c: MetaModelConfig,
  z: tf.Tensor3D,
  part: Part,
  protos: SupportProtos | null,
  present: readonly boolean[],
): tf.Scalar {
  const t = part.targets;
  const w = c.decoder.lossWeights;
  const start = weightedBce(
    conditionedStartLogits(params, c, z, protos, present),
    t.startLabels,
    t.startWeights,
  );
  if (t.goldStarts.batch.length === 0) return tf.mul(start, w.start) as tf.Scalar;
  const end = weightedBce(
    conditionedEndLogits(params, c, z, t.goldStarts, protos, present, part.texts),
    t.endLabels,
    t.endWeights,
  );
  return tf.add(tf.mul(start, w.start), tf.mul(end, w.end)) as tf.Scalar;
}

function concatSpans(a: SpanIndex, b: SpanIndex): SpanIndex {
  const cat = (x: Int32Array, y: Int32Array) => {
    const out = new Int32Array(x.length + y.length);
    out.set(x);
    out.set(y, x.length);
    return out;
  };
  return { batch: cat(a.batch, b.batch), start: cat(a.start, b.start), end: cat(a.end, b.end) };
}

/**
 * Type loss of a part's spans against the support prototypes (or the linear head); known-type
 * negatives are classified into their own columns after the N targets.
 */
function typeLoss(
  params: ParamMap,
  c: MetaModelConfig,
  z: tf.Tensor3D,
  part: Part,
  protos: SupportProtos | null,
  task: TaskTensors,
  present: readonly boolean[],
): tf.Scalar {
  const withNone = c.nonEntity === 'threshold';
  const negProtos = protos?.negatives ?? null;
  let spans = withNone ? part.targets.typeSpans : part.gold;
  let labels = withNone ? part.targets.typeLabels : part.goldLabels;
  if (negProtos && part.knownLabels.length > 0) {
    const offset = present.length + (withNone ? 1 : 0);
    spans = concatSpans(spans, part.known);
    const all = new Int32Array(labels.length + part.knownLabels.length);
    all.set(labels);
    all.set(
      part.knownLabels.map((j) => j + offset),
      labels.length,
    );
    labels = all;
  }
  if (labels.length === 0) return tf.scalar(0);
  const reps = typeRepresentations(params, c, z, spans, part.texts);
  const ce = (columns: TypeBy): tf.Scalar => {
    const neg = columns === 'cues' ? (protos?.cueNegatives ?? null) : negProtos;
    const logits = typeLogits(
      params,
      c,
      reps,
      protos?.span ?? null,
      task.scale,
      present,
      withNone,
      neg,
      columns,
    );
    // One class (N = 1 without a none column): nothing to type; a zero that keeps the graph connected
    // so fast weights of the type head still get a (zero) gradient.
    if (logits.shape[1] === 1) return tf.mul(tf.sum(logits), 0) as tf.Scalar;
    return softmaxCe(logits, labels);
  };
  // typeBy 'cues': the cue head decides the type, but the loss of the whole-representation head
  // stays, because it is what teaches z the type distinctions that the prototype-conditioned start
  // and end decisions need (without it, start/end accuracy on new types halves). The cue head has
  // its own parameters, so its loss leaves the rest of the model as it would be without it.
  const loss = c.typeBy === 'cues' ? tf.add(ce('all'), ce('cues')) : ce('all');
  return tf.mul(loss, c.decoder.lossWeights.type) as tf.Scalar;
}

/** Span prototypes [N, spanDim] of the support's gold spans under `params`. */
export function supportPrototypes(
  params: ParamMap,
  c: MetaModelConfig,
  zSupport: tf.Tensor3D,
  ep: EpisodeTensors,
): tf.Tensor2D {
  const reps = typeRepresentations(params, c, zSupport, ep.support.gold, ep.support.texts);
  return computePrototypes(reps, ep.support.goldLabels, ep.types.length);
}

/**
 * The support loss (boundary + type against the support's own prototypes). Not tidied: call inside
 * tf.tidy / tf.grad. `uSupport` is the precomputed {@link contextualize} output of the support (the
 * inner loop computes it once when no fast weight is before the projection).
 */
export function supportLoss(
  params: ParamMap,
  c: MetaModelConfig,
  encoder: TextEncoder,
  ep: EpisodeTensors,
  task: TaskTensors,
  dropoutSeed?: number,
  uSupport?: tf.Tensor3D,
): tf.Scalar {
  const drop = dropoutSeed === undefined ? 0 : c.dropout;
  const z = uSupport
    ? project(params, uSupport, ep.support.feats.mask)
    : embed(params, c, encoder, ep.support.feats, task.levelWeights, drop, dropoutSeed);
  const protos = c.typeHead === 'prototype' ? supportProtos(params, c, z, ep) : null;
  return tf.add(
    boundaryLoss(params, c, z, ep.support, protos, ep.present),
    typeLoss(params, c, z, ep.support, protos, task, ep.present),
  ) as tf.Scalar;
}

/** The query loss with prototypes from the support under the same params. Not tidied. */
export function queryLoss(
  params: ParamMap,
  c: MetaModelConfig,
  encoder: TextEncoder,
  ep: EpisodeTensors,
  task: TaskTensors,
  dropoutSeed?: number,
): tf.Scalar {
  if (!ep.query) throw new Error('queryLoss: the episode has no query part');
  const drop = dropoutSeed === undefined ? 0 : c.dropout;
  let protos: SupportProtos | null = null;
  if (c.typeHead === 'prototype') {
    const zS = embed(params, c, encoder, ep.support.feats, task.levelWeights, drop, dropoutSeed);
    protos = supportProtos(params, c, zS, ep);
  }
  const zQ = embed(
    params,
    c,
    encoder,
    ep.query.feats,
    task.levelWeights,
    drop,
    dropoutSeed === undefined ? undefined : dropoutSeed + 1,
  );
  return tf.add(
    boundaryLoss(params, c, zQ, ep.query, protos, ep.present),
    typeLoss(params, c, zQ, ep.query, protos, task, ep.present),
  ) as tf.Scalar;
}

/** Mean distance between the prototypes, √(‖p_i − p_j‖² / dim) averaged over pairs (0 for N < 2). */
export function prototypeSpread(protos: tf.Tensor2D, present: readonly boolean[], dim: number): number {
  const d = tf.tidy(() => squaredDistances(protos, protos));
  const values = d.dataSync();
  const N = protos.shape[0];
  d.dispose();
  let sum = 0;
  let count = 0;
  for (let i = 0; i < N; i++) {
    for (let j = i + 1; j < N; j++) {
      if (!present[i] || !present[j]) continue;
      sum += Math.sqrt((values[i * N + j] as number) / dim);
      count++;
    }
  }
  return count ? sum / count : 0;
}

/**
 * Class means [K, cueDim] of the unit cue blocks of `sentences`' mentions of each of `types` (rows
 * of types without a mention stay 0): the cue head's known-type prototypes with `cueKnown: 'means'`.
 */
export function cueClassMeans(
  c: MetaModelConfig,
  sentences: readonly Sentence[],
  types: readonly EntityType[],
): Float32Array {
  const cues = c.spanCues ?? [];
  const dims = cues.map((name) => getSpanCue(name).dim);
  const D = spanCuesDim(cues);
  const out = new Float32Array(types.length * D);
  const texts: string[] = [];
  const batch: number[] = [];
  const start: number[] = [];
  const end: number[] = [];
  const row: number[] = [];
  sentences.forEach((s) => {
    for (const e of s.entities) {
      const j = types.indexOf(e.type);
      if (j < 0 || e.end <= e.start) continue;
      batch.push(texts.length);
      texts.push(s.text);
      start.push(e.start);
      end.push(e.end);
      row.push(j);
    }
  });
  if (row.length === 0) return out;
  const blocks = spanCueBlocks(cues, texts, {
    batch: Int32Array.from(batch),
    start: Int32Array.from(start),
    end: Int32Array.from(end),
  });
  const counts = new Float64Array(types.length);
  for (const j of row) counts[j] = (counts[j] as number) + 1;
  let off = 0;
  blocks.forEach((block, ci) => {
    const dim = dims[ci] as number;
    row.forEach((j, i) => {
      const w = 1 / (counts[j] as number);
      for (let k = 0; k < dim; k++)
        out[j * D + off + k] = (out[j * D + off + k] as number) + (block[i * dim + k] as number) * w;
    });
    off += dim;
  });
  return out;
}
