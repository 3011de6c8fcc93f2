/**
 * How much type information the fixed span cues carry on their own: nearest-prototype typing of the
 * gold mentions of the novel types, with prototypes = mean cue vector of the support mentions, on
 * the same seeded 4-way K-shot dev episodes as bench/results/fewshot.json (no model, no training).
 *
 *   pnpm exec tsx --conditions=@nerima/source bench/fewshot/cue-probe.ts [--episodes 500] [--shots 5]
 *
 * Writes bench/results/fewshot-cue-probe.json (--no-write to skip). Needs models/vectors and the KB.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { core, meta } from './resolve.js';
import { dataRoot, gitCommit, kbPath, repoRoot } from './setup.js';

const argv = process.argv.slice(2);
const opt = (name: string, fallback: number) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? Number(argv[i + 1]) : fallback;
};
const episodesPerFold = opt('episodes', 500);
const k = opt('shots', 5);
const seed = opt('seed', 1);

await core.initBackend({ backend: 'cpu' });
const vectorsPath = path.join(repoRoot, 'models/vectors/vectors.bin');
if (!existsSync(vectorsPath) || !existsSync(kbPath)) {
  console.error(`cue-probe: skipped, it needs ${vectorsPath} and ${kbPath}`);
  process.exit(0);
}
await meta.loadSpanCues({ vectors: vectorsPath, kb: kbPath });
const dev = (await core.readDataset(path.join(dataRoot, 'stockmark/dev.jsonl'))).sentences;

type Featurizer = (text: string) => Float32Array;
const cueOf = (name: string): Featurizer => {
  const cue = meta.getSpanCue(name);
  return (text) => {
    const out = new Float32Array(cue.dim);
    cue.write(text, out, 0);
    return out;
  };
};
const lex: Featurizer = (text) =>
  meta.lexicalFeatures([text], {
    batch: Int32Array.of(0),
    start: Int32Array.of(0),
    end: Int32Array.of(text.length),
  });
const concat =
  (...fs: Featurizer[]): Featurizer =>
  (text) => {
    const parts = fs.map((f) => f(text));
    const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  };
const FEATURES: Record<string, Featurizer> = {
  lex,
  kb: cueOf('kb'),
  vectors: cueOf('vectors'),
  'vectors+kb': concat(cueOf('vectors'), cueOf('kb')),
  'vectors+kb+lex': concat(cueOf('vectors'), cueOf('kb'), lex),
};

const results: Record<string, Record<string, { accuracy: number; mentions: number }>> = {};
for (const foldName of ['A', 'B'] as const) {
  const fold = core.STOCKMARK_FOLDS[foldName];
  const episodes = meta.novelTypeEpisodes(dev, fold, { k, count: episodesPerFold, seed: seed * 1000 + k });
  for (const [name, f] of Object.entries(FEATURES)) {
    let right = 0;
    let total = 0;
    for (const e of episodes) {
      const protos = e.types.map((t) => {
        const xs = e.support.flatMap((s) =>
          s.entities.filter((m) => m.type === t).map((m) => f(s.text.slice(m.start, m.end))),
        );
        const p = new Float32Array((xs[0] as Float32Array).length);
        for (const x of xs)
          for (let d = 0; d < p.length; d++) p[d] = (p[d] as number) + (x[d] as number) / xs.length;
        return p;
      });
      for (const s of e.query)
        for (const m of s.entities) {
          if (!e.types.includes(m.type)) continue;
          const x = f(s.text.slice(m.start, m.end));
          let best = 0;
          let bestD = Number.POSITIVE_INFINITY;
          protos.forEach((p, i) => {
            let d = 0;
            for (let j = 0; j < p.length; j++) d += ((x[j] as number) - (p[j] as number)) ** 2;
            if (d < bestD) {
              bestD = d;
              best = i;
            }
          });
          if (e.types[best] === m.type) right++;
          total++;
        }
    }
    results[name] ??= {};
    (results[name] as Record<string, { accuracy: number; mentions: number }>)[foldName] = {
      accuracy: right / total,
      mentions: total,
    };
  }
}
for (const [name, r] of Object.entries(results))
  console.log(
    name.padEnd(16),
    Object.entries(r)
      .map(([f, x]) => `${f} ${(100 * x.accuracy).toFixed(1)}%`)
      .join('  '),
  );
if (!argv.includes('--no-write')) {
  const out = path.join(repoRoot, 'bench/results/fewshot-cue-probe.json');
  await core.writeJsonAtomic(out, {
    command: `pnpm exec tsx --conditions=@nerima/source bench/fewshot/cue-probe.ts ${argv.join(' ')}`.trim(),
    commit: gitCommit(),
    date: new Date().toISOString(),
    what: `Gold-mention typing accuracy on the novel types from the fixed cues alone (nearest prototype by squared distance; prototypes = mean cue vector of the support mentions): 4-way ${k}-shot, ${episodesPerFold} dev episodes per fold, the episodes of bench/results/fewshot.json (seed ${seed}). Chance is 25%. No model, no training.`,
    chance: 0.25,
    results,
  });
  console.log(`wrote ${path.relative(repoRoot, out)}`);
}
