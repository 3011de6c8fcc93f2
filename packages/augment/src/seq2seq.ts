/**
 * Loading a sequence-to-sequence model (translation or paraphrase: Marian, T5/mT5, M2M100, NLLB,
 * ...) through transformers.js (`@huggingface/transformers`, an optional peer dependency loaded with
 * a dynamic import). Decoding is greedy, so a model gives one output per input and the same output
 * every time (transformers.js 3.x samples with `Math.random`, so sampling is not offered).
 */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';

/** Something that rewrites texts: one output per input, in order. */
export interface TextToText {
  /** Model id or folder, for provenance and reports. */
  readonly id: string;
  generate(texts: readonly string[]): Promise<string[]>;
  dispose?(): void | Promise<void>;
}

/** ONNX weight variants transformers.js can load. */
export type Seq2SeqDtype = 'fp32' | 'fp16' | 'q8' | 'int8' | 'uint8' | 'q4' | 'bnb4' | 'q4f16';

/** Options of {@link loadSeq2Seq}. */
export interface Seq2SeqOptions {
  /**
   * A local folder (config.json, tokenizer.json, onnx/encoder_model.onnx,
   * onnx/decoder_model_merged.onnx), a folder name under `modelsDir`, or a Hub id (downloaded only
   * when remote models are allowed).
   */
  model: string;
  /**
   * Where local models are looked for by name (default: env `NERIMA_MODELS`, else `../shared/models`
   * relative to the working directory, when it exists).
   */
  modelsDir?: string;
  /** Sets transformers.js `env.allowRemoteModels` (default: leave its setting alone). */
  allowRemoteModels?: boolean;
  /** Sets `env.cacheDir`. */
  cacheDir?: string;
  /** Weights variant (default `fp32`: `onnx/*_model.onnx`; `q8` reads `*_quantized.onnx`). */
  dtype?: Seq2SeqDtype;
  /** Prepended to every input, e.g. a T5 task prefix `paraphrase: `. */
  prefix?: string;
  /** Longest output in tokens (default 256). */
  maxNewTokens?: number;
  /** Longest input in tokens; longer inputs are cut (default 512). */
  maxInputTokens?: number;
  /** Extra options for `model.generate`, e.g. `{ forced_bos_token_id: 123 }` for M2M100/NLLB. */
  generation?: Readonly<Record<string, unknown>>;
  /** Texts per model call (default 8). */
  batchSize?: number;
}

const SUFFIX: Record<Seq2SeqDtype, string> = {
  fp32: '',
  fp16: '_fp16',
  q8: '_quantized',
  int8: '_int8',
  uint8: '_uint8',
  q4: '_q4',
  bnb4: '_bnb4',
  q4f16: '_q4f16',
};

/** The files a local seq2seq folder needs for `dtype`. */
export function requiredSeq2SeqFiles(dtype: Seq2SeqDtype = 'fp32'): string[] {
  const s = SUFFIX[dtype];
  return [
    'config.json',
    'tokenizer.json',
    'tokenizer_config.json',
    `onnx/encoder_model${s}.onnx`,
    `onnx/decoder_model_merged${s}.onnx`,
  ];
}

/** Where {@link resolveSeq2SeqModel} found the model. */
export type ResolvedModel =
  | { kind: 'folder'; folder: string; missing: string[] }
  | { kind: 'remote'; id: string; searched: string[] };

const isDir = (p: string) => existsSync(p) && statSync(p).isDirectory();

/** The default models folder: env `NERIMA_MODELS`, else `../shared/models` when it exists. */
export function defaultModelsDir(
  env: Readonly<Record<string, string | undefined>> = process.env,
): string | undefined {
  if (env['NERIMA_MODELS']) return env['NERIMA_MODELS'];
  const shared = path.resolve('../shared/models');
  return isDir(shared) ? shared : undefined;
}

/**
 * Finds a model without loading it: an existing folder, else `<modelsDir>/<model>`, else a remote
 * id. For a folder, `missing` lists the required files that are absent.
 */
export function resolveSeq2SeqModel(
  model: string,
  options: { modelsDir?: string; dtype?: Seq2SeqDtype } = {},
): ResolvedModel {
  const modelsDir = options.modelsDir ?? defaultModelsDir();
  const searched = [path.resolve(model)];
  let folder: string | undefined;
  if (isDir(model)) folder = path.resolve(model);
  else if (modelsDir !== undefined) {
    const under = path.resolve(modelsDir, model);
    searched.push(under);
    if (isDir(under)) folder = under;
  }
  if (folder === undefined) return { kind: 'remote', id: model, searched };
  const missing = requiredSeq2SeqFiles(options.dtype).filter((f) => !existsSync(path.join(folder, f)));
  return { kind: 'folder', folder, missing };
}

// The parts of transformers.js used here (an optional peer: no static type import).
interface HfTensor {
  tolist(): unknown;
}
interface HfTokenizer {
  (texts: string[], options?: Record<string, unknown>): Record<string, unknown>;
  batch_decode(ids: unknown, options?: Record<string, unknown>): string[];
}
interface HfSeq2SeqModel {
  generate(options: Record<string, unknown>): Promise<HfTensor>;
  dispose(): Promise<unknown>;
  config: { eos_token_id?: number | number[] };
  generation_config?: { eos_token_id?: number | number[] | null } | null;
}

