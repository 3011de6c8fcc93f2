/**
 * Error analysis of a trained meta-learner on a few test episodes (fold, shots): prediction counts,
 * untyped matches and a sample of false positives / misses.
 *
 *   pnpm exec tsx --conditions=@nerima/source bench/fewshot/diagnose.ts --fold A --k 5 --method full --episodes 10 [--tag NAME]
 */
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Sentence } from '../../packages/core/src/index.js';
import { core, enc, meta } from './resolve.js';

const argv = process.argv.slice(2);
const get = (n: string, d: string) => {
  const i = argv.indexOf(`--${n}`);
  return i >= 0 ? (argv[i + 1] as string) : d;
};
const fold = get('fold', 'A') as 'A' | 'B';
const k = Number(get('k', '5'));
const method = get('method', 'full');
const count = Number(get('episodes', '10'));
const repoRoot = path.resolve(import.meta.dirname, '../..');
await core.initBackend();
const data = path.resolve(repoRoot, '../shared/data/stockmark');
const train = (await core.readDataset(path.join(data, 'train.jsonl'))).sentences;
const dev = (await core.readDataset(path.join(data, 'dev.jsonl'))).sentences;
const encPath = path.join(repoRoot, get('encoder', 'models/encoder/encoder.bin'));
const kbPath = path.resolve(repoRoot, '../shared/data/kb/entities.jsonl');
const gazetteer = !argv.includes('--no-gazetteer') && existsSync(kbPath) ? { kbPath } : false;
const encoder = existsSync(encPath)
  ? await enc.createEncoder({ from: encPath, gazetteer })
  : await enc.createEncoder({ texts: train.map((s: Sentence) => s.text), gazetteer });
let modelPath = path.join(repoRoot, 'runs/fewshot', get('tag', ''), fold, method, 'model.json');
// Models trained with span cues need them registered.
const vectorsPath = path.join(repoRoot, 'models/vectors/vectors.bin');
await meta.loadSpanCues({
  ...(existsSync(vectorsPath) ? { vectors: vectorsPath } : {}),
  ...(existsSync(kbPath) ? { kb: kbPath } : {}),
});
if (argv.includes('--test-steps')) {
  // Same weights, another number of inner steps at adaptation time.
  const file = JSON.parse(await readFile(modelPath, 'utf8'));
  file.config.testInnerSteps = Number(get('test-steps', '3'));
  modelPath = path.join(tmpdir(), `diagnose-${process.pid}.json`);
  await writeFile(modelPath, JSON.stringify(file));
}
const learner = await meta.loadMamlProtoNet(modelPath, {
  encoder,
  decode: { allowNested: false, typeThreshold: Number(get('type-threshold', '0')) },
});
for (const [n, v] of learner.vars)
  if (n.startsWith('cond.') || n.startsWith('type.')) console.log(n, Array.from(v.dataSync()));
const f = core.STOCKMARK_FOLDS[fold];
// --seen: episodes of the fold's *train* types (in-domain check of the meta-trained model).
const episodes = meta.novelTypeEpisodes(dev, argv.includes('--seen') ? { train: f.test, test: f.train } : f, {
  k,
  count,
  seed: 1000 + k,
});
let gold = 0;
let pred = 0;
let untypedTp = 0;
let typedTp = 0;
let startOnly = 0;
// False positives by what they hit in the fully labelled dev sentence: exactly a mention of a
// non-target type, overlapping one, overlapping a target mention (wrong boundaries), or nothing.
const fpKinds = { otherTypeExact: 0, otherTypeOverlap: 0, targetOverlap: 0, nothing: 0 };
const devById = new Map(dev.map((s: Sentence) => [s.id, s]));
for (const e of episodes) {
  const tagger = await learner.adapt(e.support, e.types);
  const preds = await tagger.predict(e.query.map((s) => s.text));
  tagger.dispose?.();
  e.query.forEach((s, i) => {
    const p = preds[i] ?? [];
    gold += s.entities.length;
    pred += p.length;
    for (const x of p) {
      const g = s.entities.find((y) => y.start === x.start && y.end === x.end);
      if (g) {
        untypedTp++;
        if (g.type === x.type) typedTp++;
      } else {
        if (s.entities.some((y) => y.start === x.start)) startOnly++;
        const full = (devById.get(s.id)?.entities ?? []).filter((y) => !e.types.includes(y.type));
        const overlaps = (y: { start: number; end: number }) => y.start < x.end && x.start < y.end;
        if (full.some((y) => y.start === x.start && y.end === x.end)) fpKinds.otherTypeExact++;
        else if (full.some(overlaps)) fpKinds.otherTypeOverlap++;
        else if (s.entities.some(overlaps)) fpKinds.targetOverlap++;
        else fpKinds.nothing++;
      }
    }
    if (i < 2 && e.index !== undefined && e.index < 3) {
      console.log(
        `\n${s.text}\n  gold: ${s.entities.map((y) => `${y.text}/${y.type}`).join(' ')}\n  pred: ${p.map((y) => `${y.text}/${y.type}`).join(' ')}`,
      );
    }
  });
}
const P = typedTp / pred;
const R = typedTp / gold;
console.log({
  typedMicroF1: (2 * P * R) / (P + R),
  gold,
  pred,
  untypedTp,
  typedTp,
  startOnlyFp: startOnly,
  untypedP: untypedTp / pred,
  untypedR: untypedTp / gold,
  typeAcc: typedTp / untypedTp,
  falsePositives: fpKinds,
});
