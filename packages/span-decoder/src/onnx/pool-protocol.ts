/** Messages between {@link OnnxTaggerPool} and its child processes (pool-worker.ts). */
import type { Prediction } from '@nerima/core';
import type { LoadTaggerOptions } from '../tagger.js';

export type PoolRequest =
  | { type: 'init'; options: LoadTaggerOptions; threads: number }
  | { type: 'predict'; id: number; texts: string[] };

export type PoolReply =
  | { type: 'ready'; types: string[] }
  | { type: 'failed'; message: string }
  | { type: 'result'; id: number; predictions: Prediction[][] }
  | { type: 'error'; id: number; message: string };
