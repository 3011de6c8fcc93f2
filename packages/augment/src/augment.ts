/**
 * `augment`: run the generators over the sentences, filter the candidates, and report what was
 * generated, kept and dropped, and why.
 */
import { createRng, type Seed, type Sentence, type Tagger } from '@nerima/core';
import { type DropExample, type FilterOptions, runFilter, type StageReport } from './filter.js';
import { analyzeStructure } from './structure.js';
import type { Candidate, CandidateEntity, EntityOrigin, Generator, Provenance } from './types.js';

/** Options of {@link augment}. */
export interface AugmentOptions {
  generators: readonly Generator[];
  /** Filter stages (all on by default; the tagger stages run only with a `tagger`). */
  filter?: FilterOptions;
  /**
   * The *separate* tagger of filter stages 1 and 2: trained apart from the model the augmented data
   * is for (e.g. a span tagger trained on other data), never that model itself.
   */
  tagger?: Tagger;
  /** Candidates asked of each generator per sentence (default 2). */
  perSentence?: number;
  /** Seed (default 1): the same seed, inputs and generators give the same output. */
  seed?: Seed;
  /** Dropped examples kept per (stage, generator) in the report (default 5). */
  maxExamples?: number;
}

/** A kept candidate as a sentence; `augmentation` says how it was made. */
export interface AugmentedSentence extends Sentence {
  entities: CandidateEntity[];
  augmentation: {
    generator: string;
    sourceId: string;
    provenance: Provenance;
    /** Parallel to `entities`. */
    origins: EntityOrigin[];
  };
}

/** Per-generator counts. */
export interface GeneratorReport {
  /** False when the generator could not run (see `warnings`). */
  available: boolean;
  /** Sentences that gave no candidate, by reason code (e.g. `no-entities`). */
  skipped: Record<string, number>;
  /** Candidates the generator made and rejected itself (e.g. a lost placeholder), by reason code. */
  rejected: Record<string, number>;
  /** Candidates passed to the filter. */
  generated: number;
  /** Candidates dropped by each filter stage. */
  droppedByStage: Record<string, number>;
  kept: number;
}

/** The report of one {@link augment} call. */
export interface AugmentReport {
  seed: Seed;
  perSentence: number;
  inputSentences: number;
  /** Input sentences whose entities are malformed (every generator skips them), with the first messages. */
  invalidInputs: { count: number; messages: string[] };
  generated: number;
  kept: number;
  generators: Record<string, GeneratorReport>;
  /** One entry per filter stage, in the order they ran. */
  stages: StageReport[];
  /** Dropped or rejected candidates and skipped sentences, with reasons. */
  examples: DropExample[];
  /** Things the user should know, e.g. `paraphrase: no model available ...`. Each said once. */
  warnings: string[];
}

/** Result of {@link augment}. */
export interface AugmentResult {
  /** The kept candidates only (not the inputs), by source order, then generator order. */
  sentences: AugmentedSentence[];
  report: AugmentReport;
}

/**
 * Augments `sentences`. Each generator is prepared with all sentences, then asked for `perSentence`
 * candidates per sentence with its own random stream per (generator, sentence id), so the output
 * depends on the seed and the inputs only. Malformed sentences and sentences a generator cannot use
 * (no entities, only crossing entities, ...) are skipped with a reason, never turned into broken
 * offsets: every output entity satisfies `text.slice(start, end) === entity.text`.
 * @example
 * const { sentences, report } = await augment(train, {
 *   generators: [createMentionSwap(), createContextChange()],
 *   tagger, // optional separate tagger for filter stages 1–2
 *   perSentence: 2,
 *   seed: 1,
 * });
 */