/**
 * Cuts each generated row after its first end-of-sequence token (position 0 is the decoder start
 * token). transformers.js 3.x keeps decoding rows of a batch that have already finished, so without
 * this a short input's output would go on with whatever the model makes after `</s>`.
 */
export function cutAtEos(
  rows: readonly (readonly (number | bigint)[])[],
  eos: readonly number[],
): (number | bigint)[][] {
  const stop = new Set(eos.map((e) => BigInt(e)));
  return rows.map((row) => {
    for (let i = 1; i < row.length; i++) if (stop.has(BigInt(row[i]!))) return row.slice(0, i + 1);
    return [...row];
  });
}
interface HfModule {
  env: {
    allowRemoteModels: boolean;
    allowLocalModels: boolean;
    localModelPath: string;
    cacheDir: string | null;
  };
  AutoTokenizer: { from_pretrained(id: string, o?: object): Promise<HfTokenizer> };
  AutoModelForSeq2SeqLM: { from_pretrained(id: string, o?: object): Promise<HfSeq2SeqModel> };
}

/** Error thrown when a model cannot be loaded; the message says what is missing and what to do. */
export class ModelUnavailableError extends Error {
  override name = 'ModelUnavailableError';
}

async function importTransformers(): Promise<HfModule> {
  try {
    return (await import('@huggingface/transformers')) as unknown as HfModule;
  } catch (err) {
    throw new ModelUnavailableError(
      `cannot load @huggingface/transformers (${(err as Error).message}); it is an optional peer dependency of ` +
        '@nerima/augment: install it with `pnpm add @huggingface/transformers@3.8.0`',
    );
  }
}

/**
 * Loads a seq2seq model and its tokenizer. Fails with a {@link ModelUnavailableError} that names
 * the folders searched and the missing files when the model is not there.
 * @example
 * const ja2en = await loadSeq2Seq({ model: 'opus-mt-ja-en', allowRemoteModels: false });
 * await ja2en.generate(['<E0>は<E1>に住んでいる。']); // e.g. ['<E0> lives in <E1>.']
 */
export async function loadSeq2Seq(options: Seq2SeqOptions): Promise<TextToText> {
  const dtype = options.dtype ?? 'fp32';
  const resolved = resolveSeq2SeqModel(options.model, { modelsDir: options.modelsDir, dtype });
  if (resolved.kind === 'folder' && resolved.missing.length > 0) {
    throw new ModelUnavailableError(
      `seq2seq model folder ${resolved.folder} lacks ${resolved.missing.join(', ')}; export the model to ONNX ` +
        '(e.g. optimum-cli export onnx --task text2text-generation-with-past) or use a transformers.js-ready copy',
    );
  }
  const hf = await importTransformers();
  if (options.allowRemoteModels !== undefined) hf.env.allowRemoteModels = options.allowRemoteModels;
  if (options.cacheDir !== undefined) hf.env.cacheDir = options.cacheDir;
  let id = options.model;
  if (resolved.kind === 'folder') {
    hf.env.allowLocalModels = true;
    hf.env.localModelPath = `${path.dirname(resolved.folder)}${path.sep}`;
    id = path.basename(resolved.folder);
  } else if (!hf.env.allowRemoteModels) {
    throw new ModelUnavailableError(
      `seq2seq model '${options.model}' not found: no folder at ${resolved.searched.join(' or ')}, and remote models ` +
        'are disabled (allowRemoteModels false); put the model folder there or allow remote models',
    );
  }
  let tokenizer: HfTokenizer;
  let model: HfSeq2SeqModel;
  try {
    tokenizer = await hf.AutoTokenizer.from_pretrained(id);
    model = await hf.AutoModelForSeq2SeqLM.from_pretrained(id, { dtype });
  } catch (err) {
    throw new ModelUnavailableError(
      `cannot load seq2seq model '${options.model}' (localModelPath ${hf.env.localModelPath}, allowRemoteModels ` +
        `${hf.env.allowRemoteModels}): ${(err as Error).message}`,
    );
  }
  const prefix = options.prefix ?? '';
  const maxNewTokens = options.maxNewTokens ?? 256;
  const maxInputTokens = options.maxInputTokens ?? 512;
  const batchSize = options.batchSize ?? 8;
  const eosRaw = model.generation_config?.eos_token_id ?? model.config.eos_token_id;
  const eos = eosRaw === undefined || eosRaw === null ? [] : Array.isArray(eosRaw) ? eosRaw : [eosRaw];
  let disposed = false;
  return {
    id: options.model,
    async generate(texts) {
      if (disposed) throw new Error(`seq2seq model '${options.model}' was disposed`);
      const out: string[] = [];
      for (let i = 0; i < texts.length; i += batchSize) {
        const batch = texts.slice(i, i + batchSize).map((t) => prefix + t);
        const inputs = tokenizer(batch, { padding: true, truncation: true, max_length: maxInputTokens });
        const ids = await model.generate({ ...inputs, ...options.generation, max_new_tokens: maxNewTokens });
        const rows = cutAtEos(ids.tolist() as (number | bigint)[][], eos);
        out.push(...tokenizer.batch_decode(rows, { skip_special_tokens: true }));
      }
      return out;
    },
    async dispose() {
      if (disposed) return;
      disposed = true;
      await model.dispose();
    },
  };
}
