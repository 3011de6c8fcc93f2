/**
 * Saving and loading what the training commands write: meta models (`model/meta/`), supervised
 * taggers (`model/tagger/`) and adapted folders (`nerima adapt`). Heavy (tfjs, the models): commands
 * import this module only when they run.
 */
import { copyFile, mkdir, readFile, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { type EntityType, readDataset, type Sentence, type Tagger, writeJsonAtomic } from '@nerima/core';
import type { NerimaEncoder } from '@nerima/encoder';
import { LexiconLearner } from '@nerima/eval';
import { FeatureStore, loadMamlProtoNet, type MamlProtoNet } from '@nerima/meta-core';
import { type LoadedTagger, loadTagger } from '@nerima/models';
import type { ModelProvider } from '@nerima/server';
import * as tf from '@tensorflow/tfjs-core';
import { loadEncoderFile } from './encoder-file.js';
import { DataError } from './errors.js';
import {
  ADAPTED,
  ADAPTED_FORMAT,
  type AdaptedManifest,
  MANIFEST_VERSION,
  META,
  META_MANIFEST_FORMAT,
  type MetaManifest,
  RUN,
  type SpanCueFiles,
} from './layout.js';
import { registerCues } from './meta-training.js';

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

async function isDir(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

async function readJson<T>(path: string): Promise<T> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new DataError(`${path}: cannot read it (${(err as Error).message})`, [], { cause: err });
  }
  try {
    return JSON.parse(text) as T;
  } catch (err) {
    throw new DataError(`${path}: not valid JSON (${(err as Error).message}); the folder is damaged`, [], {
      cause: err,
    });
  }
}

/**
 * Writes a meta model folder: the meta-core model, a copy of the encoder file it was trained on and
 * the manifest.
 */
export async function saveMetaFolder(
  dir: string,
  learner: MamlProtoNet,
  encoderFile: string,
  info: Pick<MetaManifest, 'trainTypes' | 'training' | 'encoderSource'> & { cues?: SpanCueFiles },
): Promise<void> {
  await mkdir(dir, { recursive: true });
  await learner.save(join(dir, META.model));
  await copyFile(encoderFile, join(dir, META.encoder));
  const cues: SpanCueFiles = {};
  if (info.cues?.vectors) {
    await copyFile(info.cues.vectors, join(dir, META.vectors));
    cues.vectors = META.vectors;
  }
  if (info.cues?.kb) {
    await copyFile(info.cues.kb, join(dir, META.kb));
    cues.kb = META.kb;
  }
  const manifest: MetaManifest = {
    format: META_MANIFEST_FORMAT,
    version: MANIFEST_VERSION,
    name: learner.name,
    model: META.model,
    encoder: META.encoder,
    encoderSource: info.encoderSource,
    trainTypes: [...info.trainTypes],
    createdAt: new Date().toISOString(),
    training: info.training,
    ...(cues.vectors || cues.kb ? { cues } : {}),
  };
  await writeJsonAtomic(join(dir, META.manifest), manifest);
}

/** A loaded meta model; `dispose()` frees the learner and its encoder. */
export interface LoadedMeta {
  learner: MamlProtoNet;
  encoder: NerimaEncoder;
  manifest: MetaManifest;
  dispose(): void;
}

