/**
 * Which types meta-training sees and which are held out as novel for evaluation: a Stockmark fold,
 * explicit lists, or a default (fold A when the data has the Stockmark types, else an alternating
 * split by frequency).
 */
import { type EntityType, STOCKMARK_FOLDS } from '@nerima/core';
import { DataError, UsageError } from './errors.js';

/** Train and test types, disjoint. */
export interface TypeSplit {
  train: EntityType[];
  test: EntityType[];
  /** How the split was chosen, for messages and configs. */
  how: string;
}

/** `--fold` values: a Stockmark fold or `none`. */
export function parseFold(raw: string | undefined): 'A' | 'B' | 'none' | undefined {
  if (raw === undefined) return undefined;
  const f = raw.toUpperCase();
  if (f === 'A' || f === 'B') return f;
  if (f === 'NONE') return 'none';
  throw new UsageError(`--fold must be A, B (the Stockmark type folds) or none, got ${JSON.stringify(raw)}`);
}

function checkKnown(known: readonly EntityType[], wanted: readonly EntityType[], source: string): void {
  const unknown = wanted.filter((t) => !known.includes(t));
  if (unknown.length > 0) {
    throw new DataError(
      `${source}: unknown entity type(s) ${unknown.join(', ')}; the data has ${known.join(', ') || 'no types'}`,
    );
  }
}

/** Whether the fold's types are all among `known` (the demo corpus and Stockmark have them). */
export function foldApplies(known: readonly EntityType[], fold: 'A' | 'B' = 'A'): boolean {
  const f = STOCKMARK_FOLDS[fold];
  return [...f.train, ...f.test].every((t) => known.includes(t));
}

/**
 * Chooses the split. `counts` (mentions per type) orders the alternating default: the most
 * frequent type trains, the next is tested, and so on.
 */
export function chooseTypeSplit(
  known: readonly EntityType[],
  counts: ReadonlyMap<EntityType, number>,
  source: string,
  options: { fold?: string; train?: readonly string[]; test?: readonly string[] },
): TypeSplit {
  const fold = parseFold(options.fold);
  if (fold !== undefined && fold !== 'none' && (options.train || options.test)) {
    throw new UsageError('give --fold or --train-types/--test-types, not both');
  }
  let split: TypeSplit;
  if (fold === 'A' || fold === 'B') {
    const f = STOCKMARK_FOLDS[fold];
    split = { train: [...f.train], test: [...f.test], how: `Stockmark fold ${fold}` };
  } else if (options.train || options.test) {
    const train = options.train ? [...options.train] : known.filter((t) => !options.test?.includes(t));
    const test = options.test ? [...options.test] : known.filter((t) => !options.train?.includes(t));
    checkKnown(known, [...train, ...test], source);
    const both = train.filter((t) => test.includes(t));
    if (both.length > 0) {
      throw new UsageError(
        `${both.join(', ')} is both a train and a test type; novel-type evaluation needs disjoint --train-types and --test-types`,
      );
    }
    split = { train, test, how: 'from --train-types/--test-types' };
  } else if (fold === undefined && foldApplies(known)) {
    const f = STOCKMARK_FOLDS.A;
    split = {
      train: [...f.train],
      test: [...f.test],
      how: 'Stockmark fold A (the default when the data has the Stockmark types)',
    };
  } else {
    const byCount = [...known].sort(
      (a, b) => (counts.get(b) ?? 0) - (counts.get(a) ?? 0) || (a < b ? -1 : 1),
    );
    split = {
      train: byCount.filter((_, i) => i % 2 === 0),
      test: byCount.filter((_, i) => i % 2 === 1),
      how: 'every other type by frequency (pass --train-types/--test-types to choose)',
    };
  }
  checkKnown(known, [...split.train, ...split.test], source);
  if (split.train.length === 0) throw new UsageError('no train types left; meta-training needs at least one');
  if (split.test.length === 0) throw new UsageError('no test types left; evaluation needs at least one');
  return split;
}
