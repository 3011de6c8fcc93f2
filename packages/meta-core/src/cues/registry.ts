/**
 * Span cues: fixed (untrained) features of a span's surface text that the type head appends to the
 * learned span representation (config `spanCues`). A learned projection trained on the few
 * meta-training types can drop what tells unseen types apart; a fixed cue cannot, and the
 * prototypes of a new type pick it up from its five support mentions. Each cue gets one learned
 * scale (`cue.<name>.logScale`).
 *
 * Cues that need data (word vectors, the KB) are registered once per process under a name; a
 * model's config names the cues it was trained with, and using the model without them registered
 * is an error that says how to register them.
 */
import type { SpanIndex } from '@nerima/span-decoder';

/** One fixed span feature. */
export interface SpanCue {
  /** Registry name, stored in model configs (`[a-z0-9-]+`). */
  readonly name: string;
  /** Width of the cue vector. */
  readonly dim: number;
  /** Writes the cue vector of the span text `text` into `out[offset, offset + dim)` (zeros on entry). */
  write(text: string, out: Float32Array, offset: number): void;
}

const registry = new Map<string, SpanCue>();

/** Registers (or replaces) a cue under its name. */
export function registerSpanCue(cue: SpanCue): void {
  if (!/^[a-z0-9-]+$/.test(cue.name))
    throw new RangeError(`registerSpanCue: bad cue name ${JSON.stringify(cue.name)}`);
  if (!Number.isInteger(cue.dim) || cue.dim <= 0)
    throw new RangeError(`registerSpanCue: cue '${cue.name}' needs a positive integer dim, got ${cue.dim}`);
  registry.set(cue.name, cue);
}

/** Removes a registered cue (tests). */
export function unregisterSpanCue(name: string): void {
  registry.delete(name);
}

/** The registered cue `name`; throws a message naming how to get it. */
export function getSpanCue(name: string): SpanCue {
  const cue = registry.get(name);
  if (!cue)
    throw new Error(
      `span cue '${name}' is not registered: the model was trained with it. ` +
        `Register it first (registerSpanCue, or loadSpanCues from '@nerima/meta-core' for 'vectors' / 'kb'); registered: ${[...registry.keys()].join(', ') || 'none'}`,
    );
  return cue;
}

/** Total width of the named cues (each must be registered). */
export function spanCuesDim(names: readonly string[]): number {
  return names.reduce((n, name) => n + getSpanCue(name).dim, 0);
}

/**
 * Cue vectors of `spans` over `texts`, one [S × cue.dim] block per cue in `names` order (span `i`
 * covers `texts[spans.batch[i]].slice(spans.start[i], spans.end[i])`; ends past the text are clamped).
 */
export function spanCueBlocks(
  names: readonly string[],
  texts: readonly string[],
  spans: SpanIndex,
): Float32Array[] {
  if (names.length === 0) return []; // no cue: the texts are not needed
  const S = spans.batch.length;
  const surfaces: string[] = new Array(S);
  for (let i = 0; i < S; i++) {
    const text = texts[spans.batch[i] as number];
    if (text === undefined)
      throw new RangeError(`spanCueBlocks: span ${i} refers to text ${spans.batch[i]} of ${texts.length}`);
    surfaces[i] = text.slice(spans.start[i] as number, Math.min(spans.end[i] as number, text.length));
  }
  return names.map((name) => {
    const cue = getSpanCue(name);
    const out = new Float32Array(S * cue.dim);
    for (let i = 0; i < S; i++) cue.write(surfaces[i] as string, out, i * cue.dim);
    return out;
  });
}
