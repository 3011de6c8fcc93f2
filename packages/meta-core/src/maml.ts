/**
 * MAML over the fast weights (the groups in `config.control.groups`), with the control network's
 * per-task inner learning rates, distance scale and level weights.
 *
 * Inner loop (both orders): θ_{s+1} = θ_s − α_g · ∇_θ L_support(θ_s), α_g per parameter group.
 *
 * Outer loss, first order (default): the inner gradients g_s are computed numerically and then
 * treated as constants; the adapted weights are rebuilt inside the outer gradient as
 * θ' = θ − α_g · Σ_s g_s with α_g the control network's *tensor* output. So ∂L_query/∂θ is the
 * first-order MAML gradient (identity Jacobian of the inner loop) and ∂L_query/∂α_g =
 * −⟨Σ_s g_s, ∂L_query/∂θ'⟩ flows into the control network. The level weights and the distance scale
 * enter the query loss directly.
 *
 * Second order: the inner loop runs symbolically inside the outer gradient (nested `tf.grads`), so
 * the outer gradient also flows through the inner gradients (Hessian-vector products).
 */

import type { Sentence } from '@nerima/core';
import type { TextEncoder } from '@nerima/encoder';
import * as tf from '@tensorflow/tfjs-core';
import { type ControlValues, controlForward, controlValues } from './control.js';
import {
  contextualize,
  type EpisodeTensors,
  embed,
  groupOf,
  LINEAR_HEAD,
  type MetaModelConfig,
  prototypeHead,
  prototypeSpread,
  queryLoss,
  supportLoss,
  supportPrototypes,
  type TaskTensors,
  typeDim,
} from './model.js';
import type { ParamMap } from './params.js';
import { statsVector, supportStats } from './stats.js';

/** What the inner loop needs from a model. */
export interface ModelParts {
  config: MetaModelConfig;
  encoder: TextEncoder;
  /** The slow weights. */
  vars: ReadonlyMap<string, tf.Variable>;
}

/** Names of the fast weights: slow variables in a fast group, plus the episode's linear head. */
export function fastNames(m: ModelParts): string[] {
  const groups = new Set(m.config.control.groups);
  const names = [...m.vars.keys()].filter(
    (n) =>
      groups.has(groupOf(n)) && !n.startsWith('ctrl.') && !n.startsWith('known.') && !n.startsWith('type.'),
  );
  if (m.config.typeHead === 'linear' || m.config.adaptHead) names.push(...LINEAR_HEAD);
  return names;
}

/**
 * Initial fast weights: the slow variables (not copied) and the episode's linear head — zeros for
 * the linear head, the support prototypes rewritten as a linear head for Proto-MAML (under the slow
 * weights and `task`). Call inside a tidy / gradient scope.
 */
function initialFast(
  m: ModelParts,
  names: readonly string[],
  ep: EpisodeTensors,
  task: TaskTensors,
): Map<string, tf.Tensor> {
  const c = m.config;
  const n = ep.types.length;
  const out = new Map<string, tf.Tensor>();
  let head: [tf.Tensor2D, tf.Tensor1D] | null = null;
  if (c.adaptHead) {
    const z = embed(m.vars, c, m.encoder, ep.support.feats, task.levelWeights);
    head = prototypeHead(c, supportPrototypes(m.vars, c, z, ep), task.scale);
  }
  for (const name of names) {
    if (name === 'type.linear.w') out.set(name, head ? head[0] : tf.zeros([typeDim(c), n]));
    else if (name === 'type.linear.b') out.set(name, head ? head[1] : tf.zeros([n]));
    else out.set(name, m.vars.get(name) as tf.Variable);
  }
  return out;
}

function merge(
  vars: ReadonlyMap<string, tf.Tensor>,
  names: readonly string[],
  xs: readonly tf.Tensor[],
): ParamMap {
  const m = new Map<string, tf.Tensor>(vars);
  names.forEach((n, i) => {
    m.set(n, xs[i] as tf.Tensor);
  });
  return m;
}

/** Group index of every fast weight (into `config.control.groups`). */
function groupIndices(c: MetaModelConfig, names: readonly string[]): number[] {
  return names.map((n) => {
    const g = c.control.groups.indexOf(groupOf(n));
    if (g < 0) throw new Error(`maml: fast weight ${n} is in no group of ${c.control.groups.join(', ')}`);
    return g;
  });
}

/** Control values as constant tensors. */
export function taskTensors(v: ControlValues): TaskTensors {
  return { levelWeights: tf.tensor1d(v.levelWeights), scale: tf.scalar(v.scale) };
}