/** Loads a meta model folder written by {@link saveMetaFolder}. */
export async function loadMetaFolder(
  dir: string,
  options: { storeCapacity?: number } = {},
): Promise<LoadedMeta> {
  const manifestPath = join(dir, META.manifest);
  if (!(await isFile(manifestPath))) {
    throw new DataError(`${dir}: no ${META.manifest} here; this is not a meta model folder`);
  }
  const manifest = await readJson<MetaManifest>(manifestPath);
  if (manifest.format !== META_MANIFEST_FORMAT || manifest.version !== MANIFEST_VERSION) {
    throw new DataError(
      `${manifestPath}: format ${String(manifest.format)} v${String(manifest.version)}, this CLI reads ${META_MANIFEST_FORMAT} v${MANIFEST_VERSION}`,
    );
  }
  const modelPath = join(dir, manifest.model);
  if (!(await isFile(modelPath)))
    throw new DataError(`${modelPath}: missing; the model folder is incomplete`);
  if (manifest.cues) {
    const files: SpanCueFiles = {};
    for (const key of ['vectors', 'kb'] as const) {
      const name = manifest.cues[key];
      if (name === undefined) continue;
      if (!(await isFile(join(dir, name))))
        throw new DataError(
          `${join(dir, name)}: missing (${manifestPath} lists it as the '${key}' span cue's data)`,
        );
      files[key] = join(dir, name);
    }
    try {
      await registerCues(files);
    } catch (err) {
      throw new DataError(`${dir}: cannot load the span cues: ${(err as Error).message}`, [], { cause: err });
    }
  }
  const encoder = await loadEncoderFile(join(dir, manifest.encoder));
  try {
    const store = new FeatureStore(encoder, { capacity: options.storeCapacity ?? 20_000 });
    const learner = await loadMamlProtoNet(modelPath, { encoder, store });
    return {
      learner,
      encoder,
      manifest,
      dispose() {
        learner.dispose();
        encoder.dispose();
      },
    };
  } catch (err) {
    encoder.dispose();
    if (err instanceof DataError) throw err;
    throw new DataError(`${modelPath}: cannot load the model: ${(err as Error).message}`, [], { cause: err });
  }
}

/** What a `--model` folder holds. */
export interface ModelFolder {
  dir: string;
  kind: 'run' | 'adapted';
  /** Folder of the meta model (run: `model/meta`, adapted: `meta`), when there is one. */
  metaDir?: string;
  /** Folder of the supervised tagger (runs only), when there is one. */
  taggerDir?: string;
  /** The manifest of an adapted folder. */
  adapted?: AdaptedManifest;
}

/**
 * Looks at `dir` (a run folder or an adapted folder) without loading weights. Missing folders and
 * folders without any model are data errors (exit 3) that say which command makes one.
 */
export async function inspectModelFolder(dir: string, option = '--model'): Promise<ModelFolder> {
  if (!(await isDir(dir))) {
    throw new DataError(
      `${option} ${dir}: no such folder; give a run folder (nerima train / meta-train / pipeline) or an adapted folder (nerima adapt)`,
    );
  }
  const adaptedPath = join(dir, ADAPTED.manifest);
  if (await isFile(adaptedPath)) {
    const adapted = await readJson<AdaptedManifest>(adaptedPath);
    if (adapted.format !== ADAPTED_FORMAT || adapted.version !== MANIFEST_VERSION) {
      throw new DataError(
        `${adaptedPath}: format ${String(adapted.format)} v${String(adapted.version)}, this CLI reads ${ADAPTED_FORMAT} v${MANIFEST_VERSION}`,
      );
    }
    return { dir, kind: 'adapted', metaDir: join(dir, adapted.meta), adapted };
  }
  const folder: ModelFolder = { dir, kind: 'run' };
  if (await isFile(join(dir, RUN.metaDir, META.manifest))) folder.metaDir = join(dir, RUN.metaDir);
  if (await isFile(join(dir, RUN.taggerDir, 'tagger.json'))) folder.taggerDir = join(dir, RUN.taggerDir);
  if (!folder.metaDir && !folder.taggerDir) {
    throw new DataError(
      `${option} ${dir}: no model in this folder (neither ${RUN.metaDir}/ nor ${RUN.taggerDir}/); make one with nerima pipeline, nerima meta-train or nerima train`,
    );
  }
  return folder;
}

/** Loads a supervised tagger folder (`model/tagger/`). */
export async function loadTaggerFolder(dir: string): Promise<LoadedTagger> {
  try {
    return await loadTagger(dir);
  } catch (err) {
    const msg = (err as Error).message;
    throw new DataError(msg.startsWith(dir) ? msg : `${dir}: cannot load the tagger: ${msg}`, [], {
      cause: err,
    });
  }
}

/** Reads the support set of an adapted folder. */
export async function readAdaptedSupport(folder: ModelFolder): Promise<Sentence[]> {
  if (!folder.adapted) throw new Error(`${folder.dir} is not an adapted folder`);
  const path = join(folder.dir, folder.adapted.support);
  try {
    return (await readDataset(path)).sentences;
  } catch (err) {
    throw new DataError(`${path}: ${(err as Error).message.split('\n')[0]}`, [], { cause: err });
  }
}

