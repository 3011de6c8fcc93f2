/**
 * Combines results files of run.ts that each hold some folds (e.g. folds A and B run as two
 * processes, one per core) into one file, with the fold averages recomputed.
 *
 *   pnpm exec tsx --conditions=@nerima/source bench/fewshot/combine.ts bench/results/fewshot-A.json bench/results/fewshot-B.json \
 *     --out bench/results/fewshot.json [--training-from <earlier results.json>]
 *
 * --training-from: for models the runs loaded with --reuse, copy the meta-training record (episodes,
 * minutes, ms per episode, peak memory) from the results file of the run that trained them.
 */
import { readFile } from 'node:fs/promises';
import { averageFolds, type FoldResult } from './fold-average.js';
import { core } from './resolve.js';

interface MethodEntry {
  label: string;
  folds: Record<string, FoldResult>;
}
interface ResultsFile {
  command: string;
  commands?: string[];
  commit: string;
  complete: boolean;
  peakRssBytes: number;
  encodeMs: number;
  protocol: { folds: Record<string, unknown> } & Record<string, unknown>;
  training: Record<string, unknown>;
  settings: Record<string, Record<string, MethodEntry>>;
  [key: string]: unknown;
}

const argv = process.argv.slice(2);
const optionValue = (name: string): string | undefined => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : undefined;
};
const out = optionValue('out');
const trainingFrom = optionValue('training-from');
const inputs = argv.filter((a, i) => !a.startsWith('--') && !argv[i - 1]?.startsWith('--'));
if (!out || inputs.length < 2) {
  console.error('usage: combine.ts <results.json> <results.json>... --out <combined.json>');
  process.exit(2);
}

const files: ResultsFile[] = [];
for (const f of inputs) files.push(JSON.parse(await readFile(f, 'utf8')) as ResultsFile);
const first = files[0] as ResultsFile;
const commits = new Set(files.map((f) => f.commit));
if (commits.size > 1)
  console.error(`warning: inputs come from different commits: ${[...commits].join(', ')}`);

const settings: Record<string, Record<string, unknown>> = {};
const byMethod: Record<string, Record<string, { label: string; folds: Record<string, FoldResult> }>> = {};
files.forEach((file, i) => {
  for (const [setting, methods] of Object.entries(file.settings)) {
    const bySetting = byMethod[setting] ?? {};
    byMethod[setting] = bySetting;
    for (const [method, entry] of Object.entries(methods)) {
      const target = bySetting[method] ?? { label: entry.label, folds: {} };
      bySetting[method] = target;
      for (const [fold, r] of Object.entries(entry.folds)) {
        if (target.folds[fold])
          throw new Error(`${inputs[i]}: ${setting} / ${method} / fold ${fold} is in two inputs`);
        target.folds[fold] = r;
      }
    }
  }
});
// The metric names, from any one fold result.
const anyFold = Object.values(byMethod)
  .flatMap((methods) => Object.values(methods))
  .flatMap((m) => Object.values(m.folds))[0];
const metrics = Object.keys(anyFold ?? {}).filter((k) => k !== 'episodes');
for (const [setting, methods] of Object.entries(byMethod)) {
  settings[setting] = {};
  for (const [method, { label, folds }] of Object.entries(methods)) {
    settings[setting][method] = { label, ...averageFolds(folds, metrics) };
  }
}

// Meta-training records of reused models, from the run that trained them; also that file's cost
// measurements (costs.ts: first vs second order, adapt latency), which carry their own command.
const training: Record<string, Record<string, unknown>> = Object.assign({}, ...files.map((f) => f.training));
const costs: Record<string, unknown> = {};
if (trainingFrom) {
  const earlierFile = JSON.parse(await readFile(trainingFrom, 'utf8')) as ResultsFile;
  const earlier = earlierFile.training as Record<string, Record<string, Record<string, unknown>>>;
  for (const key of ['orderTiming', 'adaptLatency']) if (earlierFile[key]) costs[key] = earlierFile[key];
  const trainedBy = `${(earlierFile.commands ?? [earlierFile.command]).join(' ; ')} (commit ${earlierFile.commit})`;
  for (const [fold, methods] of Object.entries(training)) {
    for (const [method, record] of Object.entries(methods as Record<string, Record<string, unknown>>)) {
      const trained = earlier[fold]?.[method];
      if (record['reused'] && trained && !trained['reused']) {
        methods[method] = { ...record, trainedBy, ...trained };
      }
    }
  }
}

const combined = {
  ...first,
  command: files.map((f) => f.command).join(' ; '),
  commands: [
    ...files.flatMap((f) => f.commands ?? [f.command]),
    `pnpm exec tsx --conditions=@nerima/source bench/fewshot/combine.ts ${argv.join(' ')}`,
  ],
  commit: [...commits].join(','),
  complete: files.every((f) => f.complete),
  peakRssBytes: Math.max(...files.map((f) => f.peakRssBytes)),
  encodeMs: Math.max(...files.map((f) => f.encodeMs)),
  protocol: {
    ...first.protocol,
    folds: Object.assign({}, ...files.map((f) => f.protocol.folds)),
    processes: `${files.length} (one per input file, run concurrently)`,
  },
  training,
  ...costs,
  settings,
};
await core.writeFileAtomic(out, `${JSON.stringify(combined, null, 2)}\n`);
console.log(
  `wrote ${out}: ${Object.keys(combined.protocol.folds).join(', ')}; complete ${combined.complete}`,
);