/** The fixed control values (the "without control network" setting). */
export function fixedValues(c: MetaModelConfig): ControlValues {
  return { lrs: [...c.control.lrInit], scale: c.control.scaleInit, levelWeights: [1 / 3, 1 / 3, 1 / 3] };
}

/**
 * Task statistics of an episode's support: the plain ones plus the support loss and prototype
 * spread under the slow weights (uniform level weights, initial scale).
 */
export function taskStatistics(
  m: ModelParts,
  ep: EpisodeTensors,
  support: readonly Sentence[],
): Float32Array {
  const c = m.config;
  const names = fastNames(m);
  const [loss, protos] = tf.tidy((): [tf.Scalar, tf.Tensor2D | undefined] => {
    const task = taskTensors(fixedValues(c));
    const fast = initialFast(m, names, ep, task);
    const params = merge(
      m.vars,
      names,
      names.map((n) => fast.get(n) as tf.Tensor),
    );
    const l = supportLoss(params, c, m.encoder, ep, task);
    if (c.typeHead !== 'prototype') return [l, undefined];
    return [
      l,
      supportPrototypes(params, c, embed(params, c, m.encoder, ep.support.feats, task.levelWeights), ep),
    ];
  }) as [tf.Scalar, tf.Tensor2D | undefined];
  const initialLoss = loss.dataSync()[0] as number;
  const spread = protos ? prototypeSpread(protos, ep.present, typeDim(c)) : 0;
  tf.dispose([loss, ...(protos ? [protos] : [])]);
  return statsVector(supportStats(support, ep.types, { initialLoss, protoSpread: spread }));
}

/** The control values for a task (the network's outputs, or the fixed values). */
export function taskControl(m: ModelParts, stats: Float32Array): ControlValues {
  return m.config.useControl ? controlValues(m.vars, m.config.control, stats) : fixedValues(m.config);
}

/** Adapted fast weights (owned tensors) and the inner-loop record. */
export interface InnerResult {
  names: string[];
  /** θ after the inner steps (owned: dispose with {@link disposeInner}). */
  fast: Map<string, tf.Tensor>;
  /** Σ_s g_s per fast weight (owned), or null after 0 steps. */
  gradSum: Map<string, tf.Tensor> | null;
  /** Support loss before each step. */
  losses: number[];
}

/** Runs `steps` inner gradient steps on the support loss with fixed (numeric) control values. */
export function innerLoop(
  m: ModelParts,
  ep: EpisodeTensors,
  ctrl: ControlValues,
  steps: number,
  dropoutSeed?: number,
): InnerResult {
  const c = m.config;
  const names = fastNames(m);
  const groups = groupIndices(c, names);
  // Own every tensor of `fast` (copies of the variables) so that it can be freed uniformly.
  let fast = new Map<string, tf.Tensor>();
  tf.tidy(() => {
    const task = taskTensors(ctrl);
    for (const [n, t] of initialFast(m, names, ep, task))
      fast.set(n, tf.keep(t instanceof tf.Variable ? t.clone() : t));
  });
  let gradSum: Map<string, tf.Tensor> | null = null;
  const losses: number[] = [];
  // The slow part (level-weighted combination + context convolutions) does not change during the
  // inner loop unless a fast weight lives there: compute it once.
  const precompute = steps > 0 && !names.some((n) => n.startsWith('ctx.'));
  const uSupport = precompute
    ? tf.tidy(() =>
        contextualize(
          m.vars,
          c,
          m.encoder,
          ep.support.feats,
          tf.tensor1d(ctrl.levelWeights),
          dropoutSeed === undefined ? 0 : c.dropout,
          dropoutSeed,
        ),
      )
    : undefined;
  for (let s = 0; s < steps; s++) {
    const current: Map<string, tf.Tensor> = fast;
    const prevSum: Map<string, tf.Tensor> | null = gradSum;
    const out = tf.tidy((): { value: tf.Scalar; next: tf.Tensor[]; sums: tf.Tensor[] } => {
      const task = taskTensors(ctrl);
      const f = (...xs: tf.Tensor[]) =>
        supportLoss(
          merge(m.vars, names, xs),
          c,
          m.encoder,
          ep,
          task,
          dropoutSeed === undefined ? undefined : dropoutSeed + s * 7,
          uSupport,
        );
      const { value, grads } = tf.valueAndGrads(f)(names.map((n) => current.get(n) as tf.Tensor));
      const next = names.map((n, i) =>
        tf.sub(
          current.get(n) as tf.Tensor,
          tf.mul(grads[i] as tf.Tensor, ctrl.lrs[groups[i] as number] as number),
        ),
      );
      const sums: tf.Tensor[] = prevSum
        ? names.map((n, i) => tf.add(prevSum.get(n) as tf.Tensor, grads[i] as tf.Tensor))
        : grads;
      return { value, next, sums };
    });
    losses.push(out.value.dataSync()[0] as number);
    out.value.dispose();
    for (const t of current.values()) t.dispose();
    if (prevSum) for (const t of prevSum.values()) t.dispose();
    fast = new Map(names.map((n, i) => [n, out.next[i] as tf.Tensor]));
    gradSum = new Map(names.map((n, i) => [n, out.sums[i] as tf.Tensor]));
  }
  uSupport?.dispose();
  return { names, fast, gradSum, losses };
}