/** An adapted tagger with the meta model it came from; `dispose()` frees both. */
export interface AdaptedTagger {
  tagger: Tagger;
  meta: LoadedMeta;
  types: readonly EntityType[];
  dispose(): void;
}

/**
 * Adapts the meta model of `metaDir` to `support` (restricted to `types`). Adaptation is
 * deterministic, so re-adapting an adapted folder gives the same tagger every time.
 */
export async function adaptMeta(
  metaDir: string,
  support: readonly Sentence[],
  types: readonly EntityType[],
  options: { storeCapacity?: number } = {},
): Promise<AdaptedTagger> {
  const meta = await loadMetaFolder(metaDir, options);
  try {
    const tagger = await meta.learner.adapt(support, types);
    return {
      tagger,
      meta,
      types,
      dispose() {
        tagger.dispose?.();
        meta.dispose();
      },
    };
  } catch (err) {
    meta.dispose();
    throw err;
  }
}

/** Feature-cache size for models that tag arbitrary texts (predict, serve): bounds memory. */
export const SERVING_STORE_CAPACITY = 2048;

/** Loads the tagger of an adapted folder (re-adapting its meta model on its support set). */
export async function loadAdaptedFolder(
  folder: ModelFolder,
  options: { storeCapacity?: number } = {},
): Promise<AdaptedTagger> {
  if (!folder.adapted || !folder.metaDir) throw new Error(`${folder.dir} is not an adapted folder`);
  const support = await readAdaptedSupport(folder);
  return adaptMeta(folder.metaDir, support, folder.adapted.types, options);
}

/**
 * `nerima serve`'s model loader: a run folder gives the meta model as the few-shot learner (the
 * lexicon baseline when the run has none) and its supervised tagger, if any, as the default
 * tagger; an adapted folder gives its meta model and its adapted tagger. `taggerFrom` (another run
 * folder, or a tagger folder) replaces the default tagger.
 */
export async function loadModelProvider(
  dir: string,
  warn: (message: string) => void,
  options: { taggerFrom?: string } = {},
): Promise<ModelProvider> {
  const folder = await inspectModelFolder(resolve(dir));
  let taggerDir = folder.taggerDir;
  if (options.taggerFrom !== undefined) {
    // A run folder with model/tagger, or the tagger folder itself.
    const from = resolve(options.taggerFrom);
    if (await isFile(join(from, 'tagger.json'))) taggerDir = from;
    else {
      const other = await inspectModelFolder(from, '--tagger');
      if (!other.taggerDir)
        throw new DataError(`--tagger ${options.taggerFrom}: no ${RUN.taggerDir}/ in this folder`);
      taggerDir = other.taggerDir;
    }
  }
  // Served texts are cached by the feature store: keep it bounded.
  const storeCapacity = SERVING_STORE_CAPACITY;
  let meta: LoadedMeta | undefined;
  let tagger: Tagger | undefined;
  try {
    if (folder.kind === 'adapted') {
      const adapted = await loadAdaptedFolder(folder, { storeCapacity });
      meta = adapted.meta;
      tagger = adapted.tagger;
    } else if (folder.metaDir) {
      meta = await loadMetaFolder(folder.metaDir, { storeCapacity });
    }
    if (taggerDir && (folder.kind !== 'adapted' || options.taggerFrom !== undefined)) {
      tagger?.dispose?.();
      tagger = await loadTaggerFolder(taggerDir);
    }
  } catch (err) {
    tagger?.dispose?.();
    meta?.dispose();
    throw err;
  }
  if (!meta) {
    warn(
      `${dir} has no meta-trained model (${RUN.metaDir}/): POST /v1/tasks uses the lexicon baseline; run nerima meta-train for a few-shot model`,
    );
  }
  const learner = meta?.learner ?? new LexiconLearner();
  const m = meta;
  const t = tagger;
  return {
    name: `${basename(resolve(dir))} (${learner.name}${t ? ` + tagger ${t.types.join(',')}` : ''})`,
    learner,
    ...(t ? { tagger: t } : {}),
    tensorMemory: () => tf.memory(),
    dispose() {
      t?.dispose?.();
      m?.dispose();
    },
  };
}
