/**
 * Distant supervision: silver-labelled sentences from unlabelled text, for meta-training on more
 * (and more varied) types than the labelled training split has. A line gets the rule mentions
 * (rules.ts) and the KB matches (kb-matcher.ts) of the categories a fold may train on
 * (type-map.ts); a line with a KB match that corresponds to a fold *test* type is dropped whole,
 * as `foldTrainingSentences(…, 'drop')` drops labelled sentences, so the novel types' mentions are
 * not taught as non-entities (as far as the KB knows them: names it lacks stay unlabelled).
 */
import { createRng, type Entity, type Sentence } from '@nerima/core';
import type { KbMatcher } from './kb-matcher.js';
import { pickNonOverlapping, ruleMentions } from './rules.js';
import type { SilverPlan } from './type-map.js';

/** Counts of what {@link silverSentences} saw and kept. */
export interface SilverReport {
  lines: number;
  /** Lines taken by the sampling rate and the length bounds. */
  considered: number;
  /** Dropped for a mention of a blocked (test-type or ambiguous) category. */
  blocked: number;
  /** Without any silver mention. */
  empty: number;
  kept: number;
  /** Kept mentions per (renamed) type. */
  mentions: Record<string, number>;
}

export interface SilverOptions {
  plan: SilverPlan;
  /** KB names to match; without one only the rule types are labelled. */
  kb?: KbMatcher;
  /** Stop after this many kept sentences. */
  limit: number;
  /** Each line is considered with this probability (seeded), so the sample spreads over the files. Default 1. */
  rate?: number;
  seed?: number;
  /** Length bounds in UTF-16 units (default 10–160). */
  minLength?: number;
  maxLength?: number;
}

/**
 * The silver labels of one text under a plan: `null` when a match is blocked (drop the text),
 * else the flat list of mentions (may be empty).
 */
export function silverMentions(text: string, plan: SilverPlan, kb?: KbMatcher): Entity[] | null {
  const found: Entity[] = [];
  for (const e of ruleMentions(text)) {
    const type = plan.rename.get(e.type);
    if (type !== undefined) found.push({ ...e, type });
  }
  for (const m of kb?.match(text) ?? []) {
    const types = new Set<string>();
    for (const cat of m.categories) {
      const silver = `KB:${cat}`;
      // A category the plan does not know (or blocks) could be a test type: drop the text.
      const to = plan.rename.get(silver);
      if (to === undefined) return null;
      types.add(to);
    }
    // A homograph with categories that map to different types: unresolvable, drop the text.
    if (types.size !== 1) return null;
    const type = [...types][0] as string;
    found.push({ start: m.start, end: m.end, type, text: text.slice(m.start, m.end) });
  }
  return pickNonOverlapping(found);
}

/** Silver sentences (ids `<source>:<line>`) from text lines, with a report. */
export async function silverSentences(
  lines:
    | AsyncIterable<{ source: string; line: number; text: string }>
    | Iterable<{ source: string; line: number; text: string }>,
  o: SilverOptions,
): Promise<{ sentences: Sentence[]; report: SilverReport }> {
  const rng = createRng(o.seed ?? 1).fork('silver');
  const rate = o.rate ?? 1;
  const minLength = o.minLength ?? 10;
  const maxLength = o.maxLength ?? 160;
  const report: SilverReport = { lines: 0, considered: 0, blocked: 0, empty: 0, kept: 0, mentions: {} };
  const sentences: Sentence[] = [];
  for await (const l of lines) {
    if (sentences.length >= o.limit) break;
    report.lines++;
    if (rng.next() >= rate) continue;
    const text = l.text;
    if (text.length < minLength || text.length > maxLength) continue;
    report.considered++;
    const mentions = silverMentions(text, o.plan, o.kb);
    if (mentions === null) {
      report.blocked++;
      continue;
    }
    if (mentions.length === 0) {
      report.empty++;
      continue;
    }
    for (const m of mentions) report.mentions[m.type] = (report.mentions[m.type] ?? 0) + 1;
    sentences.push({ id: `${l.source}:${l.line}`, text, entities: mentions });
    report.kept++;
  }
  return { sentences, report };
}

/**
 * Labelled sentences plus the plan's rule mentions that overlap none of their gold mentions, so that
 * a date in a labelled sentence is not taught as a non-entity when DATE is an episode's target.
 */
export function withRuleMentions(sentences: readonly Sentence[], plan: SilverPlan): Sentence[] {
  return sentences.map((s) => {
    const extra = ruleMentions(s.text).flatMap((e) => {
      const type = plan.rename.get(e.type);
      if (type === undefined || s.entities.some((g) => g.start < e.end && e.start < g.end)) return [];
      return [{ ...e, type }];
    });
    return extra.length ? { ...s, entities: [...s.entities, ...extra].sort((a, b) => a.start - b.start) } : s;
  });
}
