/**
 * Throughput of kuromoji.js (IPADIC) alone on the first 2000 Stockmark train sentences — the baseline
 * the span-decoder benchmark compares against — plus the encoder's aligned tokenisation (offsets,
 * no cache), its full `prepare` (char + word features) and gazetteer tagging of all train
 * sentences. Writes bench/results/tokenizer.json.
 *
 *   pnpm exec tsx --conditions=@nerima/source bench/encoder/tokenizer.ts
 *
 * Data: $NERIMA_DATA or ../shared/data (stockmark/train.jsonl).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { load, repoRoot } from './resolve.js';

type Enc = typeof import('../../packages/encoder/src/index.js');
type Core = typeof import('../../packages/core/src/index.js');
const enc = await load<Enc>('@nerima/encoder');
const core = await load<Core>('@nerima/core');

const data = process.env['NERIMA_DATA'] ?? path.resolve(repoRoot, '../shared/data');
const file = path.join(data, 'stockmark/train.jsonl');
if (!existsSync(file)) {
  console.error(`bench/encoder/tokenizer: ${file} not found (set NERIMA_DATA to the shared data folder)`);
  process.exit(2);
}
const texts = readFileSync(file, 'utf8')
  .split('\n')
  .filter((l) => l.trim())
  .slice(0, 2000)
  .map((l) => (JSON.parse(l) as { text: string }).text);
const chars = texts.reduce((a, t) => a + t.length, 0);

const t0 = performance.now();
const kuromoji = await enc.loadKuromoji();
const loadMs = performance.now() - t0;

function rate(fn: () => void, reps = 3): number {
  fn(); // warm-up
  let best = Number.POSITIVE_INFINITY;
  for (let r = 0; r < reps; r++) {
    const s = performance.now();
    fn();
    best = Math.min(best, performance.now() - s);
  }
  return best / 1000;
}

const rawSec = rate(() => {
  for (const t of texts) kuromoji.tokenize(t);
});
const morph = await enc.Morphology.create({ cacheSize: 0 });
const alignedSec = rate(() => {
  for (const t of texts) morph.tokenize(t);
});
const model = path.join(repoRoot, 'models/encoder/encoder.bin');
let prepareSec: number | undefined;
let backend = 'none (tokenisation only)';
if (existsSync(model)) {
  const info = await core.initBackend({ backend: 'wasm' });
  backend = info.name;
  const e = await enc.createEncoder({ from: model, cacheSize: 0 });
  const s = performance.now();
  for (let i = 0; i < texts.length; i += 32) await e.prepare(texts.slice(i, i + 32));
  prepareSec = (performance.now() - s) / 1000;
  e.dispose();
}

// Gazetteer tagging over all train sentences (when the KB is there).
const kbPath = path.join(data, 'kb/entities.jsonl');
let gazetteer: { entries: number; buildMs: number; sentences: number; sentencesPerSec: number } | null = null;
if (existsSync(kbPath)) {
  const all = readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => (JSON.parse(l) as { text: string }).text);
  const g0 = performance.now();
  const gaz = await enc.Gazetteer.load(kbPath);
  const buildMs = performance.now() - g0;
  const norm = all.map((t) => enc.normalizeWithOffsets(t).normalized);
  const sec = rate(() => {
    for (const t of norm) gaz.features(t, new Float32Array(t.length * enc.GAZETTEER_FEATURES));
  });
  gazetteer = {
    entries: gaz.size,
    buildMs: Math.round(buildMs),
    sentences: all.length,
    sentencesPerSec: Math.round(all.length / sec),
  };
}

let commit = 'unknown';
try {
  commit = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: repoRoot, encoding: 'utf8' }).trim();
} catch {}
const metrics = {
  sentences: texts.length,
  chars,
  dictionaryLoadMs: Math.round(loadMs),
  kuromojiSentencesPerSec: Math.round(texts.length / rawSec),
  kuromojiCharsPerSec: Math.round(chars / rawSec),
  alignedSentencesPerSec: Math.round(texts.length / alignedSec),
  prepareSentencesPerSec: prepareSec ? Math.round(texts.length / prepareSec) : null,
  gazetteer,
  loadAverage1m: Number(os.loadavg()[0]!.toFixed(2)),
  cpus: os.cpus().length,
};
const result = {
  command: 'pnpm exec tsx --conditions=@nerima/source bench/encoder/tokenizer.ts',
  commit,
  date: new Date().toISOString(),
  backend,
  tokenizer: 'kuromoji 0.1.2 (IPADIC)',
  data: 'stockmark/train.jsonl, first 2000 sentences',
  metrics,
};
await mkdir(path.join(repoRoot, 'bench/results'), { recursive: true });
await writeFile(path.join(repoRoot, 'bench/results/tokenizer.json'), `${JSON.stringify(result, null, 2)}\n`);
console.log(JSON.stringify(result, null, 2));
