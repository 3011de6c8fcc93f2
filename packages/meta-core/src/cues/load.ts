/**
 * Registers the data-backed span cues from files (Node.js): `vectors` from a subword-vectors file
 * (models/vectors/vectors.bin, built by `pnpm build:vectors`; words cut by kuromoji) and `kb` from a
 * KB JSONL file (`{ja, type, subtype}` rows, e.g. ../shared/data/kb/entities.jsonl).
 */
import { loadKuromoji, loadSubwordVectors, readKbEntries } from '@nerima/encoder';
import { createKbCue } from './kb-cue.js';
import { registerSpanCue, type SpanCue } from './registry.js';
import { createVectorCue } from './vector-cue.js';

/** Files of {@link loadSpanCues}; each given one is loaded and registered. */
export interface LoadSpanCuesOptions {
  /** Subword-vectors file for the `vectors` cue. */
  vectors?: string;
  /** KB JSONL file for the `kb` cue. */
  kb?: string;
  /** kuromoji dictionary folder (default: the one in the kuromoji package). */
  dictPath?: string;
}

/** Loads and registers the cues whose files are given; returns them. */
export async function loadSpanCues(o: LoadSpanCuesOptions): Promise<SpanCue[]> {
  const cues: SpanCue[] = [];
  if (o.vectors) {
    const vectors = await loadSubwordVectors(o.vectors);
    const tokenizer = await (o.dictPath ? loadKuromoji(o.dictPath) : loadKuromoji());
    cues.push(createVectorCue(vectors, (t) => tokenizer.tokenize(t).map((m) => m.surface_form)));
  }
  if (o.kb) cues.push(createKbCue(await readKbEntries(o.kb)));
  for (const c of cues) registerSpanCue(c);
  return cues;
}
