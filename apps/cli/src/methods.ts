/**
 * The few-shot methods `nerima eval --method` and `nerima pipeline` can run. To add one (e.g. a
 * ProtoNet or MAML-ProtoNet++ learner from its package), append a {@link MethodSpec} to
 * {@link methods}: `create` returns a ready `FewShotLearner`.
 */
import type { EntityType, FewShotLearner, Sentence } from '@nerima/core';
import { LexiconLearner } from '@nerima/eval';
import type { Output } from './output.js';
import type { Progress } from './progress.js';

/** What a method's factory gets. */
export interface MethodContext {
  seed: number;
  /** Training sentences when the data has them (the demo corpus, a folder with train.jsonl). */
  train?: readonly Sentence[];
  /** Types episodes are drawn from (novel types for type-split evaluation). */
  testTypes: readonly EntityType[];
  out: Output;
  progress(label: string, total: number): Progress;
  /** Selects and initialises the tfjs backend named by --backend; returns the backend in use. */
  initBackend(): Promise<string>;
}

/** A registered method. */
export interface MethodSpec {
  name: string;
  description: string;
  /** Run by `nerima pipeline` when --methods is not given. */
  inPipeline: boolean;
  create(ctx: MethodContext): Promise<FewShotLearner>;
}

export const methods: readonly MethodSpec[] = [
  {
    name: 'lexicon',
    description: 'exact-match baseline: memorises the support mentions and tags their occurrences',
    inPipeline: true,
    create: async () => new LexiconLearner(),
  },
];

/** The spec named `name`, or undefined. */
export function findMethod(name: string): MethodSpec | undefined {
  return methods.find((m) => m.name === name);
}
