/**
 * The hook for learners: wrap any few-shot learner so that its support set is augmented before it
 * adapts. Works for the lexicon baseline now and for meta-core's learner later (anything that
 * implements `FewShotLearner`).
 */
import type { EntityType, FewShotLearner, Sentence, Tagger } from '@nerima/core';
import { type AugmentOptions, type AugmentResult, augment } from './augment.js';

/** Options of {@link withAugmentation}. */
export interface AugmentedLearnerOptions extends AugmentOptions {
  /** Name of the wrapped learner (default `<inner>+augment`). */
  name?: string;
  /** Called after each support set is augmented (e.g. to collect reports). */
  onAugment?: (result: AugmentResult, support: readonly Sentence[]) => void;
}

/**
 * A learner that augments the support set (`augment(support, options)`) and adapts `inner` on the
 * support plus the kept candidates. Entities of types outside the episode's types are removed from
 * the candidates before adapting. The augmentation seed is the same for every episode (the
 * supports differ).
 * @example
 * const learner = withAugmentation(new LexiconLearner(), { generators: [createMentionSwap({ lexicons: [kb] })] });
 * await runEpisodes(learner, episodes);
 */
export function withAugmentation(inner: FewShotLearner, options: AugmentedLearnerOptions): FewShotLearner {
  const name = options.name ?? `${inner.name}+augment`;
  return {
    name,
    async adapt(support: readonly Sentence[], types?: readonly EntityType[]): Promise<Tagger> {
      const result = await augment(support, options);
      options.onAugment?.(result, support);
      const keep = types ? new Set(types) : undefined;
      const extra: Sentence[] = result.sentences.map((s) => ({
        id: s.id,
        text: s.text,
        entities: keep ? s.entities.filter((e) => keep.has(e.type)) : s.entities,
      }));
      return inner.adapt([...support, ...extra], types);
    },
  };
}
