/**
 * Encoder configuration: what is stored (versioned) next to the weights, and the user options it is
 * built from.
 */
import type { VocabJson } from './vocab.js';

/** Format name written in the weights header. */
export const ENCODER_FORMAT = 'nerima-encoder';
/** Bumped whenever the weight layout or the meaning of a config field changes. */
export const ENCODER_VERSION = 1;

/** The contextual layer. 'none' makes the context level the sum of the char and word levels. */
export type ContextKind = 'transformer' | 'conv' | 'none';

export interface CharConfig {
  /** Character embedding width. */
  embDim: number;
  /** Class × width embedding width. */
  classDim: number;
  /** n-gram convolution widths (e.g. [2, 3]). */
  convWidths: number[];
  /** Filters per convolution width. */
  convFilters: number;
  /** Character vocabulary (NFKC per character) with hashing buckets. */
  vocab: VocabJson;
}

export interface WordConfig {
  embDim: number;
  posDim: number;
  biesDim: number;
  /** Surface / base-form vocabulary with hashing buckets. */
  vocab: VocabJson;
  /** `pos,pos_detail_1,pos_detail_2` vocabulary. */
  posVocab: VocabJson;
}

export interface TransformerConfig {
  layers: number;
  heads: number;
  ffnDim: number;
  /** Learned absolute positions; later positions reuse the last one. */
  maxPositions: number;
}

export interface ConvContextConfig {
  width: number;
  /** One residual block per dilation. */
  dilations: number[];
}

/** The stored configuration (JSON in the weights header). */
export interface EncoderConfig {
  /** Width of every level's output. */
  dim: number;
  /** Seed for initialisation and dropout. */
  seed: number;
  dropout: number;
  char: CharConfig;
  /** Word-level kuromoji features (word, POS, B/I/E/S); false disables them. */
  word: WordConfig | false;
  /** Whether gazetteer features are part of the word level (needs a KB at load time). */
  gazetteer: boolean;
  context: ContextKind;
  transformer: TransformerConfig;
  conv: ConvContextConfig;
  /** Free-form notes about how the weights were made (pre-training steps, data...). */
  meta?: Record<string, unknown>;
}

export const DEFAULT_CONFIG: Omit<EncoderConfig, 'char' | 'word'> & {
  char: Omit<CharConfig, 'vocab'>;
  word: Omit<WordConfig, 'vocab' | 'posVocab'>;
} = {
  dim: 128,
  seed: 1,
  dropout: 0.1,
  char: { embDim: 64, classDim: 16, convWidths: [2, 3], convFilters: 64 },
  word: { embDim: 64, posDim: 16, biesDim: 8 },
  gazetteer: false,
  // The dilated conv stack trains ~1.7x faster than the 2-layer transformer on tfjs wasm (bench/encoder/speed.ts).
  context: 'conv',
  transformer: { layers: 2, heads: 4, ffnDim: 256, maxPositions: 256 },
  conv: { width: 3, dilations: [1, 2, 4, 8] },
};

/** Checks a config; throws naming the field and the fix. */
export function validateConfig(c: EncoderConfig, where = 'encoder config'): void {
  const fail = (field: string, msg: string): never => {
    throw new Error(`${where}: field ${field}: ${msg}`);
  };
  const posInt = (v: unknown, field: string) => {
    if (!Number.isInteger(v) || (v as number) <= 0)
      fail(field, `expected a positive integer, got ${String(v)}`);
  };
  posInt(c.dim, 'dim');
  posInt(c.char?.embDim, 'char.embDim');
  posInt(c.char?.classDim, 'char.classDim');
  posInt(c.char?.convFilters, 'char.convFilters');
  if (!Array.isArray(c.char.convWidths)) fail('char.convWidths', 'expected an array of widths');
  for (const [i, w] of c.char.convWidths.entries()) posInt(w, `char.convWidths[${i}]`);
  if (!(c.dropout >= 0 && c.dropout < 1)) fail('dropout', `expected a rate in [0, 1), got ${c.dropout}`);
  if (c.word !== false) {
    posInt(c.word.embDim, 'word.embDim');
    posInt(c.word.posDim, 'word.posDim');
    posInt(c.word.biesDim, 'word.biesDim');
  }
  if (!['transformer', 'conv', 'none'].includes(c.context)) {
    fail('context', `expected 'transformer' | 'conv' | 'none', got ${JSON.stringify(c.context)}`);
  }
  posInt(c.transformer.layers, 'transformer.layers');
  posInt(c.transformer.heads, 'transformer.heads');
  posInt(c.transformer.ffnDim, 'transformer.ffnDim');
  posInt(c.transformer.maxPositions, 'transformer.maxPositions');
  if (c.dim % c.transformer.heads !== 0) {
    fail('transformer.heads', `dim ${c.dim} must be divisible by heads ${c.transformer.heads}`);
  }
  posInt(c.conv.width, 'conv.width');
  for (const [i, d] of c.conv.dilations.entries()) posInt(d, `conv.dilations[${i}]`);
}
