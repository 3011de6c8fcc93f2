#!/usr/bin/env node
// `pnpm bench [name ...]`: runs benchmarks from source, one at a time (they measure speed, so
// never in parallel). With no name it runs the quick ones; the long training runs are by name.
// Each benchmark writes bench/results/<name>.json with command, commit, date and backend.
import { spawnSync } from 'node:child_process';

const TSX = ['exec', 'tsx', '--conditions=@nerima/source'];
const BENCHES = {
  backend: { quick: true, args: ['bench/backend/matmul.ts'], about: 'wasm vs cpu matMul, transpose costs' },
  tokenizer: { quick: true, args: ['bench/encoder/tokenizer.ts'], about: 'kuromoji throughput (baseline)' },
  'span-throughput': {
    quick: true,
    args: ['bench/span-supervised/throughput.ts'],
    about: 'span tagger inference/training speed vs the tokenizer alone',
  },
  inference: {
    quick: true,
    args: ['bench/inference/inference.ts'],
    about: 'shipped tagger: ONNX (in-process, 2-process pool) vs tfjs vs kuromoji, latency, stages',
  },
  server: { quick: true, args: ['bench/server/load.ts'], about: 'HTTP requests/s, p50/p99, RSS' },
  web: {
    quick: true,
    args: ['bench/web/run.ts'],
    about: 'web page: bundle and model sizes, time to first tagged sentence (headless chromium)',
  },
  'span-supervised': {
    args: ['bench/span-supervised/train.ts'],
    about: 'supervised span tagger on Stockmark (long)',
  },
  fewshot: {
    args: ['bench/fewshot/run.ts'],
    about: 'MAML-ProtoNet++ and baselines, novel-type folds (long)',
  },
  'fewshot-cue-probe': {
    args: ['bench/fewshot/cue-probe.ts'],
    quick: true,
    about: 'novel-type typing accuracy of the fixed span cues alone (word vectors, KB, lexical), ~1 min',
  },
  'fewshot-cross-domain': {
    args: ['bench/fewshot/cross-domain.ts'],
    about: 'MAML-ProtoNet++ meta-trained on Stockmark, tested on GSD NE and JMED types (long)',
  },
  augment: { args: ['bench/augment/run.ts'], about: 'augmentation counts, label noise, F1 effect' },
  xling: { args: ['bench/xling/run.ts'], about: 'cross-lingual alignment retrieval before/after' },
};

const names = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const extra = process.argv.slice(2).filter((a) => a.startsWith('-'));
if (names.includes('list') || names.includes('help')) {
  for (const [name, b] of Object.entries(BENCHES))
    console.log(`${name.padEnd(16)} ${b.quick ? 'quick' : 'long '}  ${b.about}`);
  process.exit(0);
}
const chosen = names.length > 0 ? names : Object.keys(BENCHES).filter((n) => BENCHES[n].quick);
for (const name of chosen) {
  const bench = BENCHES[name];
  if (!bench) {
    console.error(`unknown benchmark "${name}"; \`pnpm bench list\` shows them`);
    process.exit(2);
  }
  console.error(`== bench ${name}: ${bench.about}`);
  const r = spawnSync('pnpm', [...TSX, ...bench.args, ...extra], { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
