/**
 * Paraphrase with seq2seq models: one paraphrase model, or back-translation through a pivot
 * language (ja→en→ja). Entities are protected by placeholders (`<E0>`, ...) and restored after the
 * rewrite; a rewrite that lost, repeated or invented a placeholder is dropped with that reason.
 */
import type { Sentence } from '@nerima/core';
import { DEFAULT_PLACEHOLDERS, type PlaceholderStyle, protect, restore } from '../placeholders.js';
import { loadSeq2Seq, type Seq2SeqOptions, type TextToText } from '../seq2seq.js';
import type { Candidate, Generator, GeneratorContext } from '../types.js';

/** Options of {@link createParaphrase}. */
export interface ParaphraseOptions {
  /** Generator name (default `paraphrase`). */
  name?: string;
  /** The models run in turn: `[paraphraser]` or `[forward, backward]` for back-translation. */
  models: readonly TextToText[];
  placeholders?: PlaceholderStyle;
  /** Also rewrite sentences without entities (default true: they are valid negative examples). */
  includeEntityless?: boolean;
}

/**
 * Creates the paraphrase generator from loaded models. Decoding is greedy, so it makes at most one
 * candidate per sentence whatever `perSentence` is.
 */
export function createParaphrase(options: ParaphraseOptions): Generator {
  const name = options.name ?? 'paraphrase';
  const style = options.placeholders ?? DEFAULT_PLACEHOLDERS;
  const includeEntityless = options.includeEntityless ?? true;
  if (options.models.length === 0)
    throw new RangeError('createParaphrase: models must list at least one model');
  return {
    name,
    async generate(sentence: Sentence, ctx: GeneratorContext): Promise<Candidate[]> {
      const { structure } = ctx;
      if (!structure.valid) {
        ctx.skip('invalid-sentence', structure.problems[0]);
        return [];
      }
      if (structure.entities.length === 0 && !includeEntityless) {
        ctx.skip('no-entities', 'sentences without entities are not rewritten (includeEntityless false)');
        return [];
      }
      const prot = protect(sentence.text, structure, style);
      if ('error' in prot) {
        ctx.skip(prot.code, prot.error);
        return [];
      }
      const outputs: string[] = [];
      let current = prot.text;
      for (const m of options.models) {
        const [next] = await m.generate([current]);
        current = next ?? '';
        outputs.push(current);
      }
      const restored = restore(current, structure, prot.units, style);
      if (!restored.ok) {
        ctx.drop(restored.code, restored.message, current);
        return [];
      }
      const { joined } = restored;
      if (joined.text.trim() === '') {
        ctx.drop('empty-output', 'the model returned an empty text', current);
        return [];
      }
      if (joined.text === sentence.text) {
        ctx.drop('unchanged', 'the rewrite is identical to the source', current);
        return [];
      }
      return [
        {
          ...joined,
          generator: name,
          sourceId: sentence.id,
          provenance: {
            kind: 'paraphrase',
            models: options.models.map((m) => m.id),
            protectedText: prot.text,
            outputs,
            placeholders: prot.units.map((u) => u.index),
          },
        },
      ];
    },
    async dispose() {
      for (const m of options.models) await m.dispose?.();
    },
  };
}

/** Options of {@link loadParaphrase}: exactly one of `paraphrase` and `backTranslation`. */
export interface LoadParaphraseOptions extends Omit<ParaphraseOptions, 'models'> {
  /** A ja→ja paraphrase model. */
  paraphrase?: string | Seq2SeqOptions;
  /** Forward (ja→pivot) and backward (pivot→ja) translation models. */
  backTranslation?: readonly [string | Seq2SeqOptions, string | Seq2SeqOptions];
  /** Options shared by every model (e.g. `{ allowRemoteModels: false, modelsDir }`). */
  shared?: Omit<Seq2SeqOptions, 'model'>;
}

/**
 * Loads the models and creates the paraphrase generator. It never throws because a model is
 * missing: the generator then has `unavailable` set to the reason, `augment` reports it once as a
 * warning, and the other generators still run.
 * @example
 * const paraphrase = await loadParaphrase({
 *   backTranslation: ['opus-mt-ja-en', 'opus-mt-en-jap'],
 *   shared: { allowRemoteModels: false },
 * });
 * if (paraphrase.unavailable) console.warn(paraphrase.unavailable);
 */
export async function loadParaphrase(options: LoadParaphraseOptions): Promise<Generator> {
  const name = options.name ?? 'paraphrase';
  const specs =
    options.paraphrase !== undefined
      ? [options.paraphrase]
      : options.backTranslation
        ? [...options.backTranslation]
        : [];
  if (specs.length === 0 || (options.paraphrase !== undefined && options.backTranslation !== undefined)) {
    throw new TypeError(
      'loadParaphrase: give exactly one of `paraphrase` (a model) and `backTranslation` ([forward, backward])',
    );
  }
  const models: TextToText[] = [];
  try {
    for (const spec of specs) {
      const o = typeof spec === 'string' ? { model: spec } : spec;
      models.push(await loadSeq2Seq({ ...options.shared, ...o }));
    }
  } catch (err) {
    for (const m of models) await m.dispose?.();
    const reason = `${name}: no model available, paraphrase skipped: ${(err as Error).message}`;
    return {
      name,
      unavailable: reason,
      generate: () => [],
    };
  }
  return createParaphrase({ ...options, name, models });
}
