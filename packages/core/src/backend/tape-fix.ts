/**
 * Makes second-order gradients (`tf.grad` of `tf.grad`, as in MAML) correct in tfjs-core 4.22.0.
 *
 * The bug: when a kernel saves its own output for the backward pass (Tanh, Sigmoid, Exp, Softmax,
 * Pow, Max, ...) or a `customGrad` op saves a forward value (`tf.logSoftmax`,
 * `tf.losses.softmaxCrossEntropy`, the `tf.fused.*` ops), the engine records the tape node of
 * that saved copy (a clone of the output) *before* the node of the kernel producing the output.
 * `getFilteredNodesXToY` walks the tape in order, so it never connects the copy to the inputs,
 * and every use of the saved output inside a gradient is treated as a constant on the second
 * pass: second derivatives come out silently wrong (e.g. d²/dx² of `sum(tanh(x))` misses the
 * dependence of `1 − y²` on x).
 *
 * The fix wraps the engine's `addTapeNode`: when a node is appended, the nodes just before it that
 * consume its outputs (those clones) are moved after it. First-order gradients are unaffected.
 * Relies on tfjs-core internals (`Engine.addTapeNode`, `state.activeTape`), pinned to 4.22.0.
 */
import * as tf from '@tensorflow/tfjs-core';

interface TapeNodeLike {
  inputs: Record<string, { id: number } | undefined>;
  outputs: { id: number }[];
}

interface EngineInternals {
  state: { activeTape: TapeNodeLike[] | null };
  addTapeNode: (...args: unknown[]) => void;
}

const PATCHED = Symbol.for('nerima.secondOrderTapeFix');

function consumesAny(node: TapeNodeLike, ids: Set<number>): boolean {
  for (const key in node.inputs) {
    const t = node.inputs[key];
    if (t !== undefined && ids.has(t.id)) return true;
  }
  return false;
}

/** Installs the fix on the global tfjs engine; returns false if it was already installed. */
export function installSecondOrderTapeFix(): boolean {
  const engine = tf.engine() as unknown as EngineInternals & { [PATCHED]?: true };
  if (engine[PATCHED]) return false;
  const original = engine.addTapeNode;
  if (typeof original !== 'function') {
    throw new Error(
      'nerima: tfjs-core engine has no addTapeNode; the pinned @tensorflow/tfjs-core 4.22.0 is required',
    );
  }
  engine.addTapeNode = function patchedAddTapeNode(this: EngineInternals, ...args: unknown[]) {
    original.apply(this, args);
    const tape = this.state.activeTape;
    if (tape == null || tape.length < 2) return;
    const node = tape[tape.length - 1] as TapeNodeLike;
    const outIds = new Set(node.outputs.map((o) => o.id));
    let insertAt = tape.length - 1;
    while (insertAt > 0 && consumesAny(tape[insertAt - 1] as TapeNodeLike, outIds)) insertAt--;
    if (insertAt < tape.length - 1) {
      tape.pop();
      tape.splice(insertAt, 0, node);
    }
  };
  engine[PATCHED] = true;
  return true;
}
