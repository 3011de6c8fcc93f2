/**
 * The word-vector cue: distributional similarity from subword vectors trained on unlabelled text
 * (@nerima/encoder's `SubwordVectors`, models/vectors). The span is cut into words; the cue is the
 * mean of its words' vectors and the vector of its last word (the head: 〜駅, 〜大学, 〜党), each
 * centred on the mean vocabulary vector (raw skip-gram vectors share one large common direction)
 * and scaled to unit length.
 */
import type { SubwordVectors } from '@nerima/encoder';
import type { SpanCue } from './registry.js';

/** Options of {@link createVectorCue}. */
export interface VectorCueOptions {
  /** Registry name. Default `'vectors'`. */
  name?: string;
  /** Vocabulary words averaged for the centre (most frequent first). Default 5,000. */
  centreWords?: number;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

function unitInto(src: Float32Array, centre: Float32Array, out: Float32Array, offset: number): void {
  let norm = 0;
  for (let k = 0; k < src.length; k++) norm += ((src[k] as number) - (centre[k] as number)) ** 2;
  if (norm === 0) return;
  const inv = 1 / Math.sqrt(norm);
  for (let k = 0; k < src.length; k++) out[offset + k] = ((src[k] as number) - (centre[k] as number)) * inv;
}

/**
 * Builds the cue from vectors and a word splitter (kuromoji surface forms in the shipped setup; the
 * splitter gets NFKC text and must return non-empty words).
 */
export function createVectorCue(
  vectors: SubwordVectors,
  splitWords: (text: string) => string[],
  options: VectorCueOptions = {},
): SpanCue {
  const D = vectors.dim;
  const centre = new Float32Array(D);
  const words = vectors.config.vocab.slice(0, options.centreWords ?? 5000);
  for (const w of words) {
    const v = vectors.vector(w);
    for (let k = 0; k < D; k++) centre[k] = (centre[k] as number) + (v[k] as number) / words.length;
  }
  const mean = new Float32Array(D);
  const unit = new Float32Array(D);
  const noCentre = new Float32Array(D);
  const cache = new Map<string, Float32Array>();
  return {
    name: options.name ?? 'vectors',
    dim: 2 * D,
    write(text, out, offset) {
      // Candidate spans can cut a surrogate pair: a lone half becomes U+FFFD (kuromoji fails on it).
      const norm = text.normalize('NFKC').replace(LONE_SURROGATE, '\uFFFD');
      const hit = cache.get(norm);
      if (hit) {
        out.set(hit, offset);
        return;
      }
      const parts = norm.trim() === '' ? [] : splitWords(norm).filter((w) => w.trim() !== '');
      if (parts.length === 0) return;
      mean.fill(0);
      for (const w of parts) {
        unit.fill(0);
        unitInto(vectors.vector(w), centre, unit, 0);
        for (let k = 0; k < D; k++) mean[k] = (mean[k] as number) + (unit[k] as number);
      }
      const vec = new Float32Array(2 * D);
      unitInto(mean, noCentre, vec, 0);
      unitInto(vectors.vector(parts[parts.length - 1] as string), centre, vec, D);
      if (cache.size > 200_000) cache.clear();
      cache.set(norm, vec);
      out.set(vec, offset);
    },
  };
}
