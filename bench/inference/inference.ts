/**
 * Inference speed of the shipped Stockmark tagger (models/stockmark): the tfjs path, the ONNX path
 * in-process (onnxruntime-node, 1 and 2 intra-op threads) and in an OnnxTaggerPool of 2 child
 * processes, against the kuromoji tokenizer alone, all in one run on the same sentences. Reports sentences/s at batch 32 (all dev sentences, several
 * rounds, median), batch-1 latency (p50/p90/p99), time per stage of the ONNX path, and whether the
 * two paths give identical entities on the dev set. Writes bench/results/inference.json.
 *
 *   pnpm exec tsx --conditions=@nerima/source bench/inference/inference.ts [--rounds 5]
 *
 * Needs ../shared/data/stockmark/dev.jsonl (or NERIMA_DATA); exits 0 with a message without it.
 */
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { getBackendInfo, initBackend, readDataset, writeFileAtomic } from '../../packages/core/src/index.js';
import { loadKuromoji } from '../../packages/encoder/src/index.js';
import {
  loadSpanTagger,
  OnnxSpanTagger,
  OnnxTaggerPool,
  type SpanTagger,
} from '../../packages/span-decoder/src/index.js';
import { gitCommit } from '../git-commit.js';

const repoRoot = path.resolve(import.meta.dirname, '../..');
const dataRoot = process.env['NERIMA_DATA'] ?? path.resolve(repoRoot, '../shared/data');
const modelDir = path.join(repoRoot, 'models/stockmark');

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

interface Runner {
  batchSize: number;
  predict(texts: readonly string[]): Promise<{ start: number; end: number; type: string }[][]>;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const quantile = (xs: number[], q: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] as number;
};

/** Median sentences/s over `rounds` passes of `texts` at batch 32, after one untimed pass (JIT). */
async function throughput(r: Runner, texts: string[], rounds: number): Promise<number> {
  r.batchSize = 32;
  await r.predict(texts);
  const rates: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const t = performance.now();
    await r.predict(texts);
    rates.push(texts.length / ((performance.now() - t) / 1000));
  }
  return median(rates);
}

/** Per-call latency (ms) of one sentence at a time. */
async function latency(
  r: Runner,
  texts: string[],
): Promise<{ p50: number; p90: number; p99: number; mean: number }> {
  r.batchSize = 1;
  for (const t of texts.slice(0, 20)) await r.predict([t]);
  const ms: number[] = [];
  for (const t of texts) {
    const s = performance.now();
    await r.predict([t]);
    ms.push(performance.now() - s);
  }
  r.batchSize = 32;
  return {
    p50: quantile(ms, 0.5),
    p90: quantile(ms, 0.9),
    p99: quantile(ms, 0.99),
    mean: ms.reduce((a, b) => a + b, 0) / ms.length,
  };
}

