/**
 * Builds word + character-n-gram vectors from unlabelled text (the file models/vectors ships).
 *
 *   pnpm exec tsx --conditions=@nerima/source packages/encoder/src/vectors-cli.ts \
 *     --data ../shared/data/unlabeled --out models/vectors
 *
 * Lines are NFKC-normalised and cut into words by kuromoji (IPADIC); whitespace tokens are dropped.
 * Lines held out by the pre-training corpus (`isHeldOut`) are skipped here too. Options: --data
 * (repeatable), --out, --dim (64), --window (5), --negatives (5), --min-count (5), --max-vocab
 * (30000), --buckets (40000), --min-n (2), --max-n (3), --epochs (3), --lr (0.05), --seed (1),
 * --max-lines (all), --dtype (float16|float32, default float16).
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { isHeldOut, listTextFiles } from './corpus.js';
import { initBackend, readLines, saveWeights, writeFileAtomic } from './deps.js';
import { loadKuromoji } from './morph.js';
import { trainSubwordVectors } from './vectors/train.js';
import { VECTORS_FORMAT, VECTORS_VERSION } from './vectors/vectors.js';

function num(v: string | undefined, fallback: number, name: string): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new Error(`--${name}: expected a number, got '${v}'`);
  return n;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      data: { type: 'string', multiple: true },
      out: { type: 'string' },
      dim: { type: 'string' },
      window: { type: 'string' },
      negatives: { type: 'string' },
      'min-count': { type: 'string' },
      'max-vocab': { type: 'string' },
      buckets: { type: 'string' },
      'min-n': { type: 'string' },
      'max-n': { type: 'string' },
      epochs: { type: 'string' },
      lr: { type: 'string' },
      seed: { type: 'string' },
      'max-lines': { type: 'string' },
      dtype: { type: 'string' },
    },
  });
  if (!values.data?.length || !values.out)
    throw new Error('usage: vectors-cli --data <folder|file> --out <folder>');
  await initBackend({ backend: 'wasm' });
  const files = await listTextFiles(values.data);
  const maxLines = num(values['max-lines'], Number.POSITIVE_INFINITY, 'max-lines');
  const tokenizer = await loadKuromoji();
  const sentences: string[][] = [];
  const t0 = performance.now();
  let chars = 0;
  for (const file of files) {
    for await (const { text } of readLines(file)) {
      if (sentences.length >= maxLines) break;
      const line = text.trim();
      if (line.length < 2 || isHeldOut(line)) continue;
      const norm = line.normalize('NFKC');
      chars += norm.length;
      const words = tokenizer
        .tokenize(norm)
        .map((t) => t.surface_form)
        .filter((w) => w.trim() !== '');
      sentences.push(words);
      if (sentences.length % 50_000 === 0)
        console.error(
          `tokenised ${sentences.length} lines (${((performance.now() - t0) / 1000).toFixed(0)} s)`,
        );
    }
  }
  const tokenizeSeconds = (performance.now() - t0) / 1000;
  console.error(`tokenised ${sentences.length} lines, ${chars} chars in ${tokenizeSeconds.toFixed(0)} s`);
  const options = {
    dim: num(values.dim, 64, 'dim'),
    window: num(values.window, 5, 'window'),
    negatives: num(values.negatives, 5, 'negatives'),
    minCount: num(values['min-count'], 5, 'min-count'),
    maxVocab: num(values['max-vocab'], 30_000, 'max-vocab'),
    buckets: num(values.buckets, 40_000, 'buckets'),
    minN: num(values['min-n'], 2, 'min-n'),
    maxN: num(values['max-n'], 3, 'max-n'),
    epochs: num(values.epochs, 3, 'epochs'),
    lr: num(values.lr, 0.05, 'lr'),
    seed: num(values.seed, 1, 'seed'),
  };
  const result = trainSubwordVectors(sentences, {
    ...options,
    onProgress: (p) =>
      console.error(
        `epoch ${p.epoch + 1} ${(p.done * 100).toFixed(1)}% loss ${p.loss.toFixed(4)} lr ${p.lr.toFixed(4)}`,
      ),
    progressEvery: 1_000_000,
  });
  const dtype = values.dtype === 'float32' ? 'float32' : 'float16';
  const tensors = result.vectors.toTensors();
  const file = path.join(values.out, 'vectors.bin');
  try {
    await saveWeights(file, tensors, {
      format: VECTORS_FORMAT,
      version: VECTORS_VERSION,
      config: result.vectors.config,
      dtype,
    });
  } finally {
    for (const t of Object.values(tensors)) t.dispose();
  }
  const probes = ['東京', '京都駅', '株式会社', '大会', '戦争', '首相', 'トヨタ'];
  const report = {
    command: `pnpm exec tsx --conditions=@nerima/source packages/encoder/src/vectors-cli.ts ${process.argv.slice(2).join(' ')}`,
    date: new Date().toISOString(),
    data: files.map((f) => path.basename(f)),
    lines: sentences.length,
    chars,
    tokens: result.tokens,
    inVocabTokens: result.inVocabTokens,
    vocabSize: result.vocabSize,
    options,
    dtype,
    finalLoss: result.finalLoss,
    tokenizeSeconds,
    trainSeconds: result.seconds,
    nearest: Object.fromEntries(
      probes.map((w) => [w, result.vectors.nearest(w, 8).map((n) => `${n.word} ${n.similarity.toFixed(2)}`)]),
    ),
  };
  await writeFileAtomic(path.join(values.out, 'report.json'), `${JSON.stringify(report, null, 2)}\n`);
  console.error(JSON.stringify(report.nearest, null, 1));
  console.error(`wrote ${file} (${result.vocabSize} words, ${options.buckets} buckets, dim ${options.dim})`);
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
