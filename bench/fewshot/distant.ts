/**
 * Distant-supervision training data for a Stockmark fold (issue 12): silver sentences from the
 * unlabelled text (`../shared/data/unlabeled`, rule types + KB names, meta-core `distant/`), the
 * fold's silver plan (which silver types are dropped, merged or new) and the labelled training
 * sentences with rule mentions added. Nothing here reads dev or test data.
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import type { Sentence } from '../../packages/core/src/index.js';
import { core, enc, meta } from './resolve.js';

export interface DistantData {
  /** Labelled training sentences (rule mentions added) followed by the silver sentences. */
  sentences: Sentence[];
  trainTypes: string[];
  report: Record<string, unknown>;
}

async function* unlabeledLines(dir: string) {
  const files = (await readdir(dir)).filter((n) => n.endsWith('.txt')).sort();
  for (const f of files)
    for await (const l of core.readLines(path.join(dir, f))) yield { source: f, line: l.line, text: l.text };
}

export async function distantTrainingData(
  labelled: readonly Sentence[],
  fold: { train: readonly string[]; test: readonly string[] },
  o: { dataRoot: string; kbPath: string; limit: number; rate: number; seed: number },
): Promise<DistantData> {
  const plan = meta.silverPlan(fold);
  const kb = meta.createKbMatcher(await enc.readKbEntries(o.kbPath));
  const t = performance.now();
  const silver = await meta.silverSentences(unlabeledLines(path.join(o.dataRoot, 'unlabeled')), {
    plan,
    kb,
    limit: o.limit,
    rate: o.rate,
    seed: o.seed,
  });
  const labelledPlus = meta.withRuleMentions(labelled, plan);
  const ruleAdded = labelledPlus.reduce(
    (n, s, i) => n + s.entities.length - (labelled[i] as Sentence).entities.length,
    0,
  );
  return {
    sentences: [...labelledPlus, ...silver.sentences],
    trainTypes: plan.trainTypes,
    report: {
      silver: silver.report,
      blockedSilverTypes: [...plan.blocked],
      mergedSilverTypes: Object.fromEntries([...plan.rename].filter(([s, to]) => s !== to)),
      newTypes: plan.trainTypes.filter((x) => !fold.train.includes(x)),
      ruleMentionsAddedToLabelled: ruleAdded,
      kbNames: kb.size,
      seconds: (performance.now() - t) / 1000,
    },
  };
}
