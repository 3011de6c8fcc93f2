// The browser-safe surface, plus the fine-tuning baseline (it reads and writes weight files).

export type { FineTuneOptions, PretrainOptions, PretrainResult } from './baselines/finetune.js';
export { createFineTuneLearner, FineTuneLearner } from './baselines/finetune.js';
export * from './browser.js';
export type { LoadSpanCuesOptions } from './cues/load.js';
export { loadSpanCues } from './cues/load.js';
