/**
 * Masked-character pre-training from the command line.
 *
 *   pnpm exec tsx --conditions=@nerima/source packages/encoder/src/pretrain-cli.ts \
 *     --data ../shared/data/unlabeled --out models/encoder --minutes 20
 *
 * Options: --data (repeatable; folders of .txt or files), --out, --checkpoint (default
 * runs/pretrain-<out name>/checkpoint.bin; resumed when present), --minutes, --max-steps,
 * --batch-size (32), --max-length (128), --lr (1e-3), --warmup (200), --seed (1),
 * --checkpoint-every (200), --log-every (20), --eval-lines (1000), --vocab-lines (100000),
 * --context (transformer|conv|none), --backend (wasm|cpu|auto), --no-resume, --dtype (float16|float32).
 */
import { parseArgs } from 'node:util';
import type { ContextKind } from './config.js';
import { initBackend } from './deps.js';
import { pretrain } from './pretrain.js';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      data: { type: 'string', multiple: true },
      out: { type: 'string' },
      checkpoint: { type: 'string' },
      minutes: { type: 'string' },
      'max-steps': { type: 'string' },
      'batch-size': { type: 'string' },
      'max-length': { type: 'string' },
      lr: { type: 'string' },
      warmup: { type: 'string' },
      seed: { type: 'string' },
      'checkpoint-every': { type: 'string' },
      'log-every': { type: 'string' },
      'eval-lines': { type: 'string' },
      'vocab-lines': { type: 'string' },
      context: { type: 'string' },
      backend: { type: 'string' },
      'no-resume': { type: 'boolean' },
      dtype: { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  if (values.help || !values.data?.length || !values.out) {
    console.log(
      'usage: pretrain-cli.ts --data <dir|file>... --out <dir> [--minutes N] [--max-steps N] (see the file header)',
    );
    process.exit(values.help ? 0 : 2);
  }
  const num = (name: string, v: string | undefined): number | undefined => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isFinite(n)) throw new Error(`--${name}: expected a number, got ${JSON.stringify(v)}`);
    return n;
  };
  const backend = (values.backend ?? 'wasm') as 'wasm' | 'cpu' | 'auto';
  const info = await initBackend({ backend });
  console.log(`backend: ${info.name}${info.simd !== undefined ? ` simd=${info.simd}` : ''}`);
  const context = values.context as ContextKind | undefined;
  if (context && !['transformer', 'conv', 'none'].includes(context)) {
    throw new Error(`--context: expected transformer | conv | none, got ${context}`);
  }
  const result = await pretrain({
    data: values.data,
    out: values.out,
    checkpoint: values.checkpoint,
    minutes: num('minutes', values.minutes),
    maxSteps: num('max-steps', values['max-steps']),
    batchSize: num('batch-size', values['batch-size']),
    maxLength: num('max-length', values['max-length']),
    lr: num('lr', values.lr),
    warmupSteps: num('warmup', values.warmup),
    seed: num('seed', values.seed),
    checkpointEvery: num('checkpoint-every', values['checkpoint-every']),
    logEvery: num('log-every', values['log-every']),
    evalLines: num('eval-lines', values['eval-lines']),
    vocabLines: num('vocab-lines', values['vocab-lines']),
    encoder: context ? { context } : undefined,
    resume: !values['no-resume'],
    dtype: values.dtype === 'float32' ? 'float32' : 'float16',
    command: `pretrain-cli.ts ${process.argv.slice(2).join(' ')}`,
  });
  console.log(
    `done: ${result.steps} steps, ${result.batches} batches, ${Math.round(result.seconds)} s; model ${result.modelPath}` +
      (result.after
        ? `; held-out masked-char acc ${result.before?.accuracy.toFixed(4)} → ${result.after.accuracy.toFixed(4)}`
        : ''),
  );
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
