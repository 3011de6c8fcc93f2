/**
 * Where things live in run folders and adapted-model folders (paths relative to the folder), and
 * the small manifests the CLI writes next to the package's own model files. No heavy imports.
 */
import type { EntityType } from '@nerima/core';

/** Relative paths inside a run folder. */
export const RUN = {
  config: 'config.json',
  report: 'report.json',
  /** MAML-ProtoNet++: `model.json` (meta-core), `encoder.bin` (the frozen encoder), `meta.json`. */
  metaDir: 'model/meta',
  /** The supervised span tagger (`SpanTagger.save`: tagger.json, encoder.bin, decoder.bin). */
  taggerDir: 'model/tagger',
  metaCheckpoint: 'checkpoints/meta/checkpoint.json',
  taggerCheckpointDir: 'checkpoints/tagger',
  taggerCheckpoint: 'checkpoints/tagger/checkpoint.bin',
} as const;

/** Files of a meta model folder (`model/meta/`, or `meta/` of an adapted folder). */
export const META = {
  manifest: 'meta.json',
  model: 'model.json',
  encoder: 'encoder.bin',
  /** Copies of the span cues' data (when the model uses them), so the folder stands alone. */
  vectors: 'vectors.bin',
  kb: 'kb.jsonl',
} as const;

/** Files of an adapted-model folder written by `nerima adapt`. */
export const ADAPTED = {
  manifest: 'adapted.json',
  support: 'support.jsonl',
  metaDir: 'meta',
} as const;

export const META_MANIFEST_FORMAT = 'nerima-cli-meta';
export const ADAPTED_FORMAT = 'nerima-cli-adapted';
export const MANIFEST_VERSION = 1;

/** `meta.json`: what a meta model folder holds and how it was trained. */
export interface MetaManifest {
  format: typeof META_MANIFEST_FORMAT;
  version: typeof MANIFEST_VERSION;
  /** The learner's name (e.g. `maml-protonet++`). */
  name: string;
  /** The meta-core model file. */
  model: string;
  /** The encoder file the model was trained on (a copy, so the folder stands alone). */
  encoder: string;
  /** Where the encoder was copied from. */
  encoderSource: string;
  /** Types seen in meta-training; adapting works for any types, novel ones included. */
  trainTypes: EntityType[];
  createdAt: string;
  /** Training summary (episodes, stop reason, losses, time). */
  training: Record<string, unknown>;
  /**
   * Data files of the model's span cues (meta-core `spanCues`), in this folder: `vectors` (subword
   * vectors), `kb` (KB JSONL). Absent: the model uses none.
   */
  cues?: SpanCueFiles;
}

/** Files of the span cues a meta model needs (see meta-core's `loadSpanCues`). */
export interface SpanCueFiles {
  vectors?: string;
  kb?: string;
}

/** `adapted.json`: a support set and its types, adapted with the meta model in `meta/`. */
export interface AdaptedManifest {
  format: typeof ADAPTED_FORMAT;
  version: typeof MANIFEST_VERSION;
  /** Types the adapted tagger outputs. */
  types: EntityType[];
  /** The support file (JSONL) in this folder. */
  support: string;
  /** Mentions per type in the support set. */
  supportCounts: Record<EntityType, number>;
  /** The meta model folder (a copy) inside this folder. */
  meta: string;
  /** The run folder the meta model was copied from. */
  from: string;
  createdAt: string;
}
