/**
 * Optional pretrained context encoder through transformers.js (`@huggingface/transformers`, an
 * optional peer loaded with a dynamic import). It runs a BERT-style model and aligns its sub-word
 * hidden states back to UTF-16 character positions, which transformers.js does not report: the
 * tokens are walked over the text as the tokenizer's own normaliser sees it (applied character by
 * character, so every normalised character keeps its original position), with `##` continuations,
 * [UNK] spans and added whitespace handled here.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type { PreparedBatch } from './contract.js';

export interface HfContextOptions {
  /**
   * A model id (resolved under `env.localModelPath`, or on the Hub when remote models are allowed)
   * or a local folder (then `env.localModelPath` is set to its parent and `env.allowLocalModels` to
   * true: transformers.js settings are process-global).
   */
  model: string;
  /** Sets `env.allowRemoteModels` (default: leave transformers.js's setting alone). */
  allowRemoteModels?: boolean;
  /** Sets `env.localModelPath` (default: leave it; a folder in `model` overrides it). */
  localModelPath?: string;
  /** Sets `env.cacheDir`. */
  cacheDir?: string;
  /** ONNX weights dtype (default 'fp32'). */
  dtype?: 'fp32' | 'fp16' | 'q8' | 'int8' | 'uint8' | 'q4' | 'bnb4' | 'q4f16';
  /** Longest token sequence fed to the model (default 512, the usual BERT limit); longer texts are cut. */
  maxTokens?: number;
}

/** One token and the UTF-16 span of the original text it covers (`start === end` when it covers nothing). */
export interface TokenAlignment {
  token: string;
  start: number;
  end: number;
}

export interface HfContextEncoder {
  /** Hidden size of the model. */
  readonly dim: number;
  /** Tokens of `text` (without special tokens) with their character spans. */
  align(text: string): TokenAlignment[];
  /**
   * Per-character hidden states [B, T, dim] (T = `batch.length`, or the longest text): each character
   * gets the state of the token covering it; uncovered characters (spaces) and padding get zeros.
   */
  encode(batch: PreparedBatch | readonly string[]): Promise<tf.Tensor3D>;
  dispose(): Promise<void>;
}

// The parts of transformers.js used here (it is an optional peer: no static type import).
interface HfTokenizer {
  (text: string, options?: Record<string, unknown>): Record<string, unknown>;
  normalizer?: ((text: string) => string) | null;
  model: {
    convert_ids_to_tokens(ids: number[]): string[];
    continuing_subword_prefix?: string;
    config?: { continuing_subword_prefix?: string };
  };
  encode(text: string, options?: { add_special_tokens?: boolean }): number[];
  special_tokens: string[];
  unk_token?: string;
}
interface HfModel {
  (inputs: Record<string, unknown>): Promise<Record<string, { dims: number[]; data: Float32Array }>>;
  config: { hidden_size?: number };
  dispose(): Promise<unknown>;
}

/** Loads a model and its tokenizer through transformers.js (dynamic import; fails clearly without it). */
export async function createHfContextEncoder(options: HfContextOptions): Promise<HfContextEncoder> {
  let hf: {
    env: {
      allowRemoteModels: boolean;
      allowLocalModels: boolean;
      localModelPath: string;
      cacheDir: string | null;
    };
    AutoTokenizer: { from_pretrained(id: string, o?: object): Promise<HfTokenizer> };
    AutoModel: { from_pretrained(id: string, o?: object): Promise<HfModel> };
  };
  try {
    hf = (await import('@huggingface/transformers')) as unknown as typeof hf;
  } catch (err) {
    throw new Error(
      `createHfContextEncoder: cannot load @huggingface/transformers (${(err as Error).message}). ` +
        'It is an optional peer dependency: install it (pnpm add @huggingface/transformers@3.8.0).',
    );
  }
  if (options.allowRemoteModels !== undefined) hf.env.allowRemoteModels = options.allowRemoteModels;
  if (options.localModelPath !== undefined) hf.env.localModelPath = options.localModelPath;
  if (options.cacheDir !== undefined) hf.env.cacheDir = options.cacheDir;
  let id = options.model;
  if (existsSync(options.model)) {
    // A folder on disk: transformers.js resolves `localModelPath + id`.
    const abs = path.resolve(options.model);
    hf.env.allowLocalModels = true;
    hf.env.localModelPath = `${path.dirname(abs)}${path.sep}`;
    id = path.basename(abs);
  }
  const where = `model '${options.model}' (localModelPath ${hf.env.localModelPath}, allowRemoteModels ${hf.env.allowRemoteModels})`;
  let tokenizer: HfTokenizer;
  let model: HfModel;
  try {
    tokenizer = await hf.AutoTokenizer.from_pretrained(id);
    model = await hf.AutoModel.from_pretrained(id, { dtype: options.dtype ?? 'fp32' });
  } catch (err) {
    throw new Error(`createHfContextEncoder: cannot load ${where}: ${(err as Error).message}`);
  }
  const dim = model.config.hidden_size;
  if (!dim) throw new Error(`createHfContextEncoder: ${where} has no hidden_size in config.json`);
  const maxTokens = options.maxTokens ?? 512;
  const prefix =
    tokenizer.model.continuing_subword_prefix ?? tokenizer.model.config?.continuing_subword_prefix ?? '##';
  const specials = new Set(tokenizer.special_tokens);
  const unk = tokenizer.unk_token ?? '[UNK]';
  const normalizeChar = (ch: string): string => (tokenizer.normalizer ? tokenizer.normalizer(ch) : ch);

  const align = (text: string): TokenAlignment[] => {
    const ids = tokenizer.encode(text, { add_special_tokens: false });
    return alignTokens(text, tokenizer.model.convert_ids_to_tokens(ids), {
      prefix,
      unk,
      specials,
      normalizeChar,
    });
  };

  const encodeOne = async (text: string, T: number, out: Float32Array, offset: number): Promise<void> => {
    if (text.length === 0) return;
    const withSpecial = tokenizer.encode(text, { add_special_tokens: true });
    const tokens = tokenizer.model.convert_ids_to_tokens(withSpecial);
    const inputs = tokenizer(text, { truncation: true, max_length: maxTokens });
    const output = await model(inputs);
    const hidden = output['last_hidden_state'];
    if (!hidden) throw new Error(`createHfContextEncoder: ${where} returned no last_hidden_state`);
    const L = hidden.dims[1]!;
    const spans = alignTokens(text, tokens, { prefix, unk, specials, normalizeChar });
    // When the model input was truncated, its last position is [SEP], not spans[L - 1]'s token.
    const usable = withSpecial.length > L ? L - 1 : Math.min(L, spans.length);
    for (let j = 0; j < usable; j++) {
      const s = spans[j]!;
      for (let i = s.start; i < s.end && i < T; i++) {
        out.set(hidden.data.subarray(j * dim, (j + 1) * dim), offset + i * dim);
      }
    }
  };

  return {
    dim,
    align,
    async encode(batch) {
      const texts = Array.isArray(batch) ? (batch as readonly string[]) : (batch as PreparedBatch).texts;
      const T = Array.isArray(batch)
        ? Math.max(1, ...texts.map((t) => t.length))
        : (batch as PreparedBatch).length;
      const out = new Float32Array(texts.length * T * dim);
      for (let b = 0; b < texts.length; b++) await encodeOne(texts[b]!, T, out, b * T * dim);
      return tf.tensor3d(out, [texts.length, T, dim]);
    },
    async dispose() {
      await model.dispose();
    },
  };
}

