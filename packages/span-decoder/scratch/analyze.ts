import { core, evl, span } from '../../../bench/span-supervised/resolve.js';

await core.initBackend({ backend: 'wasm' });
const dev = (await core.readDataset('/work/shared/data/stockmark/dev.jsonl')).sentences;
const tagger = await span.createTagger({
  from: process.argv[2]!,
  gazetteer: { kbPath: '/work/shared/data/kb/entities.jsonl' },
});
const scores = await tagger.score(
  dev.map((s) => s.text),
  { startThreshold: 0.05, endThreshold: 0.05, maxCandidatesPerText: 256 },
);
const gold = dev.map((s) => s.entities);
for (const allowNested of [true, false]) {
  const o = { ...tagger.decodeOptions, allowNested };
  const r = evl.evaluateSpans(
    gold,
    scores.map((s) => span.decode(s, o)),
    { types: tagger.types },
  );
  console.log('default thresholds allowNested', allowNested, r.micro, 'untyped', r.untyped.f1);
  const t = span.tuneThresholds(scores, gold, o, span.DEFAULT_THRESHOLD_GRID, tagger.types);
  console.log('tuned', JSON.stringify(t.options), t.microF1);
}
