/**
 * Turns a trained tagger folder into a shipped one: `models/<name>/` with only the weights
 * inference needs, the KB names it uses as `gazetteer.jsonl` (so no KB is needed at load time),
 * and `tagger.json` meta naming the training command, commit, data, license and dev scores, which
 * it measures again on the shipped folder itself.
 *
 *   pnpm exec tsx --conditions=@nerima/source packages/models/scripts/ship-tagger.ts \
 *     --name stockmark --from runs/span-supervised/shipped-stockmark/best --results runs/shipped-stockmark.json
 *
 * --kb (default ../shared/data/kb/entities.jsonl) is the KB the tagger was trained with; --dev the
 * dev sentences (default: the data named by the results file: Stockmark dev, or the GSD sample's
 * every tenth sentence).
 */
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { initBackend, readDataset, type Sentence, writeFileAtomic } from '@nerima/core';
import { GAZETTEER_TYPES } from '@nerima/encoder';
import { evaluateSpans } from '@nerima/eval';
import { loadSpanTagger, TAGGER_GAZETTEER_FILE } from '@nerima/span-decoder';
import { SHIPPED_TAGGERS } from '../src/registry.js';

const repoRoot = path.resolve(import.meta.dirname, '../../..');
const dataRoot = process.env['NERIMA_DATA'] ?? path.resolve(repoRoot, '../shared/data');

function arg(name: string, fallback?: string): string {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? process.argv[i + 1] : fallback;
  if (v === undefined) throw new Error(`--${name} is required`);
  return v;
}

/** The KB's names of the gazetteer's types, one `{ja, type}` line each, sorted and deduplicated. */
async function gazetteerLines(kbPath: string): Promise<string> {
  const types = new Set<string>(GAZETTEER_TYPES);
  const seen = new Set<string>();
  const raw = await readFile(kbPath, 'utf8');
  raw.split('\n').forEach((line, i) => {
    if (!line.trim()) return;
    let o: { ja?: unknown; type?: unknown };
    try {
      o = JSON.parse(line);
    } catch (e) {
      throw new Error(`${kbPath}:${i + 1}: invalid JSON (${(e as Error).message})`);
    }
    if (typeof o.ja !== 'string' || typeof o.type !== 'string' || !types.has(o.type)) return;
    seen.add(JSON.stringify({ ja: o.ja, type: o.type }));
  });
  return `${[...seen].sort().join('\n')}\n`;
}

async function devSentences(results: { data?: string }): Promise<{ dev: Sentence[]; name: string }> {
  if (results.data === 'gsd') {
    const all = (await readDataset(path.join(dataRoot, 'gsd_ne/sample.jsonl'))).sentences;
    return { dev: all.filter((_, i) => i % 10 === 9), name: 'gsd_ne sample.jsonl, lines 10, 20, ... (81)' };
  }
  return {
    dev: (await readDataset(path.join(dataRoot, 'stockmark/dev.jsonl'))).sentences,
    name: 'stockmark dev.jsonl (534)',
  };
}

async function main(): Promise<void> {
  const name = arg('name');
  const info = SHIPPED_TAGGERS[name];
  if (!info) throw new Error(`--name: expected one of ${Object.keys(SHIPPED_TAGGERS).join(', ')}`);
  const from = path.resolve(repoRoot, arg('from'));
  const resultsPath = path.resolve(repoRoot, arg('results'));
  const kbPath = path.resolve(repoRoot, arg('kb', path.join(dataRoot, 'kb/entities.jsonl')));
  const out = path.join(repoRoot, 'models', name);
  // train.ts stores a variant's run under `ablations.<variant>`.
  const file = JSON.parse(await readFile(resultsPath, 'utf8'));
  const results = file.command ? file : (Object.values(file.ablations ?? {})[0] as typeof file);
  if (!results?.command) throw new Error(`${resultsPath}: no training entry (command) found`);
  const backend = await initBackend({ backend: 'wasm' });

  const trained = await loadSpanTagger({ from, gazetteer: { kbPath } });
  await rm(out, { recursive: true, force: true });
  await writeFileAtomic(path.join(out, TAGGER_GAZETTEER_FILE), await gazetteerLines(kbPath));
  const { dev, name: devName } = await devSentences(results);
  const meta = {
    name,
    description: info.description,
    data: info.data,
    license: info.license,
    training: {
      command: results.command,
      commit: results.commit,
      date: results.date,
      encoder: results.encoder,
      epochs: results.epochs,
      bestEpoch: results.bestEpoch,
      thresholdsSelectedOn: results.thresholdsSelectedOn,
    },
  };
  await trained.save(out, meta, { inferenceOnly: true });

  // Scores of the shipped folder itself (its own gazetteer.jsonl, its own weights).
  const shipped = await loadSpanTagger({ from: out });
  const texts = dev.map((s) => s.text);
  const [a, b] = [await trained.predict(texts), await shipped.predict(texts)];
  const same = a.every((p, i) => JSON.stringify(p) === JSON.stringify(b[i]));
  if (!same) throw new Error('the shipped folder predicts differently from the trained one on dev');
  const r = evaluateSpans(
    dev.map((s) => s.entities),
    b,
    { types: shipped.types },
  );
  const scores = {
    dev: devName,
    microF1: r.micro.f1,
    microPrecision: r.micro.precision,
    microRecall: r.micro.recall,
    macroF1: r.macro.f1,
    untypedF1: r.untyped.f1,
    perTypeF1: Object.fromEntries(Object.entries(r.perType).map(([t, x]) => [t, x.f1])),
    thresholdsSelectedOn: results.thresholdsSelectedOn,
    devFixedThresholdsMicroF1: results.devFixedThresholds?.microF1,
    backend: backend.name,
  };
  await shipped.save(out, { ...meta, scores }, { inferenceOnly: true });
  shipped.dispose();
  trained.dispose();
  console.log(JSON.stringify(scores, null, 2));
  console.log(`wrote ${path.relative(repoRoot, out)}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
