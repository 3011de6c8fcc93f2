import { core, evl, span } from '../../../bench/span-supervised/resolve.js';
await core.initBackend({ backend: 'wasm' });
const dev = (await core.readDataset('/work/shared/data/stockmark/dev.jsonl')).sentences;
const tagger = await span.createTagger({ from: process.argv[2]!, gazetteer: { kbPath: '/work/shared/data/kb/entities.jsonl' } });
const scores = await tagger.score(dev.map((s) => s.text), { startThreshold: 0.05, endThreshold: 0.05, maxCandidatesPerText: 256 });
const gold = dev.map((s) => s.entities);
const o = { ...tagger.decodeOptions, allowNested: false };
const t = span.tuneThresholds(scores, gold, o, span.DEFAULT_THRESHOLD_GRID, tagger.types);
console.log('tuned', JSON.stringify(t.options), t.microF1);
const pred = scores.map((s) => span.decode(s, t.options));
const cat: Record<string, number> = {};
const conf: Record<string, number> = {};
const add = (k: string) => (cat[k] = (cat[k] ?? 0) + 1);
pred.forEach((ps, i) => {
  const g = gold[i]!;
  for (const p of ps) {
    if (g.some((e) => e.start === p.start && e.end === p.end && e.type === p.type)) continue;
    const same = g.find((e) => e.start === p.start && e.end === p.end);
    if (same) { add('FP wrong type'); const k = `${same.type}->${p.type}`; conf[k] = (conf[k] ?? 0) + 1; }
    else if (g.some((e) => e.start < p.end && p.start < e.end)) add('FP boundary');
    else add('FP spurious');
  }
  for (const e of g) {
    if (ps.some((p) => e.start === p.start && e.end === p.end)) { if (!ps.some((p) => e.start === p.start && e.end === p.end && e.type === p.type)) add('FN (wrong type)'); continue; }
    if (ps.some((p) => e.start < p.end && p.start < e.end)) add('FN boundary'); else add('FN missed');
  }
});
console.log(cat);
console.log(Object.entries(conf).sort((a, b) => b[1] - a[1]).slice(0, 12));
