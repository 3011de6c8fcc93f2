/**
 * Inference throughput of the span tagger (sentences/s at batch 1 and batch 32), training time per
 * epoch and peak RSS, against the kuromoji tokenizer alone on the same sentences, in one process.
 * Writes bench/results/span-throughput.json.
 *
 *   pnpm exec tsx --conditions=@nerima/source bench/span-supervised/throughput.ts [--model runs/span-supervised/main/best]
 *
 * Without --model (or when the folder is missing) an untrained tagger of the same architecture is
 * timed (weights do not change the cost, except through the number of candidate spans).
 * Batch-1 and batch-32 runs use disjoint dev sentences so kuromoji's per-text cache never hits.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { SpanTagger } from '../../packages/span-decoder/src/index.js';
import { gitCommit } from '../git-commit.js';
import { core, enc, span } from './resolve.js';

const { getBackendInfo, initBackend, readDataset, writeFileAtomic } = core;
const repoRoot = path.resolve(import.meta.dirname, '../..');
const dataRoot = process.env['NERIMA_DATA'] ?? path.resolve(repoRoot, '../shared/data');

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<void> {
  const backend = await initBackend({ backend: 'wasm' });
  const kbPath = path.join(dataRoot, 'kb/entities.jsonl');
  const modelDir = path.resolve(repoRoot, arg('model') ?? 'runs/span-supervised/main/best');
  const train = (await readDataset(path.join(dataRoot, 'stockmark/train.jsonl'))).sentences;
  const dev = (await readDataset(path.join(dataRoot, 'stockmark/dev.jsonl'))).sentences;
  const setA = dev.slice(0, 200).map((s) => s.text);
  const setB = dev.slice(200).map((s) => s.text);

  let tagger: SpanTagger;
  let model: string;
  if (existsSync(path.join(modelDir, 'tagger.json'))) {
    tagger = await span.createTagger({ from: modelDir, gazetteer: { kbPath } });
    model = path.relative(repoRoot, modelDir);
  } else {
    const encoder = await enc.createEncoder({ texts: train.map((s) => s.text), gazetteer: { kbPath } });
    const cfg = span.defaultDecoderConfig(span.featureDim(encoder.dim, 'concat'), span.typesOf(train));
    tagger = new span.SpanTagger(encoder, new span.SpanDecoder(cfg, { seed: 1 }), { features: 'concat' });
    model = 'untrained (same architecture, random weights)';
  }

  // kuromoji alone (raw tokenizer, no cache), same sentences.
  const tokenizer = await enc.loadKuromoji();
  const timeIt = async (f: () => Promise<void> | void): Promise<number> => {
    const t = performance.now();
    await f();
    return (performance.now() - t) / 1000;
  };
  // Warm-up (JIT, dictionary pages) on train sentences, not timed.
  const warm = train.slice(0, 200).map((s) => s.text);
  for (const t of warm) tokenizer.tokenize(t);
  const kuroA = await timeIt(() => {
    for (const t of setA) tokenizer.tokenize(t);
  });
  const kuroB = await timeIt(() => {
    for (const t of setB) tokenizer.tokenize(t);
  });

  await tagger.predict(warm.slice(0, 64));
  tagger.batchSize = 1;
  const b1 = await timeIt(async () => {
    for (const t of setA) await tagger.predict([t]);
  });
  tagger.batchSize = 32;
  const b32 = await timeIt(async () => {
    await tagger.predict(setB);
  });

  // Training time per epoch, extrapolated from 20 steps of batch 16 on the first 320 sentences.
  const encoder = await enc.createEncoder({ texts: train.map((s) => s.text), gazetteer: { kbPath } });
  const limit = 320;
  const res = await span.trainSpanTagger({
    train: train.slice(0, limit),
    dev: dev.slice(0, 1),
    encoder,
    features: 'concat',
    epochs: 1,
    batchSize: 16,
    seed: 1,
  });
  const stepSeconds = (res.history[0]?.trainSeconds ?? Number.NaN) / Math.ceil(limit / 16);
  const epochSeconds = stepSeconds * Math.ceil(train.length / 16);
  res.tagger.dispose();
  tagger.dispose();

  const rssMiB = process.resourceUsage().maxRSS / 1024;
  const out = {
    command:
      `pnpm exec tsx --conditions=@nerima/source bench/span-supervised/throughput.ts ${process.argv.slice(2).join(' ')}`.trim(),
    commit: gitCommit(),
    date: new Date().toISOString(),
    backend,
    machine: `shared 2-core VM (other jobs running), Node ${process.version}`,
    model,
    sentences: {
      batch1: setA.length,
      batch32: setB.length,
      meanChars: dev.reduce((s, x) => s + x.text.length, 0) / dev.length,
    },
    taggerSentencesPerSecond: { batch1: setA.length / b1, batch32: setB.length / b32 },
    kuromojiSentencesPerSecond: { setBatch1: setA.length / kuroA, setBatch32: setB.length / kuroB },
    trainSecondsPerStepBatch16: stepSeconds,
    trainSecondsPerEpochEstimate: epochSeconds,
    peakRssMiB: rssMiB,
  };
  console.log(JSON.stringify({ ...out, backendNow: getBackendInfo() }, null, 2));
  await writeFileAtomic(
    path.join(repoRoot, 'bench/results/span-throughput.json'),
    `${JSON.stringify(out, null, 2)}\n`,
  );
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
