/**
 * The built-in support set the page starts from: a few sentences of our synthetic demo corpus
 * (`generateDemoCorpus` of @nerima/core, seed 2; the shipped model was meta-trained on seed 1),
 * labelled with three types, so that the page can tag before anyone has labelled anything.
 */
import { type EntityType, generateDemoCorpus, keepTypes, type Sentence } from '@nerima/core';

/** Types of the built-in support set. */
export const BUILTIN_TYPES: readonly EntityType[] = ['PERSON', 'LOCATION', 'CORPORATION'];

/** `perType` sentences with a mention of each of {@link BUILTIN_TYPES}, restricted to them. */
export function builtinSupport(perType = 2): Sentence[] {
  const { train } = generateDemoCorpus({ seed: 2, sentences: 120 });
  const out: Sentence[] = [];
  for (const type of BUILTIN_TYPES) {
    const withType = train.filter(
      (s) =>
        !out.some((o) => o.text === s.text) && s.entities.some((e) => e.type === type) && s.text.length <= 60,
    );
    for (const s of withType.slice(0, perType)) {
      const kept = keepTypes(s, BUILTIN_TYPES);
      out.push({
        id: `builtin-${out.length + 1}`,
        text: kept.text,
        entities: kept.entities.map(({ start, end, type: t }) => ({ start, end, type: t })),
      });
    }
  }
  return out;
}