/**
 * Aligns tokenizer output to UTF-16 spans of `text`. Special tokens get empty spans at the current
 * position; `##` continuations are matched without their prefix; [UNK] covers the text up to where
 * the next token matches (or to the next space); a token that cannot be found gets an empty span and
 * the walk continues. Exported for tests.
 */
export function alignTokens(
  text: string,
  tokens: readonly string[],
  o: { prefix: string; unk: string; specials: ReadonlySet<string>; normalizeChar: (ch: string) => string },
): TokenAlignment[] {
  // The text as the tokenizer sees it, with a back-map to original positions.
  let seen = '';
  const back: number[] = [];
  for (let i = 0; i < text.length; ) {
    const cp = text.codePointAt(i)!;
    const width = cp > 0xffff ? 2 : 1;
    const n = o.normalizeChar(text.slice(i, i + width));
    for (let k = 0; k < n.length; k++) back.push(i);
    seen += n;
    i += width;
  }
  back.push(text.length);
  const isSpace = (c: string | undefined) => c !== undefined && /\s/u.test(c);
  const piece = (tok: string) =>
    tok.startsWith(o.prefix) && tok.length > o.prefix.length ? tok.slice(o.prefix.length) : tok;
  const endOf = (k: number) => (k >= seen.length ? text.length : back[k]!);
  const spanEnd = (kEnd: number) => {
    // end in original units: the original position after the last consumed normalised char
    if (kEnd <= 0) return 0;
    const last = back[kEnd - 1]!;
    const cp = text.codePointAt(last)!;
    return Math.min(
      text.length,
      Math.max(endOf(kEnd) === last ? last + 1 : endOf(kEnd), last + (cp > 0xffff ? 2 : 1)),
    );
  };
  const out: TokenAlignment[] = [];
  let k = 0;
  for (let t = 0; t < tokens.length; t++) {
    const tok = tokens[t]!;
    if (o.specials.has(tok) && tok !== o.unk) {
      out.push({ token: tok, start: endOf(k), end: endOf(k) });
      continue;
    }
    while (k < seen.length && isSpace(seen[k])) k++;
    if (tok === o.unk) {
      // up to where the next real token matches, else up to the next space
      let stop = -1;
      const next = tokens.slice(t + 1).find((x) => !o.specials.has(x));
      if (next !== undefined) stop = seen.indexOf(piece(next), k + 1);
      if (stop < 0) {
        stop = k + 1;
        while (stop < seen.length && !isSpace(seen[stop])) stop++;
      }
      let e = stop;
      while (e > k + 1 && isSpace(seen[e - 1])) e--;
      out.push({ token: tok, start: endOf(k), end: spanEnd(e) });
      k = stop;
      continue;
    }
    const p = piece(tok);
    if (seen.startsWith(p, k)) {
      out.push({ token: tok, start: endOf(k), end: spanEnd(k + p.length) });
      k += p.length;
    } else {
      const found = seen.indexOf(p, k);
      if (found >= 0 && found - k <= 8) {
        out.push({ token: tok, start: endOf(found), end: spanEnd(found + p.length) });
        k = found + p.length;
      } else {
        out.push({ token: tok, start: endOf(k), end: endOf(k) });
      }
    }
  }
  return out;
}
