/**
 * Decoder configuration: sizes, loss weights and negative sampling. Stored (versioned) with saved
 * taggers, so every field is plain JSON.
 */
import type { Activation } from './params.js';

/**
 * Default maximum span width in UTF-16 code units. Measured on Stockmark train+dev (11,242
 * entities): widths ≤ 24 cover 99.53% of entities (EVENT 98.7%, PRODUCT 97.9%); ≤ 12 only 91.2%,
 * ≤ 20 98.8%. See `bench/results/span-supervised.json` → `recallCeiling`.
 */
export const DEFAULT_MAX_WIDTH = 24;

/** Which second-stage "not an entity" class the type scorer uses. */
export type TypeScorerKind = 'linear' | 'prototype';

/** Decoder hyper-parameters. */
export interface SpanDecoderConfig {
  /** Width of the input features (the encoder's `dim`). */
  inputDim: number;
  /** Entity types, in output order (class i+1 of the type scorer; class 0 is "none"). */
  types: string[];
  /** Longest span scored, in UTF-16 code units. */
  maxWidth: number;
  /** Hidden width of the start MLP. */
  startHidden: number;
  /** Hidden width of the end-given-start MLP. */
  endHidden: number;
  /** Rank of the biaffine (bilinear) start·end term; 0 disables it. */
  biaffineRank: number;
  /** Width embedding size (shared shape for end scorer and span representation). */
  widthDim: number;
  /** Span representation size fed to the type scorer. */
  spanDim: number;
  /** Activation in the MLPs. */
  activation: Activation;
  /** Dropout on the decoder input features during training. */
  dropout: number;
  /** Loss weights. */
  lossWeights: { start: number; end: number; type: number };
  /** Weight of positive positions in the start BCE (starts are rare: ~2 of 58 characters). */
  startPosWeight: number;
  /** Weight of positive ends in the end BCE. */
  endPosWeight: number;
  /** Negative spans sampled per gold span for the type loss (at least `minNegatives` per sentence). */
  negativeRatio: number;
  /** Minimum negative spans per sentence (sentences without entities still teach "none"). */
  minNegatives: number;
  /** Share of negatives that are near misses (share a boundary with a gold span or overlap it). */
  hardNegativeShare: number;
  /** Type scorer used by the supervised tagger. */
  typeScorer: TypeScorerKind;
}

/** Thresholds and options for decoding. */
export interface DecodeOptions {
  /** Keep starts whose probability is ≥ this. */
  startThreshold: number;
  /** Keep ends (given a kept start) whose probability is ≥ this. */
  endThreshold: number;
  /** Keep a span when its best entity type probability is ≥ this and beats "none". */
  typeThreshold: number;
  /** Allow a span strictly inside another (nested); crossing spans are always resolved. */
  allowNested: boolean;
  /** At most this many candidate spans per text go to the type scorer (highest start·end first). */
  maxCandidatesPerText: number;
}

export const DEFAULT_DECODE_OPTIONS: DecodeOptions = {
  startThreshold: 0.3,
  endThreshold: 0.3,
  typeThreshold: 0,
  allowNested: true,
  maxCandidatesPerText: 128,
};

/** Defaults for everything but `inputDim` and `types`. */
export function defaultDecoderConfig(inputDim: number, types: readonly string[]): SpanDecoderConfig {
  return {
    inputDim,
    types: [...types],
    maxWidth: DEFAULT_MAX_WIDTH,
    startHidden: 128,
    endHidden: 128,
    biaffineRank: 32,
    widthDim: 32,
    spanDim: 128,
    activation: 'relu',
    dropout: 0.1,
    lossWeights: { start: 1, end: 1, type: 1 },
    startPosWeight: 2,
    endPosWeight: 2,
    negativeRatio: 3,
    minNegatives: 4,
    hardNegativeShare: 0.5,
    typeScorer: 'linear',
  };
}

/** Checks a config, naming the bad field and what to do. */
export function validateConfig(c: SpanDecoderConfig, where = 'span-decoder config'): void {
  const positiveInt = ['inputDim', 'maxWidth', 'startHidden', 'endHidden', 'widthDim', 'spanDim'] as const;
  for (const k of positiveInt) {
    const v = c[k];
    if (!Number.isInteger(v) || v <= 0)
      throw new RangeError(`${where}: ${k} must be a positive integer, got ${v}`);
  }
  if (!Number.isInteger(c.biaffineRank) || c.biaffineRank < 0) {
    throw new RangeError(`${where}: biaffineRank must be an integer ≥ 0, got ${c.biaffineRank}`);
  }
  if (!Array.isArray(c.types) || c.types.length === 0) {
    throw new RangeError(`${where}: types must be a non-empty array of type names`);
  }
  if (new Set(c.types).size !== c.types.length)
    throw new RangeError(`${where}: types has duplicates: ${c.types}`);
  if (!(c.dropout >= 0 && c.dropout < 1))
    throw new RangeError(`${where}: dropout must be in [0, 1), got ${c.dropout}`);
  if (!(c.hardNegativeShare >= 0 && c.hardNegativeShare <= 1)) {
    throw new RangeError(`${where}: hardNegativeShare must be in [0, 1], got ${c.hardNegativeShare}`);
  }
}