async function main(): Promise<void> {
  const devPath = path.join(dataRoot, 'stockmark/dev.jsonl');
  if (!existsSync(devPath)) {
    console.error(`bench inference: ${devPath} not found (set NERIMA_DATA); skipped`);
    return;
  }
  const rounds = arg('rounds', 5);
  const backend = await initBackend({ backend: 'wasm' });
  const texts = (await readDataset(devPath)).sentences.map((s) => s.text);
  const chars = texts.reduce((s, t) => s + t.length, 0);

  // kuromoji alone: the raw tokenizer (no cache), same sentences, same rounds.
  const tokenizer = await loadKuromoji();
  for (const t of texts.slice(0, 100)) tokenizer.tokenize(t);
  const kuroRates: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const t0 = performance.now();
    for (const t of texts) tokenizer.tokenize(t);
    kuroRates.push(texts.length / ((performance.now() - t0) / 1000));
  }
  const kuromoji = median(kuroRates);

  // The pool first, before anything else fills this process's heap (its main side only sorts
  // texts and passes messages, but a large heap here slows that down measurably).
  const pool = await OnnxTaggerPool.create({ from: modelDir, processes: 2 });
  const onnxB32 = { pool2: await throughput(pool, texts, rounds), threads1: 0, threads2: 0 };
  const onnx1 = await OnnxSpanTagger.create(await loadSpanTagger({ from: modelDir }), { threads: 1 });
  onnxB32.threads1 = await throughput(onnx1, texts, rounds);
  const onnx2 = await OnnxSpanTagger.create(await loadSpanTagger({ from: modelDir }), { threads: 2 });
  onnxB32.threads2 = await throughput(onnx2, texts, rounds);
  onnx1.resetTimings();
  await onnx1.predict(texts);
  const tm = { ...onnx1.timings };
  const stages = Object.fromEntries(
    (['prepareMs', 'encoderMs', 'cascadeMs', 'decodeMs'] as const).map((k) => [
      k.replace('Ms', 'MsPer1000Sentences'),
      (tm[k] / tm.texts) * 1000,
    ]),
  );
  const tfjs: SpanTagger = await loadSpanTagger({ from: modelDir });
  const tfjsB32 = await throughput(tfjs, texts, Math.min(rounds, 2));

  // Identical entities on the whole dev set (and the largest score difference): tfjs vs the pool
  // (whose processes run the same OnnxSpanTagger as onnx1/onnx2).
  const a = await tfjs.predict(texts);
  const b = await pool.predict(texts);
  let identical = 0;
  let maxScoreDiff = 0;
  for (let i = 0; i < texts.length; i++) {
    const ka = (a[i] ?? []).map((e) => `${e.start}:${e.end}:${e.type}`).join(' ');
    const kb = (b[i] ?? []).map((e) => `${e.start}:${e.end}:${e.type}`).join(' ');
    if (ka === kb) {
      identical++;
      (a[i] ?? []).forEach((e, j) => {
        maxScoreDiff = Math.max(maxScoreDiff, Math.abs(e.score - (b[i]?.[j]?.score ?? 0)));
      });
    }
  }
  const lat = texts.slice(0, 200);
  const onnxLatency = {
    threads1: await latency(onnx1, lat),
    threads2: await latency(onnx2, lat),
    pool2: await latency(pool, lat),
  };
  const tfjsLatency = await latency(tfjs, lat.slice(0, 100));
  const best = Math.max(onnxB32.threads1, onnxB32.threads2, onnxB32.pool2);

  const out = {
    command:
      `pnpm exec tsx --conditions=@nerima/source bench/inference/inference.ts ${process.argv.slice(2).join(' ')}`.trim(),
    commit: gitCommit(),
    date: new Date().toISOString(),
    backend: { tfjs: backend, onnx: 'onnxruntime-node 1.21.0 (CPU execution provider)' },
    machine: `${os.cpus().length}-core ${os.cpus()[0]?.model ?? 'CPU'}, shared VM, load average at start ${os
      .loadavg()
      .map((x) => x.toFixed(1))
      .join('/')}, Node ${process.version}`,
    model: 'models/stockmark',
    sentences: {
      count: texts.length,
      meanChars: chars / texts.length,
      source: 'stockmark dev.jsonl',
      rounds,
    },
    sentencesPerSecondBatch32: {
      kuromojiAlone: kuromoji,
      onnxThreads1: onnxB32.threads1,
      onnxThreads2: onnxB32.threads2,
      onnxPool2Processes: onnxB32.pool2,
      tfjs: tfjsB32,
    },
    ratios: {
      onnxBestVsKuromoji: best / kuromoji,
      onnxBestVsTfjs: best / tfjsB32,
    },
    latencyMsBatch1: { onnx: onnxLatency, tfjs: tfjsLatency, sentences: { onnx: lat.length, tfjs: 100 } },
    /** One in-process OnnxSpanTagger, 1 thread, one pass over dev at batch 32. */
    onnxStagesThreads1: stages,
    identicalEntities: { sentences: identical, of: texts.length, maxScoreDiffOnIdentical: maxScoreDiff },
    targets: {
      'batch32 >= 2000 sent/s': best >= 2000,
      'batch32 >= 0.5x kuromoji': best >= 0.5 * kuromoji,
      'batch1 p50 < 10 ms': onnxLatency.threads1.p50 < 10,
      'identical entities on dev': identical === texts.length,
    },
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
  };
  tfjs.dispose();
  onnx1.dispose();
  onnx2.dispose();
  pool.dispose();
  console.log(JSON.stringify({ ...out, backendNow: getBackendInfo() }, null, 2));
  await writeFileAtomic(
    path.join(repoRoot, 'bench/results/inference.json'),
    `${JSON.stringify(out, null, 2)}\n`,
  );
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
