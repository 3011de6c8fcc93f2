/**
 * Forward+backward time of the encoder on a batch of 32 sentences of length 60 (random Japanese
 * text), per context kind (minimum over --reps runs), on the backend given by --backend (default wasm). Writes
 * bench/results/encoder-speed-<backend>.json. The machine is shared: compare numbers from one run.
 *
 *   pnpm exec tsx --conditions=@nerima/source bench/encoder/speed.ts --backend wasm
 */

import { execFileSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { load, repoRoot } from './resolve.js';

type Core = typeof import('../../packages/core/src/index.js');
type Enc = typeof import('../../packages/encoder/src/index.js');
type Tf = typeof import('@tensorflow/tfjs-core');
const { createRng, initBackend } = await load<Core>('@nerima/core');
const { createEncoder } = await load<Enc>('@nerima/encoder');
const tf = await load<Tf>('@tensorflow/tfjs-core');

const { values } = parseArgs({
  options: { backend: { type: 'string' }, reps: { type: 'string' }, kinds: { type: 'string' } },
});
const info = await initBackend({ backend: (values.backend ?? 'wasm') as 'wasm' | 'cpu' });
const reps = Number(values.reps ?? 5);
const rng = createRng(1);
const pool =
  '東京都に住む山田太郎さんは京都大学の学生ですアイウエオカキクケコ株式会社日本銀行大阪府の人口は約万人である。、';
const texts = Array.from({ length: 32 }, () =>
  Array.from({ length: 60 }, () => pool[rng.int(pool.length)]).join(''),
);
const results: Record<string, unknown> = {};
for (const kind of (values.kinds ?? 'transformer,conv,none').split(',')) {
  const enc = await createEncoder({ texts, context: kind as 'transformer' | 'conv' | 'none' });
  const batch = await enc.prepare(texts);
  const vars = [...enc.variables().values()];
  const step = (train: boolean) =>
    tf.tidy(() => {
      if (!train) return enc.combine(enc.encode(batch)).dataSync()[0];
      const { value, grads } = tf.variableGrads(
        () => tf.mean(tf.square(enc.combine(enc.encode(batch, { training: true })))) as tf.Scalar,
        vars,
      );
      tf.sum(grads[vars[0]!.name]!).dataSync();
      return value.dataSync()[0];
    });
  step(true);
  step(false);
  // Minimum over reps: the machine is shared, the minimum is the least disturbed run.
  const time = (train: boolean) => {
    let best = Number.POSITIVE_INFINITY;
    for (let i = 0; i < reps; i++) {
      const t0 = performance.now();
      step(train);
      best = Math.min(best, performance.now() - t0);
    }
    return best;
  };
  const fwd = time(false);
  const fb = time(true);
  results[kind] = {
    forwardMs: Math.round(fwd),
    forwardBackwardMs: Math.round(fb),
    params: vars.reduce((a, v) => a + v.size, 0),
  };
  console.log(
    `${info.name} ${kind}: forward ${fwd.toFixed(0)} ms, forward+backward ${fb.toFixed(0)} ms (B=32, T=60)`,
  );
  enc.dispose();
}
let commit = 'unknown';
try {
  commit = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: repoRoot, encoding: 'utf8' }).trim();
} catch {}
const out = {
  command:
    `pnpm exec tsx --conditions=@nerima/source bench/encoder/speed.ts ${process.argv.slice(2).join(' ')}`.trim(),
  commit,
  date: new Date().toISOString(),
  backend: info.name,
  simd: info.simd,
  batch: { sentences: 32, length: 60 },
  metrics: results,
  loadAverage1m: Number(os.loadavg()[0]!.toFixed(2)),
};
await mkdir(path.join(repoRoot, 'bench/results'), { recursive: true });
await writeFile(
  path.join(repoRoot, `bench/results/encoder-speed-${info.name}.json`),
  `${JSON.stringify(out, null, 2)}\n`,
);
console.log(JSON.stringify(out));