export async function augment(
  sentences: readonly Sentence[],
  options: AugmentOptions,
): Promise<AugmentResult> {
  if (!Array.isArray(sentences)) throw new TypeError('augment: sentences must be an array');
  const { generators } = options;
  if (!Array.isArray(generators) || generators.length === 0) {
    throw new TypeError(
      'augment: options.generators must list at least one generator (createMentionSwap(), ...)',
    );
  }
  const names = new Set<string>();
  for (const g of generators) {
    if (typeof g?.name !== 'string' || g.name === '')
      throw new TypeError('augment: every generator needs a non-empty name');
    if (names.has(g.name))
      throw new TypeError(`augment: two generators are named ${g.name}; give them distinct names`);
    names.add(g.name);
  }
  const perSentence = options.perSentence ?? 2;
  if (!Number.isInteger(perSentence) || perSentence < 0) {
    throw new RangeError(`augment: perSentence must be an integer ≥ 0, got ${perSentence}`);
  }
  const seed = options.seed ?? 1;
  const maxExamples = options.maxExamples ?? 5;
  const root = createRng(seed);
  const warnings: string[] = [];
  const examples: DropExample[] = [];
  const exampleCount = new Map<string, number>();
  const addExample = (e: DropExample) => {
    const key = `${e.stage}/${e.generator}/${e.code}`;
    const n = exampleCount.get(key) ?? 0;
    if (n < maxExamples) {
      exampleCount.set(key, n + 1);
      examples.push(e);
    }
  };

  const reports: Record<string, GeneratorReport> = {};
  const active: Generator[] = [];
  for (const g of generators) {
    reports[g.name] = {
      available: !g.unavailable,
      skipped: {},
      rejected: {},
      generated: 0,
      droppedByStage: {},
      kept: 0,
    };
    if (g.unavailable) {
      warnings.push(g.unavailable);
      continue;
    }
    await g.prepare?.(sentences, { rng: root.fork(`${g.name}/prepare`) });
    active.push(g);
  }

  const structures = sentences.map((s, i) => analyzeStructure(s, `sentences[${i}] (id ${String(s?.id)})`));
  const invalid = structures.filter((s) => !s.valid);
  const candidates: Candidate[] = [];
  if (perSentence > 0) {
    for (let i = 0; i < sentences.length; i++) {
      const s = sentences[i]!;
      const structure = structures[i]!;
      for (const g of active) {
        const rep = reports[g.name]!;
        let skipped = false;
        const made = await g.generate(s, {
          rng: root.fork(g.name).fork(String(s.id)),
          count: perSentence,
          structure,
          skip(code, message) {
            skipped = true;
            rep.skipped[code] = (rep.skipped[code] ?? 0) + 1;
            addExample({
              stage: 'generator',
              generator: g.name,
              sourceId: s.id,
              code,
              reason: message ?? code,
              text: s.text,
            });
          },
          drop(code, message, text) {
            rep.rejected[code] = (rep.rejected[code] ?? 0) + 1;
            addExample({
              stage: 'generator',
              generator: g.name,
              sourceId: s.id,
              code,
              reason: message,
              ...(text !== undefined ? { text } : {}),
            });
          },
        });
        if (!Array.isArray(made))
          throw new TypeError(
            `augment: generator ${g.name} returned ${typeof made}, not an array of candidates`,
          );
        if (made.length === 0 && !skipped && structure.valid) {
          rep.skipped['no-candidate'] = (rep.skipped['no-candidate'] ?? 0) + 1;
        }
        for (const c of made.slice(0, perSentence)) {
          candidates.push({ ...c, generator: g.name, sourceId: s.id });
          rep.generated++;
        }
      }
    }
  }

  const filtered = await runFilter(candidates, options.filter ?? {}, {
    ...(options.tagger ? { tagger: options.tagger } : {}),
    sourceTexts: new Map(sentences.map((s) => [s.id, s.text])),
    inputTexts: new Set(sentences.map((s) => s.text)),
    maxExamples,
  });
  for (const st of filtered.stages) {
    for (const [g, { input, kept }] of Object.entries(st.perGenerator)) {
      if (input > kept) reports[g]!.droppedByStage[st.stage] = input - kept;
    }
  }

  const usedIds = new Set(sentences.map((s) => s.id));
  const counters = new Map<string, number>();
  const out: AugmentedSentence[] = filtered.kept.map((c) => {
    reports[c.generator]!.kept++;
    const key = `${c.sourceId}\u0000${c.generator}`;
    let k = counters.get(key) ?? 0;
    let id: string;
    do {
      id = `${c.sourceId}#${c.generator}-${k++}`;
    } while (usedIds.has(id));
    counters.set(key, k);
    usedIds.add(id);
    return {
      id,
      text: c.text,
      entities: c.entities,
      augmentation: {
        generator: c.generator,
        sourceId: c.sourceId,
        provenance: c.provenance,
        origins: c.origins,
      },
    };
  });

  return {
    sentences: out,
    report: {
      seed,
      perSentence,
      inputSentences: sentences.length,
      invalidInputs: { count: invalid.length, messages: invalid.slice(0, 10).map((s) => s.problems[0]!) },
      generated: candidates.length,
      kept: out.length,
      generators: reports,
      stages: filtered.stages,
      examples: [...examples, ...filtered.examples],
      warnings,
    },
  };
}
