/**
 * Text → padded integer/float inputs (the `PreparedBatch.inputs` of this encoder).
 *
 * Keys (each flattened [B*T] unless noted): `mask` (1 real / 0 pad), `charIds`, `classIds`, and with
 * word features `wordIds`, `posIds`, `bies` (1 B, 2 I, 3 E, 4 S), with gazetteer `gazetteer`
 * [B*T*GAZETTEER_FEATURES].
 */
import type { PreparedBatch } from './contract.js';
import { GAZETTEER_FEATURES, type Gazetteer } from './gazetteer.js';
import type { Morpheme, Morphology } from './morph.js';
import { classFeatureId, normalizeWithOffsets } from './normalize.js';
import type { Vocab } from './vocab.js';

export const BIES = { B: 1, I: 2, E: 3, S: 4 } as const;

export interface FeatureSources {
  charVocab: Vocab;
  word?: { vocab: Vocab; posVocab: Vocab; morph: Morphology };
  gazetteer?: Gazetteer;
}

/** Word id: surface form, else base form, else the surface's hashing bucket. */
export function wordId(vocab: Vocab, m: Morpheme): number {
  return vocab.lookup(m.surface) ?? vocab.lookup(m.base) ?? vocab.id(m.surface);
}

/** Builds the padded inputs for `texts`. */
export function buildInputs(texts: readonly string[], src: FeatureSources): PreparedBatch {
  const B = texts.length;
  const lengths = texts.map((t) => t.length);
  const T = Math.max(1, ...lengths);
  const N = B * T;
  const mask = new Float32Array(N);
  const charIds = new Int32Array(N);
  const classIds = new Int32Array(N);
  const inputs: Record<string, Int32Array | Float32Array> = { mask, charIds, classIds };
  let wordIds: Int32Array | undefined;
  let posIds: Int32Array | undefined;
  let bies: Int32Array | undefined;
  if (src.word) {
    wordIds = new Int32Array(N);
    posIds = new Int32Array(N);
    bies = new Int32Array(N);
    Object.assign(inputs, { wordIds, posIds, bies });
  }
  let gaz: Float32Array | undefined;
  if (src.gazetteer) {
    gaz = new Float32Array(N * GAZETTEER_FEATURES);
    inputs['gazetteer'] = gaz;
  }
  for (let b = 0; b < B; b++) {
    const text = texts[b]!;
    const base = b * T;
    const norm = normalizeWithOffsets(text);
    for (let i = 0; i < text.length; i++) {
      mask[base + i] = 1;
      charIds[base + i] = src.charVocab.id(norm.chars[i]!);
      // class and width from the ORIGINAL character (full-width Ａ keeps its width flag)
      const code = text.codePointAt(norm.lowSurrogate[i] ? i - 1 : i)!;
      classIds[base + i] = classFeatureId(String.fromCodePoint(code));
    }
    if (src.word && wordIds && posIds && bies) {
      const { vocab, posVocab, morph } = src.word;
      for (const m of morph.tokenize(norm.normalized)) {
        const w = wordId(vocab, m);
        const p = posVocab.id(m.pos);
        for (let i = m.start; i < m.end; i++) {
          wordIds[base + i] = w;
          posIds[base + i] = p;
          bies[base + i] =
            m.end - m.start === 1 ? BIES.S : i === m.start ? BIES.B : i === m.end - 1 ? BIES.E : BIES.I;
        }
      }
    }
    if (src.gazetteer && gaz) src.gazetteer.features(norm.normalized, gaz, base * GAZETTEER_FEATURES);
  }
  return { texts: [...texts], length: T, lengths, inputs };
}