/** Frees an inner-loop result. */
export function disposeInner(r: InnerResult): void {
  for (const t of r.fast.values()) t.dispose();
  if (r.gradSum) for (const t of r.gradSum.values()) t.dispose();
}

/** Outer gradients of one episode, keyed by parameter name, with the query loss. */
export interface OuterResult {
  loss: number;
  grads: Map<string, tf.Tensor>;
  /** Support loss before each inner step (first order), empty for second order. */
  innerLosses: number[];
}

function controlTensors(m: ModelParts, stats: Float32Array): { lrs: tf.Tensor1D; task: TaskTensors } {
  const c = m.config;
  if (c.useControl) {
    const o = controlForward(m.vars, c.control, tf.tensor1d(stats));
    return { lrs: o.lrs, task: { levelWeights: o.levelWeights, scale: o.scale } };
  }
  const v = fixedValues(c);
  return { lrs: tf.tensor1d(v.lrs), task: taskTensors(v) };
}

/**
 * One episode's outer (meta) gradients with respect to every slow variable (see the module comment
 * for first vs second order). `dropoutSeed` enables dropout.
 */
export function outerGradients(
  m: ModelParts,
  ep: EpisodeTensors,
  stats: Float32Array,
  dropoutSeed?: number,
): OuterResult {
  const c = m.config;
  const names = fastNames(m);
  const groups = groupIndices(c, names);
  const slowList = [...m.vars.values()];
  const byTfName = new Map([...m.vars].map(([n, v]) => [v.name, n]));
  let inner: InnerResult | null = null;
  if (c.order === 1 && c.innerSteps > 0) {
    inner = innerLoop(m, ep, taskControl(m, stats), c.innerSteps, dropoutSeed);
  }
  const qSeed = dropoutSeed === undefined ? undefined : dropoutSeed + 1000;
  const { value, grads } = tf.tidy(() =>
    tf.variableGrads(() => {
      const { lrs, task } = controlTensors(m, stats);
      const lr = (i: number) => tf.reshape(tf.slice(lrs, [groups[i] as number], [1]), []);
      const init = initialFast(m, names, ep, task);
      let fast: tf.Tensor[] = names.map((n) => init.get(n) as tf.Tensor);
      if (inner?.gradSum) {
        const sums = inner.gradSum;
        fast = names.map((n, i) => tf.sub(fast[i] as tf.Tensor, tf.mul(lr(i), sums.get(n) as tf.Tensor)));
      } else if (c.order === 2) {
        for (let s = 0; s < c.innerSteps; s++) {
          const f = (...xs: tf.Tensor[]) =>
            supportLoss(
              merge(m.vars, names, xs),
              c,
              m.encoder,
              ep,
              task,
              dropoutSeed === undefined ? undefined : dropoutSeed + s * 7,
            );
          const g = tf.grads(f)(fast);
          fast = fast.map((x, i) => tf.sub(x, tf.mul(lr(i), g[i] as tf.Tensor)));
        }
      }
      return queryLoss(merge(m.vars, names, fast), c, m.encoder, ep, task, qSeed);
    }, slowList),
  );
  const loss = value.dataSync()[0] as number;
  value.dispose();
  const out = new Map<string, tf.Tensor>();
  for (const [tfName, g] of Object.entries(grads)) {
    const name = byTfName.get(tfName);
    if (name === undefined) g.dispose();
    else out.set(name, g);
  }
  const innerLosses = inner ? inner.losses : [];
  if (inner) disposeInner(inner);
  return { loss, grads: out, innerLosses };
}
