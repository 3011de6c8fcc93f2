/** The span-cue flags of `nerima meta-train` and `nerima pipeline` (light: no model imports; see cue-files.ts). */
export const CUE_OPTIONS = {
  'span-cues': {
    type: 'string',
    valueName: '<vectors,kb|none>',
    description: 'fixed span cues of the type head: subword word vectors, KB categories',
    defaultText: 'vectors (and kb when --kb is given)',
  },
  vectors: {
    type: 'string',
    valueName: '<file>',
    description: 'subword vectors for the vectors cue',
    defaultText: 'models/vectors/vectors.bin (pnpm build:vectors)',
  },
  kb: { type: 'string', valueName: '<file>', description: 'KB JSONL (ja, type, subtype) for the kb cue' },
} as const;
